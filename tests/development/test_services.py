"""Recording steps: live refuses a new violation and says why, 补录 saves and flags, bad input writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from dangjian.core import clock
from dangjian.core.audit import Actor
from dangjian.core.errors import NotAllowed, OutOfScope
from dangjian.core.models import AuditEntry
from dangjian.development.models import Dossier, Finding, StepRecord
from dangjian.development.services import (
    RuleViolation,
    StepInput,
    dossier_open,
    dossier_recheck,
    dossier_record_step,
)
from dangjian.people.models import Person

TODAY = dt.date(2025, 6, 30)


@pytest.fixture
def frozen():
    with clock.frozen(TODAY):
        yield


def actor(world, persona):
    return Actor(user=world.users[persona])


def record(world, persona, dossier, step, date, data=None, **kw):
    return dossier_record_step(actor=actor(world, persona), dossier_id=dossier.pk,
                               inp=StepInput(step=step, date=date, data=data or {}, **kw))


def activist_dossier(world, a_date=dt.date(2024, 9, 5)):
    """The v1 applicant as an activist since `a_date`, with talk, filing, mentors and assessments."""
    d = dossier_open(actor=actor(world, "village_secretary"), person_id=world.people["v1_applicant"].pk)
    s01 = a_date - dt.timedelta(days=180)
    record(world, "village_secretary", d, "S01", s01)
    record(world, "village_secretary", d, "S02", s01 + dt.timedelta(days=10), {"talker": "王书记", "talker_role": "secretary"})
    record(world, "village_secretary", d, "S03", a_date, {"decided_by": "branch_committee", "nomination": ["party_member"]})
    record(world, "town_organizer", d, "S04", a_date + dt.timedelta(days=3))
    record(world, "village_secretary", d, "S05", a_date + dt.timedelta(days=3),
           {"mentor1_name": "甲", "mentor1_status": "full", "mentor2_name": "乙", "mentor2_status": "full"})
    record(world, "village_secretary", d, "S06", a_date + dt.timedelta(days=170), {"rating": "good"})
    return d


def test_recording_steps_moves_the_person_through_the_stages(world, frozen):
    d = activist_dossier(world)
    d.refresh_from_db()
    person = Person.objects.get(pk=world.people["v1_applicant"].pk)
    assert d.status == "activist"
    assert (person.party_status, person.status_date) == ("activist", dt.date(2024, 9, 5))
    assert d.computed["earliest_candidate_date"] == "2025-09-05"
    assert Finding.objects.filter(dossier=d).count() == 0


def test_making_a_candidate_too_early_is_refused_with_the_earliest_date(world, frozen):
    d = activist_dossier(world)
    before = StepRecord.objects.count()
    with pytest.raises(RuleViolation) as exc:
        record(world, "village_secretary", d, "S07", dt.date(2025, 6, 20), {"opinions_heard": "2025-06-18"})
    assert any(f["code"] == "N-ACT-1Y" and "2025-09-05" in f["message"] for f in exc.value.findings)
    assert StepRecord.objects.count() == before
    assert Dossier.objects.get(pk=d.pk).status == "activist"


def test_a_past_record_is_saved_and_its_fault_flagged(world, frozen):
    d = activist_dossier(world)
    record(world, "village_secretary", d, "S07", dt.date(2025, 5, 20), {"opinions_heard": "2025-05-18"}, mode="past")
    d.refresh_from_db()
    assert d.status == "candidate"
    assert Finding.objects.filter(dossier=d, code="N-ACT-1Y", severity="E").exists()
    assert d.errors >= 1


def test_a_county_admin_may_override_with_a_written_reason_that_is_kept(world, frozen):
    d = activist_dossier(world)
    with pytest.raises(NotAllowed):
        record(world, "town_organizer", d, "S07", dt.date(2025, 6, 20), {"opinions_heard": "2025-06-18"},
               override_reason="乡镇想放行")
    rec = record(world, "county_admin", d, "S07", dt.date(2025, 6, 20), {"opinions_heard": "2025-06-18"},
                 override_reason="经县委组织部研究同意")
    assert rec.override_reason == "经县委组织部研究同意"
    assert rec.override_by == world.users["county_admin"]
    assert Finding.objects.filter(dossier=d, code="N-ACT-1Y").exists()  # still shown, never hidden


@pytest.mark.parametrize(("step", "date", "data", "field"), [
    ("S01", dt.date(2025, 7, 1), {}, "date"),  # in the future
    ("S02", dt.date(2025, 3, 1), {"talker_role": "secretary"}, "talker"),  # missing field
    ("S02", dt.date(2025, 3, 1), {"talker": "王", "talker_role": "boss"}, "talker_role"),
    ("S15", dt.date(2025, 3, 1), {"full_members": 10, "present_full": 11, "yes_full": 5, "ballot": "secret"},
     "present_full"),  # present > entitled
    ("S15", dt.date(2025, 3, 1), {"full_members": 10, "present_full": 8, "yes_full": 9, "ballot": "secret"},
     "yes_full"),
    ("S15", dt.date(2025, 3, 1), {"full_members": -1, "present_full": 0, "yes_full": 0, "ballot": "secret"},
     "full_members"),
    ("S11", dt.date(2025, 3, 1), {"start": "2025-02-30", "organizer": "other"}, "start"),  # not a date
])
def test_bad_input_names_the_field_in_chinese_and_writes_nothing(world, frozen, step, date, data, field):
    d = dossier_open(actor=actor(world, "village_secretary"), person_id=world.people["v1_applicant"].pk)
    counts = (StepRecord.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationError) as exc:
        record(world, "village_secretary", d, step, date, data)
    assert field in exc.value.message_dict
    assert any("：" in m for m in exc.value.message_dict[field])
    assert (StepRecord.objects.count(), AuditEntry.objects.count()) == counts


def test_an_outsider_cannot_open_or_record_on_another_townships_dossier(world, frozen):
    d = dossier_open(actor=actor(world, "village_secretary"), person_id=world.people["v1_applicant"].pk)
    with pytest.raises(OutOfScope):
        record(world, "other_town_organizer", d, "S01", dt.date(2025, 3, 1))
    with pytest.raises(OutOfScope):
        dossier_open(actor=actor(world, "other_town_organizer"), person_id=world.people["v1_applicant"].pk)
    assert StepRecord.objects.count() == 0


def test_a_read_only_user_cannot_record(world, frozen):
    d = dossier_open(actor=actor(world, "village_secretary"), person_id=world.people["v1_applicant"].pk)
    with pytest.raises(NotAllowed):
        record(world, "readonly", d, "S01", dt.date(2025, 3, 1))


def test_the_talk_deadline_falls_due_and_then_is_overdue(world):
    with clock.frozen(dt.date(2025, 3, 10)):
        d = dossier_open(actor=actor(world, "village_secretary"), person_id=world.people["v1_applicant"].pk)
        record(world, "village_secretary", d, "S01", dt.date(2025, 3, 1))
    d.refresh_from_db()
    assert d.due == [{"kind": "talk", "step": "S02", "date": "2025-04-01", "label": "谈话（一个月内）"}]
    with clock.frozen(dt.date(2025, 4, 5)):
        dossier_recheck(actor=Actor())
    assert Finding.objects.filter(dossier=d, code="N-TALK-1M", severity="E").exists()


def test_every_recorded_step_is_audited_with_its_data(world, frozen):
    d = dossier_open(actor=actor(world, "village_secretary"), person_id=world.people["v1_applicant"].pk)
    record(world, "village_secretary", d, "S01", dt.date(2025, 3, 1))
    row = AuditEntry.objects.filter(action="dossier.record_step").latest("id")
    assert row.after["step"] == "S01" and row.after["date"] == "2025-03-01"
    assert row.username == "village_secretary"


def test_a_recent_step_cannot_be_entered_as_a_past_record_to_dodge_the_rules(world, frozen):
    d = activist_dossier(world)
    with pytest.raises(ValidationError) as exc:
        record(world, "village_secretary", d, "S07", dt.date(2025, 6, 20), {"opinions_heard": "2025-06-18"},
               mode="past")
    assert "补录只适用于 30 天以前" in exc.value.message_dict["mode"][0]
    assert not StepRecord.objects.filter(dossier=d, step="S07").exists()


@pytest.mark.parametrize("step", ["S04", "S08", "S13", "S16", "S17", "S18", "S24"])
def test_a_village_secretary_cannot_record_the_townships_steps(world, frozen, step):
    d = dossier_open(actor=actor(world, "village_secretary"), person_id=world.people["v1_applicant"].pk)
    with pytest.raises(NotAllowed):
        record(world, "village_secretary", d, step, dt.date(2025, 3, 1))
    assert not StepRecord.objects.filter(dossier=d).exists()


def test_a_step_recorded_without_a_responsible_person_names_the_recorder(world, frozen):
    # L-RESP: 谁培养谁负责、谁考察谁负责、谁审批谁负责 — no step is left without a responsible person.
    d = activist_dossier(world)
    secretary = world.users["village_secretary"]
    talk = StepRecord.objects.get(dossier=d, step="S02")
    assert talk.responsible_name == secretary.display_name
    assert talk.responsible_role == "村党支部书记"
    filing = StepRecord.objects.get(dossier=d, step="S04")
    assert (filing.responsible_name, filing.responsible_role) == (world.users["town_organizer"].display_name,
                                                                  "乡镇组织委员")


def test_a_named_responsible_person_is_kept_as_given(world, frozen):
    d = activist_dossier(world)
    record(world, "village_secretary", d, "S06", dt.date(2025, 6, 1), {"rating": "good"},
           responsible_name=" 李联系人 ", responsible_role="培养联系人")
    last = StepRecord.objects.filter(dossier=d, step="S06").order_by("-seq").first()
    assert (last.responsible_name, last.responsible_role) == ("李联系人", "培养联系人")
