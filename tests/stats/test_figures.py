"""Every structure figure against an independent count over the person registry (generated data with people
on the age boundaries 35/36, 45/46, 55/56, 60/61 of each report date — 29 February births included — and
admissions on the period's first and last day and just outside it), for a subtree summed from the roll-up
(county, township) and one counted fresh (a party group below the roll-up unit)."""

from __future__ import annotations

import calendar
import datetime as dt
import random

import pytest
from django.db import transaction
from django.utils import timezone

from dangjian.core import clock
from dangjian.core.audit import Actor
from dangjian.core.bulk import insert_many
from dangjian.development.models import Dossier, StepRecord
from dangjian.orgs.models import Organization, OrgKind, PlaceType
from dangjian.orgs.services import org_create
from dangjian.people.models import Person
from dangjian.stats.figures import FIGURES, StatsContext, compute_figures, figure
from dangjian.stats.models import ROLLUP_PATH_LEN
from dangjian.stats.selectors import children

TODAY = dt.date(2026, 11, 20)
START, END = dt.date(2025, 1, 1), dt.date(2025, 6, 30)
AS_OF_DATES = [dt.date(2026, 6, 30), dt.date(2025, 2, 28), dt.date(2024, 2, 29), dt.date(2026, 1, 1),
               dt.date(2025, 12, 31)]
HS = {"senior", "college", "bachelor", "postgraduate"}
MEMBER = {"probationary", "full_member"}


def _age(birth: dt.date, day: dt.date) -> int:
    """Independent of stats.ages: compare (month, day), a 29 February birthday falling on 28 February."""
    month, dd = birth.month, birth.day
    if (month, dd) == (2, 29) and not calendar.isleap(day.year):
        dd = 28
    return day.year - birth.year - ((day.month, day.day) < (month, dd))


def _band(age: int) -> str:
    for hi, label in ((35, "35岁及以下"), (45, "36至45岁"), (55, "46至55岁"), (60, "56至60岁")):
        if age <= hi:
            return label
    return "61岁及以上"


def _births(rng: random.Random) -> list[dt.date]:
    out = []
    for d in AS_OF_DATES + [START, END]:
        for years in (36, 46, 56, 61):
            y = d.year - years
            base = dt.date(y, d.month, min(d.day, 28))
            out += [base + dt.timedelta(days=k) for k in (-1, 0, 1)]
            out.append(dt.date(y, d.month, d.day) if not (d.month == 2 and d.day == 29 and not calendar.isleap(y))
                       else dt.date(y, 3, 1))
    out += [dt.date(1988, 2, 29), dt.date(1990, 2, 28), dt.date(1989, 3, 1), dt.date(1976, 2, 29),
            dt.date(1964, 2, 29), dt.date(1965, 2, 28)]
    out += [dt.date(1940 + rng.randrange(70), 1 + rng.randrange(12), 1 + rng.randrange(28)) for _ in range(60)]
    return out


def extend(world) -> Organization:
    sys_actor = Actor()
    group = org_create(actor=sys_actor, code="T101G1", name="东村第一党小组", kind=OrgKind.GROUP, parent=world.v1,
                       place_type=PlaceType.VILLAGE, check_scope=False)
    rng = random.Random(5)
    orgs = [world.v1, world.v2, world.w1, group]
    joined_choices = [None, START, END, START - dt.timedelta(days=1), END + dt.timedelta(days=1),
                      dt.date(2024, 2, 29), dt.date(2025, 12, 31), dt.date(2026, 1, 1), dt.date(2010, 5, 5)]
    people = []
    for i, birth in enumerate(_births(rng)):
        for status in ("full_member", "probationary", "applicant", "activist", "candidate", "none"):
            if rng.random() < 0.45:
                continue
            org = rng.choice(orgs)
            joined = rng.choice(joined_choices) if status in MEMBER else None
            # A full member's status date is his conversion (转正): within two years of the admission meeting.
            since = (min(joined + dt.timedelta(days=rng.choice([365, 366, 500, 700])), TODAY)
                     if status == "full_member" and joined else joined or dt.date(2020, 1, 1))
            people.append(Person(
                name=f"测{i}", gender=rng.choice(["male", "female"]), ethnicity=rng.choice(["汉族", "汉族", "苗族", ""]),
                birth_date=birth, id_number_enc="x", id_number_hash=f"fig-{i}-{status}",
                id_number_masked="522730********0000", education=rng.choice(["", "primary", "junior", "senior",
                                                                              "college", "bachelor", "postgraduate"]),
                household_type=rng.choice(["agricultural", "non_agricultural", ""]), organization=org,
                org_path=org.path, party_status=status, status_date=since, joined_on=joined))
    with transaction.atomic():
        insert_many(people)
        _dossiers(rng)
    return group


def _dossiers(rng: random.Random) -> None:
    """Most admitted members get a dossier with the steps that start the stages (S01 application, S03 activist,
    S07 candidate) before their admission meeting — one day before it, and on report dates, among them; a few
    only part of them. The rest have none (members imported from a roster)."""
    now = timezone.now()
    members = [p for p in Person.objects.filter(id_number_hash__startswith="fig-", joined_on__isnull=False)
               if rng.random() < 0.75]
    dossiers = Dossier.objects.bulk_create([Dossier(person=p, organization_id=p.organization_id, org_path=p.org_path,
                                                    status=p.party_status) for p in members])
    records = []
    for d, p in zip(dossiers, members, strict=True):
        s07 = p.joined_on - dt.timedelta(days=rng.choice([1, 100, 370]))
        s03 = s07 - dt.timedelta(days=rng.choice([1, 200]))
        s01 = s03 - dt.timedelta(days=rng.choice([30, 400]))
        steps = [("S01", s01), ("S03", s03), ("S07", s07)][:rng.choice([1, 2, 3, 3, 3])]
        records += [StepRecord(dossier=d, step=step, date=date, data={}, entered_at=now, mode="past")
                    for step, date in steps]
    StepRecord.objects.bulk_create(records)


def stage_on(p: Person, day: dt.date, steps: dict[int, dict[str, dt.date]]) -> str | None:
    """Independent of StatsContext.moves: a person's status on `day` (None: in no stage yet). A member admitted
    after it is at the stage of his latest S07/S03/S01 on or before it; a full member converted after it was
    probationary; anyone else (no 入党时间, or not a member) at his current status."""
    if p.party_status in MEMBER and p.joined_on is not None:
        if p.joined_on <= day:
            return "probationary" if p.party_status == "probationary" or p.status_date > day else "full_member"
        mine = steps.get(p.pk, {})
        for step, stage in (("S07", "candidate"), ("S03", "activist"), ("S01", "applicant")):
            if step in mine and mine[step] <= day:
                return stage
        return None
    return p.party_status


def step_dates() -> dict[int, dict[str, dt.date]]:
    out: dict[int, dict[str, dt.date]] = {}
    for pid, step, date in StepRecord.objects.values_list("dossier__person_id", "step", "date"):
        out.setdefault(pid, {})[step] = date
    return out


@pytest.fixture
def data(world):
    group = extend(world)
    with clock.frozen(TODAY):
        yield world, group


def _expected_group(rows: list[Person], age_on) -> dict:
    total = len(rows)
    ages = {}
    for p in rows:
        label = _band(_age(p.birth_date, age_on(p)))
        ages[label] = ages.get(label, 0) + 1
    edu = {}
    for p in rows:
        edu[p.education] = edu.get(p.education, 0) + 1
    return {"total": total, "rural": sum(p.household_type == "agricultural" for p in rows),
            "young": sum(_age(p.birth_date, age_on(p)) <= 35 for p in rows),
            "hs": sum(p.education in HS for p in rows), "women": sum(p.gender == "female" for p in rows),
            "minority": sum(p.ethnicity not in ("汉族", "") for p in rows), "ages": ages, "edu": edu}


def _check(got: dict, want: dict) -> None:
    for k in ("total", "rural", "young", "hs", "women", "minority"):
        assert got[k] == want[k], k
        if k == "total":
            continue
        assert got[f"{k}_pct"] == (round(100 * want[k] / want["total"], 2) if want["total"] else 0.0)
    assert {label: n for label, n in got["ages"] if n} == want["ages"]
    labels = {"": "未填写", "primary": "小学及以下", "junior": "初中", "senior": "高中/中专/中技", "college": "大学专科",
              "bachelor": "大学本科", "postgraduate": "研究生"}
    assert {label: n for label, n in got["edu"] if n} == {labels[k]: n for k, n in want["edu"].items()}


@pytest.mark.parametrize("as_of", AS_OF_DATES)
@pytest.mark.parametrize("root", ["county", "t1", "group"])
def test_every_figure_equals_an_independent_count_of_the_registry(data, as_of, root):
    world, group = data
    org = group if root == "group" else getattr(world, root)
    assert (len(org.path) > ROLLUP_PATH_LEN) == (root == "group")  # both paths of category_counts are exercised
    f = compute_figures(StatsContext(org=org, as_of=as_of, start=START, end=END))
    everyone = [p for p in Person.objects.all() if p.org_path.startswith(org.path)]
    # Status on the report date: members admitted after it were at an earlier stage (or none), full members
    # converted after it were probationary.
    steps = step_dates()
    then = {p.pk: stage_on(p, as_of, steps) for p in everyone}
    members = [p for p in everyone if then[p.pk] in MEMBER]
    assert len(members) > 5
    _check(f["members"], _expected_group(members, lambda p: as_of))
    assert f["members"]["probationary"] == sum(then[p.pk] == "probationary" for p in members)
    admitted = [p for p in everyone if p.joined_on is not None and START <= p.joined_on <= END]
    assert any(p.joined_on == START for p in admitted) and any(p.joined_on == END for p in admitted)
    _check(f["admissions"], _expected_group(admitted, lambda p: p.joined_on))
    for stage in f["pipeline"]:
        rows = [p for p in everyone if then[p.pk] == stage["status"]]
        _check(stage, _expected_group(rows, lambda p: as_of))
    by_year = {y: sum(1 for p in members if p.joined_on and p.joined_on.year == y) for y, _n in f["admissions_by_year"]}
    assert dict(f["admissions_by_year"]) == by_year


def test_a_past_report_date_moves_people_to_the_status_they_had_then(data):
    """The cases above are all present in the generated data (else the comparison proves little)."""
    world, _group = data
    steps = step_dates()
    everyone = list(Person.objects.all())
    as_of = dt.date(2025, 12, 31)
    moved = {(p.party_status, stage_on(p, as_of, steps)) for p in everyone if stage_on(p, as_of, steps) != p.party_status}
    assert {("full_member", "probationary"), ("probationary", "candidate"), ("full_member", "candidate"),
            ("probationary", "activist"), ("probationary", None)} <= moved
    # S07 one day before a 2026-01-01 admission meeting: a candidate on 2025-12-31, the S07 day itself.
    assert any(p.joined_on == dt.date(2026, 1, 1) and steps.get(p.pk, {}).get("S07") == as_of for p in everyone)


@pytest.mark.parametrize("as_of", AS_OF_DATES + [TODAY])
@pytest.mark.parametrize("root", ["county", "t1", "v1"])
def test_the_children_for_drill_down_count_as_at_the_report_date(data, as_of, root):
    world, _group = data
    org = getattr(world, root)
    rows = children(user=world.users["county_admin"], org=org, as_of=as_of, start=START, end=END)
    assert rows
    steps = step_dates()
    everyone = list(Person.objects.all())
    for row in rows:
        mine = [p for p in everyone if p.org_path.startswith(row.org.path)]
        then = [stage_on(p, as_of, steps) for p in mine]
        assert row.members == sum(s in MEMBER for s in then), row.org.code
        assert row.pipeline == sum(s in ("applicant", "activist", "candidate", "probationary") for s in then)
        assert row.admissions == sum(1 for p in mine if p.joined_on and START <= p.joined_on <= END)
    # The same numbers as the structure figures of each child (one definition).
    for row in rows:
        f = compute_figures(StatsContext(org=row.org, as_of=as_of, start=START, end=END), ("members", "pipeline"))
        assert row.members == f["members"]["total"]
        assert row.pipeline == sum(s["total"] for s in f["pipeline"])


def test_the_organizations_are_counted_by_kind_below_the_root(data):
    world, group = data
    f = compute_figures(StatsContext(org=world.county, as_of=TODAY, start=START, end=END), ("orgs",))["orgs"]
    assert (f["committees"], f["general_branches"], f["branches"]) == (2, 0, 3)
    assert dict(f["branch_places"]) == {"行政村": 3}
    f = compute_figures(StatsContext(org=world.t1, as_of=TODAY, start=START, end=END), ("orgs",))["orgs"]
    assert (f["committees"], f["branches"]) == (0, 2)


def test_a_later_module_adds_a_figure_by_registering_a_provider(data):
    world, _group = data
    try:
        @figure("test_talent", "人才", order=999)
        def _talent(ctx):
            return {"members_seen": ctx.counts.get(("full_member", "all", ""), 0)}

        f = compute_figures(StatsContext(org=world.county, as_of=TODAY, start=START, end=END))
        assert list(f)[-1] == "test_talent"
        assert f["test_talent"]["members_seen"] == Person.objects.filter(party_status="full_member").count()
    finally:
        FIGURES.pop("test_talent", None)
