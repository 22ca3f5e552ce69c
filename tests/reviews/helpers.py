"""Builders for the reviews tests: dossiers at a stage (recorded as 补录 so dates can be set freely), a county
with 联审 departments, a negative list and a department reviewer."""

from __future__ import annotations

import datetime as dt

from dangjian.core.audit import Actor
from dangjian.development.models import CountyConfig, Dossier
from dangjian.development.services import StepInput, dossier_open, dossier_record_step
from dangjian.orgs.models import Role
from dangjian.orgs.services import user_create
from dangjian.reviews import services as svc
from dangjian.reviews.models import Department, NegativeItem
from tests.conftest import PASSWORD, World

TODAY = dt.date(2025, 6, 30)
D = dt.date.fromisoformat

ACTIVIST_STEPS = [
    ("S01", "2023-01-10", {}),
    ("S02", "2023-01-20", {"talker": "王书记", "talker_role": "secretary"}),
    ("S03", "2023-06-01", {"decided_by": "branch_committee", "nomination": ["party_member", "mass_org"]}),
    ("S04", "2023-06-05", {}),
    ("S05", "2023-06-05", {"mentor1_name": "甲", "mentor1_status": "full", "mentor2_name": "乙",
                           "mentor2_status": "full"}),
    ("S06", "2023-12-01", {"rating": "good"}),
    ("S06", "2024-05-30", {"rating": "good"}),
]
CANDIDATE_STEPS = [("S07", "2024-07-01", {"opinions_heard": "2024-06-28"}), ("S08", "2024-07-05", {})]
PRE_REVIEW_STEPS = [
    ("S09", "2024-07-08", {"introducer1_name": "甲", "introducer1_status": "full", "introducer1_discipline": "none", "introducer2_name": "乙",
                           "introducer2_status": "full", "introducer2_discipline": "none"}),
    ("S10", "2024-08-01", {"result": "pass"}),
    ("S11", "2024-08-10", {"start": "2024-08-08", "days": 3, "hours": 24, "organizer": "county_org_dept"}),
    ("S12", "2024-08-20", {}),
    ("S13", "2024-08-28", {"result": "pass", "written_notice": True}),
]


def admin(world: World) -> Actor:
    return Actor(user=world.users["county_admin"])


def record(world: World, dossier: Dossier, steps) -> None:
    for step, date, data in steps:
        dossier_record_step(actor=admin(world), dossier_id=dossier.pk,
                            inp=StepInput(step=step, date=D(date), data=data, mode="past"))


def dossier_at(world: World, key: str, stage: str) -> Dossier:
    """The person `key` as an activist, candidate or pre-reviewed candidate (S13 passed)."""
    d = dossier_open(actor=admin(world), person_id=world.people[key].pk)
    record(world, d, ACTIVIST_STEPS)
    if stage in ("candidate", "pre_reviewed"):
        record(world, d, CANDIDATE_STEPS)
    if stage == "pre_reviewed":
        record(world, d, PRE_REVIEW_STEPS)
    return Dossier.objects.get(pk=d.pk)


def set_config(world: World, **config) -> None:
    CountyConfig.objects.update_or_create(county=world.county, defaults={"config": config})


def joint_review_setup(world: World) -> dict:
    """公安 and 法院 with two items each (one per stage), and a reviewer for each."""
    a = admin(world)
    police = svc.department_save(actor=a, name="公安")
    court = svc.department_save(actor=a, name="法院")
    items = {}
    for code, dept, stage, effect in (("NL01", police, "activist", "block"), ("NL02", police, "candidate", "refer"),
                                      ("NL03", court, "activist", "block"), ("NL04", court, "candidate", "block")):
        items[code] = svc.negative_item_save(actor=a, data=svc.ItemData(
            code=code, text=f"条目{code}", category="违法犯罪", stage=stage, department_id=dept.pk, effect=effect))
    reviewers = {}
    for username, dept in (("police_reviewer", police), ("court_reviewer", court)):
        reviewers[username] = svc.reviewer_create(actor=a, department_id=dept.pk, username=username,
                                                  full_name="审查人", password=PASSWORD)
        reviewers[username].must_change_password = False
        reviewers[username].save()
        world.users[username] = reviewers[username]
    return {"police": police, "court": court, "items": items}


def reply_of(batch, dossier, department: Department):
    from dangjian.reviews.models import DepartmentReply

    return DepartmentReply.objects.get(subject__batch=batch, subject__dossier=dossier, department=department)


def item(code: str) -> NegativeItem:
    return NegativeItem.objects.get(code=code)


def outsider_reviewer(world: World):
    """A dept_reviewer account with no department link: sees nothing."""
    return user_create(actor=Actor(), username="lost_reviewer", password=PASSWORD, organization=None,
                       role=Role.DEPT_REVIEWER, must_change_password=False)
