"""The county admin sets the county's rules; saving rechecks the county's dossiers at once."""

from __future__ import annotations

import datetime as dt

from dangjian.core import clock
from dangjian.core.audit import Actor
from dangjian.core.models import AuditEntry
from dangjian.development.models import CountyConfig, Finding, StepRecord
from dangjian.development.services import StepInput, dossier_open, dossier_record_step


def _activist(world):
    a = Actor(user=world.users["village_secretary"])
    d = dossier_open(actor=a, person_id=world.people["v1_applicant"].pk)
    for step, date, data in (("S01", "2024-06-01", {}),
                             ("S02", "2024-06-10", {"talker": "王", "talker_role": "secretary"}),
                             ("S03", "2024-09-05", {"decided_by": "branch_committee", "nomination": ["party_member"]})):
        dossier_record_step(actor=a, dossier_id=d.pk, inp=StepInput(step=step, date=dt.date.fromisoformat(date),
                                                                    data=data))
    return d


FORM = {"candidate_date": "committee", "joint_review_gate": "candidate", "late_entry_days": "30"}


def test_switching_on_a_local_rule_rechecks_the_county(world):
    with clock.frozen(dt.date(2024, 9, 20)):
        d = _activist(world)
        assert not Finding.objects.filter(dossier=d, code="L-APPLY-6M").exists()
        r = world.client("county_admin").post("/dossiers/config/", {**FORM, "application_min_months": "6"})
    assert r.status_code == 302
    assert CountyConfig.objects.get(county=world.county).config["application_min_months"] == 6
    assert Finding.objects.filter(dossier=d, code="L-APPLY-6M").exists()
    assert AuditEntry.objects.filter(action="config.update", object_id=world.county.code).exists()


def test_only_the_county_admin_may_change_the_rules(world):
    for persona in ("town_organizer", "village_secretary", "readonly"):
        r = world.client(persona).post("/dossiers/config/", {**FORM, "tiers": "on"})
        assert r.status_code == 403
    assert not CountyConfig.objects.exists()


def test_bad_settings_are_refused_in_chinese(world):
    r = world.client("county_admin").post("/dossiers/config/", {**FORM, "min_cultivation_years": "-2"})
    assert r.status_code == 400
    assert "最短培养年限" in r.content.decode()
    assert not CountyConfig.objects.exists()


def test_a_step_entered_long_after_its_date_is_counted_as_late(world):
    with clock.frozen(dt.date(2025, 6, 30)):
        d = dossier_open(actor=Actor(user=world.users["village_secretary"]), person_id=world.people["v1_applicant"].pk)
        dossier_record_step(actor=Actor(user=world.users["village_secretary"]), dossier_id=d.pk,
                            inp=StepInput(step="S01", date=dt.date(2025, 1, 10), data={}, mode="past"))
        r = world.client("town_organizer").get(f"/dossiers/{d.pk}/")
        f = world.client("town_organizer").get("/dossiers/findings/")
    assert StepRecord.objects.get(dossier=d, step="S01").late_days > 30
    assert "补录" in r.content.decode()
    assert "东村党支部" in f.content.decode()
