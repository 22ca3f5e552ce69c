"""The roll-up is kept by triggers in the same transaction as every write to people: forms' services, bulk
inserts and updates (core/bulk.py), queryset .update(), deletes. After any sequence of writes it equals a
fresh GROUP BY of people_person; `rollup_rebuild` recomputes it; a rolled-back write leaves it unchanged."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db import connection, transaction

from dangjian.core.audit import Actor
from dangjian.core.bulk import insert_many, update_many
from dangjian.people.models import Education, HouseholdType, PartyStatus, Person
from dangjian.people.services import PersonData, person_update
from dangjian.stats.rollup import counted_at_once, fresh_sql, rollup_rebuild
from tests.conftest import add_person


def rollup_table() -> dict[tuple, int]:
    """The roll-up as the reads see it: its rows plus the increments not yet folded in (PostgreSQL)."""
    with connection.cursor() as cur:
        cur.execute("SELECT org_path, party_status, dim, val, SUM(n) FROM (SELECT org_path, party_status, dim, val, n "
                    "FROM stats_rollup UNION ALL SELECT org_path, party_status, dim, val, n FROM stats_rollupdelta) t "
                    "GROUP BY org_path, party_status, dim, val")
        return {tuple(r[:4]): r[4] for r in cur.fetchall() if r[4]}


def fresh_table() -> dict[tuple, int]:
    with connection.cursor() as cur:
        cur.execute(fresh_sql(connection.vendor, unit=True))
        return {tuple(r[:4]): r[4] for r in cur.fetchall()}


STATUSES = [s.value for s in PartyStatus]
EDUS = [e.value for e in Education] + [""]


def _random_values(rng: random.Random) -> dict:
    return {"party_status": rng.choice(STATUSES), "gender": rng.choice(["male", "female"]),
            "education": rng.choice(EDUS), "ethnicity": rng.choice(["汉族", "苗族", "布依族", ""]),
            "household_type": rng.choice([HouseholdType.AGRICULTURAL, HouseholdType.NON_AGRICULTURAL, ""]),
            "joined_on": rng.choice([None, dt.date(2001 + rng.randrange(24), 1 + rng.randrange(12), 1)])}


def _clones(rng: random.Random, template: Person, orgs: list, tag: str) -> list[Person]:
    clones = []
    for i in range(rng.randrange(1, 5)):
        c = Person(**{f.attname: getattr(template, f.attname) for f in Person._meta.concrete_fields
                      if not f.primary_key})
        c.id_number_hash = f"{template.id_number_hash[:40]}-{tag}-{i}"
        org = rng.choice(orgs)
        c.organization, c.org_path = org, org.path
        for k, v in _random_values(rng).items():
            setattr(c, k, v)
        clones.append(c)
    return clones


def test_the_world_as_built_through_the_services_is_rolled_up(world):
    assert rollup_table() == fresh_table()
    assert sum(n for (p, s, d, v), n in rollup_table().items() if d == "all") == Person.objects.count()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_writes_of_every_kind_keep_the_rollup_equal_to_a_fresh_count(world, seed):
    rng = random.Random(seed)
    orgs = [world.v1, world.v2, world.w1, world.t1, world.county]
    admin = Actor(user=world.users["county_admin"])
    for step in range(40):
        op = rng.choice(["service_create", "service_update", "bulk_insert", "bulk_insert_at_once", "bulk_update",
                         "qs_update", "delete", "move"])
        people = list(Person.objects.order_by("id"))
        if op == "service_create":
            birth = dt.date(1950 + rng.randrange(55), 1 + rng.randrange(12), 1 + rng.randrange(28))
            add_person(world, f"p{seed}_{step}", rng.choice(orgs[:3]), "测试人", birth=birth,
                       male=rng.random() < 0.5, party_status=rng.choice(STATUSES), education=rng.choice(EDUS),
                       status_date=dt.date(2020, 1, 1),
                       household_type=rng.choice(["agricultural", "non_agricultural"]))
        elif op == "service_update":
            # People registered through the service (bulk clones share an ID number: the service would refuse).
            registered = list(Person.objects.filter(pk__in=[x.pk for x in world.people.values()]).order_by("id"))
            if not registered:
                continue
            p = rng.choice(registered)
            person_update(actor=admin, person_id=p.pk, version=p.version, data=PersonData(
                name=p.name, id_number="", organization=rng.choice(orgs[:3]), gender=p.gender,
                ethnicity=rng.choice(["汉族", "彝族"]), education=rng.choice(EDUS),
                household_type=rng.choice(["agricultural", "non_agricultural", ""])))
        elif op in ("bulk_insert", "bulk_insert_at_once") and people:
            clones = _clones(rng, rng.choice(people), orgs, f"{seed}-{step}")
            with transaction.atomic():
                if op == "bulk_insert":
                    insert_many(clones)
                else:
                    with counted_at_once():
                        insert_many(clones)
                    # Updates after the block, in the same transaction, count as any update does.
                    Person.objects.filter(pk=clones[0].pk).update(**_random_values(rng))
        elif op == "bulk_update" and people:
            rows = []
            for p in rng.sample(people, k=min(3, len(people))):
                v = _random_values(rng)
                rows.append((v["party_status"], v["education"], v["joined_on"], p.pk))
            update_many(Person, ("party_status", "education", "joined_on"), rows)
        elif op == "qs_update" and people:
            ids = [p.pk for p in rng.sample(people, k=min(4, len(people)))]
            Person.objects.filter(pk__in=ids).update(party_status=rng.choice(STATUSES),
                                                     birth_date=dt.date(1980 + rng.randrange(20), 2, 28))
        elif op == "delete" and len(people) > 3:
            victim = rng.choice(people)
            if not hasattr(victim, "dossier"):
                victim.delete()
        elif op == "move" and people:
            # An unchanged column in the UPDATE list must not double-count (the trigger's WHEN clause).
            p = rng.choice(people)
            Person.objects.filter(pk=p.pk).update(org_path=p.org_path, party_status=p.party_status)
    assert rollup_table() == fresh_table()


@pytest.mark.parametrize("batch", [1, 7, 300])
def test_people_inserted_at_once_are_counted_once_and_the_trigger_is_back_after(world, batch):
    rng = random.Random(batch)
    orgs = [world.v1, world.v2, world.w1, world.t1, world.county]
    template = world.people["v1_member"]
    clones = []
    while len(clones) < batch:
        clones += _clones(rng, template, orgs, f"b{batch}-{len(clones)}")
    with transaction.atomic(), counted_at_once():
        insert_many(clones[:batch])
    assert rollup_table() == fresh_table()
    assert _insert_trigger_present()
    # The insert trigger counts again once the block is over (a form's insert).
    add_person(world, "after_bulk", world.v2, "测试人", birth=dt.date(1990, 5, 6), male=False,
               party_status="probationary", education="college", status_date=dt.date(2024, 1, 1))
    assert rollup_table() == fresh_table()


def test_an_insert_at_once_that_fails_leaves_nothing(world):
    before = rollup_table()
    clones = _clones(random.Random(5), world.people["v1_member"], [world.v1], "fail")
    with pytest.raises(RuntimeError, match="boom"), transaction.atomic(), counted_at_once():
        insert_many(clones)
        raise RuntimeError("boom")
    assert rollup_table() == before
    assert _insert_trigger_present()


@pytest.mark.django_db(transaction=True)
def test_an_insert_at_once_outside_a_transaction_is_refused():
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL pauses nothing: its insert trigger counts each statement at once")
    with pytest.raises(RuntimeError, match="transaction"), counted_at_once():
        pass
    assert _insert_trigger_present()


def _insert_trigger_present() -> bool:
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'stats_person_ins'")
        else:
            cur.execute("SELECT COUNT(*) FROM pg_trigger WHERE tgname = 'stats_person_ins'")
        return cur.fetchone()[0] == 1


def test_a_rolled_back_write_leaves_the_rollup_as_it_was(world):
    before = rollup_table()
    with pytest.raises(RuntimeError), transaction.atomic():
        Person.objects.filter(pk=world.people["v1_member"].pk).update(party_status="none", education="college")
        assert rollup_table() != before
        raise RuntimeError("abort")
    assert rollup_table() == before


def test_rebuild_recomputes_a_damaged_rollup(world):
    with connection.cursor() as cur:
        cur.execute("UPDATE stats_rollup SET n = n + 7")
        cur.execute("DELETE FROM stats_rollup WHERE dim = 'gender'")
        cur.execute("DELETE FROM stats_rollupdelta WHERE dim = 'gender'")
        cur.execute("INSERT INTO stats_rollupdelta (org_path, party_status, dim, val, n) "
                    "VALUES ('0001', 'full_member', 'all', '', 3)")
    assert rollup_table() != fresh_table()
    rollup_rebuild()
    assert rollup_table() == fresh_table()


def test_compacting_folds_the_increments_in_and_changes_no_figure(world):
    from dangjian.stats.models import RollupDelta
    from dangjian.stats.rollup import rollup_compact

    Person.objects.filter(pk=world.people["v1_member"].pk).update(party_status="probationary", education="college")
    before = rollup_table()
    rollup_compact()
    assert not RollupDelta.objects.exists()
    assert rollup_table() == before == fresh_table()


def test_people_deleted_after_the_rollup_was_emptied_leave_no_negative_rows(world):
    # SQLite's flush deletes row by row, in any table order (PostgreSQL's truncates: no row trigger fires). The
    # delete trigger only subtracts from existing rows, so emptying the roll-up first leaves nothing negative.
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's flush truncates every table at once: no trigger fires")
    with connection.cursor() as cur:
        cur.execute("DELETE FROM stats_rollup")
    Person.objects.filter(dossier__isnull=True).delete()
    assert all(n > 0 for n in rollup_table().values()) or rollup_table() == {}
    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM stats_rollup WHERE n < 0")
        assert cur.fetchone()[0] == 0


def test_the_demo_leaves_the_rollup_exact_members_with_admission_dates_and_this_years_quotas(db):
    from dangjian.core import clock
    from dangjian.demo.generate import generate
    from dangjian.stats.models import Quota

    generate(seed=3, scale="small")
    assert rollup_table() == fresh_table()
    assert not Person.objects.filter(party_status="full_member", joined_on__isnull=True).exists()
    probationary = Person.objects.filter(party_status="probationary")
    # Admitted through their dossiers: the S15 meeting date, set when the recheck derived S17's approval.
    assert probationary.exists() and not probationary.filter(joined_on__isnull=True).exists()
    assert not Person.objects.exclude(party_status__in=["probationary", "full_member"]).filter(
        joined_on__isnull=False).exists()
    assert Quota.objects.filter(year=clock.today().year, organization__kind="township").count() == 15
