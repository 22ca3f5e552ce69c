"""`dossier_recheck` gives what evaluating each dossier on its own gives, and writes only what changed."""

from __future__ import annotations

import datetime as dt

from dangjian.core import clock
from dangjian.core.audit import Actor
from dangjian.core.models import AuditEntry
from dangjian.development import engine
from dangjian.development.models import CountyConfig, Dossier, Finding
from dangjian.development.services import (
    StepInput,
    _derived,
    _finding_values,
    _person_status_of,
    dossier_open,
    dossier_recheck,
    dossier_record_step,
)
from dangjian.orgs.models import Organization
from dangjian.people.models import Person


def _record(world, dossier, step, date, data=None, persona="village_secretary", mode="live"):
    dossier_record_step(actor=Actor(user=world.users[persona]), dossier_id=dossier.pk,
                        inp=StepInput(step=step, date=dt.date.fromisoformat(date), data=data or {}, mode=mode))


def _dossiers(world):
    """Two people in the pipeline: an activist (V1) and an applicant whose talk comes late (W1)."""
    with clock.frozen(dt.date(2025, 1, 20)):
        a = dossier_open(actor=Actor(user=world.users["village_secretary"]), person_id=world.people["v1_applicant"].pk)
        _record(world, a, "S01", "2024-06-01", mode="past")
        _record(world, a, "S02", "2024-06-10", {"talker": "王", "talker_role": "secretary"}, mode="past")
        _record(world, a, "S03", "2024-09-05", {"decided_by": "branch_committee", "nomination": ["party_member"]},
                mode="past")
        b = dossier_open(actor=Actor(user=world.users["other_town_organizer"]),
                         person_id=world.people["w1_activist"].pk)
        _record(world, b, "S01", "2025-01-10", persona="other_town_organizer")
    return a, b


def _expected(dossier: Dossier, today: dt.date):
    """The derived fields, findings and person status of one dossier, evaluated on its own (engine.evaluate)."""
    records = list(dossier.records.all())
    config, _late = engine.config_for(dossier.org_path)
    result = engine.evaluate(dossier, records, as_of=today, config=config)
    derived = _derived(records, result)
    return derived, [tuple(f.values()) for f in _finding_values(result)], _person_status_of(derived[0], records)


def _stored(dossier: Dossier):
    dossier.refresh_from_db()
    person = Person.objects.get(pk=dossier.person_id)
    findings = list(Finding.objects.filter(dossier=dossier).order_by("id")
                    .values_list("code", "severity", "step", "message", "source", "provisional"))
    derived = tuple(getattr(dossier, name) for name in
                    ("status", "next_step", "computed", "due", "rule_version", "errors", "warnings"))
    return derived, findings, (person.party_status, person.status_date)


def test_a_recheck_stores_what_the_engine_gives_for_each_dossier_alone(world):
    a, b = _dossiers(world)
    CountyConfig.objects.create(county=world.county, config={"application_min_months": 6, "tiers": True})
    today = dt.date(2025, 9, 1)
    with clock.frozen(today):
        assert dossier_recheck(actor=Actor()) == 2
    for dossier in (a, b):
        assert _stored(dossier) == _expected(dossier, today)
    codes = set(Finding.objects.filter(dossier=b).values_list("code", flat=True))
    assert "N-TALK-1M" in codes  # the talk is overdue by then
    assert AuditEntry.objects.filter(action="dossier.recheck").count() == 1


def test_a_recheck_with_nothing_changed_rewrites_nothing_but_is_audited(world):
    a, b = _dossiers(world)
    today = dt.date(2025, 9, 1)
    with clock.frozen(today):
        dossier_recheck(actor=Actor())
        finding_ids = set(Finding.objects.values_list("id", flat=True))
        versions = dict(Person.objects.values_list("id", "version"))
        dossier_recheck(actor=Actor())
    assert finding_ids and set(Finding.objects.values_list("id", flat=True)) == finding_ids
    assert dict(Person.objects.values_list("id", "version")) == versions
    assert AuditEntry.objects.filter(action="dossier.recheck").count() == 2
    for dossier in (a, b):
        assert _stored(dossier) == _expected(dossier, today)


def test_a_recheck_of_a_subtree_leaves_the_rest_alone(world):
    a, b = _dossiers(world)
    with clock.frozen(dt.date(2025, 9, 1)):
        assert dossier_recheck(actor=Actor(), org_path=world.t2.path) == 1
    assert not Finding.objects.filter(dossier=a, code="N-TALK-1M").exists()
    assert Finding.objects.filter(dossier=b, code="N-TALK-1M").exists()


def test_county_configs_read_at_once_equal_config_for_each_organization(world):
    CountyConfig.objects.create(county=world.county, config={"tiers": True}, late_entry_days=45)
    configs = engine.CountyConfigs()
    for org in Organization.objects.all():
        assert configs.for_path(org.path) == engine.config_for(org.path)
    assert configs.for_path("9999") == engine.config_for("9999") == ({}, 30)
