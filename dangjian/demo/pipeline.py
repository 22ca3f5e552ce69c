"""Demo dossiers: every person in the pipeline gets the step records that brought him to his stage, dated
backwards from his status date, with realistic faults in a few percent (PROCEDURE rules they break are named)
and some records entered long after their date (补录). Findings then come from the engine (dossier_recheck)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.utils import timezone

from dangjian.development.models import Dossier, RecordMode, StepRecord
from dangjian.people.models import PartyStatus, Person
from dangjian.rules.dates import add_months

FAULTS = ("talk_late", "candidate_early", "no_quorum", "review_after_branch", "approval_late", "no_activist_filing",
          "probationary_mentor", "training_short", "no_assessment")
FAULT_RATE = 0.08
LATE_ENTRY_RATE = 0.03


@dataclass
class _Plan:
    records: list[tuple[str, int, dt.date, dict]] = field(default_factory=list)

    def add(self, step: str, date: dt.date, data: dict | None = None, seq: int = 1) -> None:
        self.records.append((step, seq, date, data or {}))


def _d(base: dt.date, lo: int, hi: int, rng: random.Random) -> dt.date:
    return base + dt.timedelta(days=rng.randint(lo, hi))


def _meeting(rng: random.Random, fault: str | None) -> dict:
    n = rng.randint(8, 40)
    present = n if n < 10 else rng.randint(n // 2 + 1, n)
    if fault == "no_quorum":
        present = n // 2
    return {"full_members": n, "exclusions": 0, "present_full": present, "present_probationary": rng.randint(0, 2),
            "yes_full": present, "yes_written": 0, "ballot": "secret", "individually_voted": True,
            "candidates_on_agenda": 1}


def plan_for(status: str, t: dt.date, today: dt.date, rng: random.Random, names: list[str]) -> tuple[_Plan, str | None]:
    """Step records that lead to `status` reached on `t`."""
    fault = rng.choice(FAULTS) if rng.random() < FAULT_RATE else None
    p = _Plan()
    secretary = rng.choice(names)
    mentors = rng.sample(names, 2)
    if status == PartyStatus.APPLICANT:
        s01 = t
    elif status == PartyStatus.ACTIVIST:
        a = t
    elif status == PartyStatus.CANDIDATE:
        d = t
        a = add_months(d, -(rng.randint(12, 18) if fault != "candidate_early" else 10))
    else:  # probationary: t is the approval date
        approval = t
        m = approval - dt.timedelta(days=rng.randint(20, 75) if fault != "approval_late" else rng.randint(100, 150))
        d = add_months(m, -rng.randint(3, 7))
        a = add_months(d, -(rng.randint(12, 16) if fault != "candidate_early" else 10))
    if status != PartyStatus.APPLICANT:
        s01 = add_months(a, -rng.randint(3, 10))
    p.add("S01", s01)
    talk = _d(s01, 5, 25, rng) if fault != "talk_late" else _d(s01, 40, 60, rng)
    if talk <= today:
        p.add("S02", talk, {"talker": secretary, "talker_role": "secretary"})
    if status == PartyStatus.APPLICANT:
        return p, (fault if fault == "talk_late" and talk <= today else None)
    nomination = ["party_member", "mass_org"] if rng.random() < 0.6 else ["party_member"]
    p.add("S03", a, {"decided_by": "branch_committee", "nomination": nomination})
    if fault != "no_activist_filing":
        p.add("S04", min(_d(a, 2, 10, rng), today))
    p.add("S05", min(_d(a, 0, 7, rng), today), {
        "mentor1_name": mentors[0], "mentor1_status": "full" if fault != "probationary_mentor" else "probationary",
        "mentor2_name": mentors[1], "mentor2_status": "full"})
    end = d if status != PartyStatus.ACTIVIST else today
    k = 1
    while add_months(a, 6 * k) <= end:
        if not (fault == "no_assessment" and k == 1):
            p.add("S06", add_months(a, 6 * k) - dt.timedelta(days=rng.randint(0, 25)), {"rating": "good"}, seq=k)
        k += 1
    if status == PartyStatus.ACTIVIST:
        return p, fault
    p.add("S07", d, {"opinions_heard": (d - dt.timedelta(days=rng.randint(2, 6))).isoformat()})
    s08 = _d(d, 3, 10, rng)
    steps_after_d = [("S08", s08, {}),
                     ("S09", _d(d, 5, 15, rng), {"introducer1_name": mentors[0], "introducer1_status": "full",
                                                 "introducer1_discipline": "none", "introducer2_name": mentors[1],
                                                 "introducer2_status": "full", "introducer2_discipline": "none"})]
    training_start = _d(d, 10, 40, rng)
    days = 3 if fault != "training_short" else 2
    hours = 24 if fault != "training_short" else 16
    training_end = training_start + dt.timedelta(days=days - 1)
    polrev = _d(d, 20, 60, rng)
    if status == PartyStatus.CANDIDATE:
        for step, date, data in steps_after_d:
            if date <= today:
                p.add(step, date, data)
        if polrev <= today:
            p.add("S10", polrev, {"result": "pass"})
        if training_end <= today:
            p.add("S11", training_end, {"start": training_start.isoformat(), "days": days, "hours": hours,
                                        "organizer": "primary_committee"})
        return p, fault
    # Probationary: everything up to approval, then the first probation steps.
    for step, date, data in steps_after_d:
        p.add(step, date, data)
    m_minus = (m - d).days
    branch_review = m - dt.timedelta(days=rng.randint(12, max(13, m_minus // 3)))
    polrev = min(polrev, branch_review - dt.timedelta(days=3)) if fault != "review_after_branch" else branch_review + dt.timedelta(days=2)
    training_end = min(training_end, m - dt.timedelta(days=1))
    training_start = min(training_start, training_end - dt.timedelta(days=days - 1))
    p.add("S10", polrev, {"result": "pass"})
    p.add("S11", training_end, {"start": training_start.isoformat(), "days": days, "hours": hours,
                                "organizer": "primary_committee"})
    p.add("S12", branch_review)
    pre = branch_review + dt.timedelta(days=rng.randint(2, 6))
    p.add("S13", pre, {"result": "pass", "written_notice": True})
    issued = pre + dt.timedelta(days=1)
    p.add("S14", min(issued + dt.timedelta(days=rng.randint(1, 4)), m), {"issued": issued.isoformat()})
    p.add("S15", m, _meeting(rng, fault))
    p.add("S16", min(_d(m, 3, 12, rng), approval), {"talker": "组织员", "talker_role": "organizer"})
    p.add("S17", approval, {"body_type": "township_committee", "mode": "collective_meeting"})
    for step, lo, hi in (("S18", 2, 8), ("S19", 3, 10), ("S20", 5, 25)):
        date = _d(approval, lo, hi, rng)
        if date <= today:
            p.add(step, date)
    k = 1
    while add_months(approval, 3 * k) <= today:
        p.add("S21", add_months(approval, 3 * k), seq=k)
        k += 1
    return p, fault


def build(*, people: list[Person], today: dt.date, rng: random.Random, user=None) -> tuple[int, int]:
    """Create dossiers and step records for the pipeline people (bulk). Returns (dossiers, records)."""
    surnames = "王李张刘陈杨黄赵吴周"
    names = [s + g for s in surnames for g in ("建国", "志强", "德华", "秀英", "国平", "明")]
    dossiers = [Dossier(person=p, organization_id=p.organization_id, org_path=p.org_path, status=p.party_status)
                for p in people]
    Dossier.objects.bulk_create(dossiers, batch_size=2000)
    records = []
    tz = timezone.get_current_timezone()
    for dossier, person in zip(dossiers, people, strict=True):
        plan, _fault = plan_for(person.party_status, person.status_date, today, rng, names)
        late = rng.random() < LATE_ENTRY_RATE
        for step, seq, date, data in plan.records:
            lag = rng.randint(40, 200) if late else rng.randint(0, 3)
            entered = min(date + dt.timedelta(days=lag), today)
            records.append(StepRecord(
                dossier=dossier, step=step, seq=seq, date=date, data=data, responsible_name=rng.choice(names),
                responsible_role="党支部书记", mode=RecordMode.PAST if late else RecordMode.LIVE,
                entered_at=dt.datetime.combine(entered, dt.time(10, 0), tzinfo=tz), entered_by=user))
    StepRecord.objects.bulk_create(records, batch_size=5000)
    return len(dossiers), len(records)
