"""入党时间 (Person.joined_on) is written where people are admitted: the S17 approval of a dossier makes the
S15 meeting date the person's admission date (recorded live or re-derived by a recheck); the member roster's
入党时间 is copied to the person; the demo gives every member one."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from dangjian.core import clock
from dangjian.core.audit import Actor
from dangjian.development.models import Dossier, StepRecord
from dangjian.development.services import StepInput, dossier_open, dossier_recheck, dossier_record_step
from dangjian.ledgers.services import ledger_import
from dangjian.people.models import Person
from tests.conftest import make_id
from tests.ledgers.files import write_xlsx
from tests.ledgers.test_services import members_rows

M = dt.date(2024, 3, 1)
STEPS = [("S01", "2021-01-05"), ("S02", "2021-01-20"), ("S03", "2021-06-01"), ("S04", "2021-06-10"),
         ("S05", "2021-06-12"), ("S07", "2022-07-01"), ("S08", "2022-07-05"), ("S09", "2022-07-06"),
         ("S10", "2022-09-01"), ("S11", "2022-10-01"), ("S12", "2024-01-10"), ("S13", "2024-01-20"),
         ("S14", "2024-02-01"), ("S15", M.isoformat()), ("S16", "2024-03-10")]


def _dossier(world) -> Dossier:
    admin = Actor(user=world.users["county_admin"])
    d = dossier_open(actor=admin, person_id=world.people["v1_applicant"].pk)
    for step, date in STEPS:
        StepRecord.objects.create(dossier=d, step=step, date=dt.date.fromisoformat(date), data={},
                                  entered_at=timezone.now(), mode="past")
    return d


def test_the_s17_approval_sets_the_admission_date_to_the_branch_meeting(world):
    d = _dossier(world)
    with clock.frozen(dt.date(2024, 4, 20)):
        dossier_recheck(actor=Actor())
        assert Person.objects.get(pk=d.person_id).joined_on is None  # S15 alone does not admit
        dossier_record_step(actor=Actor(user=world.users["county_admin"]), dossier_id=d.pk,
                            inp=StepInput(step="S17", date=dt.date(2024, 4, 15), mode="live",
                                          data={"body_type": "township_committee", "mode": "collective_meeting"},
                                          override_reason="测试"))
    p = Person.objects.get(pk=d.person_id)
    assert p.party_status == "probationary"
    assert p.joined_on == M


def test_a_recheck_derives_the_admission_date_too(world):
    d = _dossier(world)
    StepRecord.objects.create(dossier=d, step="S17", date=dt.date(2024, 4, 15), data={}, entered_at=timezone.now(),
                              mode="past")
    with clock.frozen(dt.date(2024, 4, 20)):
        dossier_recheck(actor=Actor())
    p = Person.objects.get(pk=d.person_id)
    assert (p.party_status, p.joined_on) == ("probationary", M)


def test_the_member_rosters_joining_date_is_the_persons(world, tmp_path, settings):
    settings.LEDGER_DIR = tmp_path / "ledgers"
    ids = [make_id(dt.date(1970, 1, 1 + i)) for i in range(2)]
    with clock.frozen(dt.date(2025, 6, 30)):
        s = ledger_import(actor=Actor(user=world.users["town_organizer"]),
                          path=write_xlsx(tmp_path / "m.xlsx", members_rows(ids)), commit=True)
    assert s.committed, s.errors
    joined = set(Person.objects.filter(name__startswith="党员").values_list("joined_on", flat=True))
    assert joined == {dt.date(2010, 7, 1)}
