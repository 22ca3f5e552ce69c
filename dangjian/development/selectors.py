"""Reads of dossiers, step records and findings — always from the user's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from dangjian import rules
from dangjian.core.audit import Actor, audit_log
from dangjian.core.errors import OutOfScope
from dangjian.core.scope import subtree_q, visible_to
from dangjian.development.models import Dossier, Finding, StepRecord
from dangjian.orgs.selectors import org_get

# The computed date that bounds each step (a deadline) or opens it (an earliest date).
DEADLINE_KEYS = {"S02": "talk_deadline", "S06": "next_assessment_due", "S17": "approval_due",
                 "S24": "conversion_approval_due"}
EARLIEST_KEYS = {"S07": "earliest_candidate_date", "S23": "probation_end"}


def dossier_queryset(*, user) -> QuerySet[Dossier]:
    return visible_to(user, Dossier).select_related("person", "organization")


def dossier_detail(*, actor: Actor, dossier_id: int, channel: str = "web") -> Dossier:
    dossier = dossier_queryset(user=actor.user).filter(pk=dossier_id).first()
    if dossier is None:
        raise OutOfScope()
    audit_log(actor=actor, action="dossier.view", obj_type="dossier", obj_id=dossier.pk, detail={"channel": channel})
    return dossier


@dataclass
class TimelineRow:
    code: str
    stage: int
    name: str
    state: str  # done | due | overdue | blocked | open
    records: list[StepRecord]
    deadline: str | None
    earliest: str | None
    findings: list[Finding]
    late: bool  # entered more than the county's threshold after its own date (补录)


def _steps() -> list:
    return list(rules.STEPS.values()) if isinstance(rules.STEPS, dict) else list(rules.STEPS)


def timeline(dossier: Dossier, *, today: dt.date, late_days: int = 30) -> list[TimelineRow]:
    """The 25 steps with what is done, due (with its deadline), overdue or blocked."""
    records = list(dossier.records.all())
    findings = list(dossier.findings.all())
    done = {r.step for r in records}
    rows = []
    for s in _steps():
        code = s.code
        deps = set(getattr(s, "depends_on", ()) or ())
        recs = [r for r in records if r.step == code]
        deadline = dossier.computed.get(DEADLINE_KEYS.get(code, ""), None)
        earliest = dossier.computed.get(EARLIEST_KEYS.get(code, ""), None)
        if recs:
            state = "done"
        elif not deps <= done:
            state = "blocked"
        elif deadline and deadline < today.isoformat():
            state = "overdue"
        else:
            state = "due" if dossier.next_step == code or deadline else "open"
        rows.append(TimelineRow(code=code, stage=getattr(s, "stage", 0), name=getattr(s, "name", code), state=state,
                                records=recs, deadline=deadline, earliest=earliest,
                                findings=[f for f in findings if f.step == code],
                                late=any(r.mode == "past" or r.late_days > late_days for r in recs)))
    return rows


@dataclass(frozen=True)
class FindingFilter:
    code: str = ""
    severity: str = ""
    org: str = ""


def finding_list(*, user, filters: FindingFilter) -> QuerySet[Finding]:
    qs = visible_to(user, Finding).select_related("dossier__person", "dossier__organization")
    if filters.code:
        qs = qs.filter(code=filters.code)
    if filters.severity:
        qs = qs.filter(severity=filters.severity)
    if filters.org:
        qs = qs.filter(subtree_q(org_get(user=user, code=filters.org).path, "org_path"))
    return qs.order_by("org_path", "dossier_id", "step")


def finding_summary(*, user) -> list[dict]:
    """Counts by rule and severity in the user's subtree."""
    return list(visible_to(user, Finding).values("code", "severity").annotate(n=Count("id")).order_by("-n"))


def finding_by_org(*, user) -> list[dict]:
    """Counts of violations (E) and warnings (W) per branch in the user's subtree, most first."""
    rows = (visible_to(user, Finding).values("dossier__organization__code", "dossier__organization__name", "severity")
            .annotate(n=Count("id")).order_by())
    out: dict[str, dict] = {}
    for r in rows:
        code = r["dossier__organization__code"]
        row = out.setdefault(code, {"code": code, "name": r["dossier__organization__name"], "E": 0, "W": 0})
        row[r["severity"]] += r["n"]
    return sorted(out.values(), key=lambda x: (-x["E"], -x["W"], x["code"]))


def late_entry_counts(*, user, late_days: int = 30) -> list[dict]:
    """补录: per branch, how many step records were entered more than `late_days` after their date."""
    rows = StepRecord.objects.filter(dossier__in=visible_to(user, Dossier))
    counts: dict[str, dict] = {}
    for r in rows.select_related("dossier__organization").only("date", "entered_at", "dossier__organization__name",
                                                                 "dossier__organization__code"):
        if r.mode == "past" or r.late_days > late_days:
            org = r.dossier.organization
            row = counts.setdefault(org.code, {"code": org.code, "name": org.name, "n": 0})
            row["n"] += 1
    return sorted(counts.values(), key=lambda x: -x["n"])



# Kinds whose date opens a step (earliest date) rather than closing it (a deadline): past it, the step is ready.
OPENING_KINDS = {"candidate", "probation_end"}


@dataclass(frozen=True)
class DueItem:
    dossier: Dossier
    kind: str
    label: str
    step: str
    date: str
    overdue: bool  # a deadline that has passed
    ready: bool  # an earliest date that has come: the step may be taken now


DUE_SORTS = {"date": lambda i: (i.date, i.dossier.org_path), "org": lambda i: (i.dossier.org_path, i.date),
             "kind": lambda i: (i.kind, i.date), "name": lambda i: (i.dossier.person.name, i.date)}


def due_list(*, user, today: dt.date, days: int = 30, sort: str = "date", kind: str = "") -> list[DueItem]:
    """What falls due in the next `days` days, and what is overdue, in the user's subtree."""
    horizon = (today + dt.timedelta(days=days)).isoformat()
    now = today.isoformat()
    items = []
    for d in dossier_queryset(user=user).exclude(due=[]).only("id", "org_path", "due", "person__name",
                                                              "organization__name", "organization__code"):
        for i in d.due:
            if i["date"] <= horizon and (not kind or i["kind"] == kind):
                opening = i["kind"] in OPENING_KINDS
                items.append(DueItem(dossier=d, kind=i["kind"], label=i["label"], step=i["step"], date=i["date"],
                                     overdue=not opening and i["date"] < now, ready=opening and i["date"] <= now))
    return sorted(items, key=DUE_SORTS.get(sort, DUE_SORTS["date"]))


def due_counts(*, user, today: dt.date, days: int = 30) -> dict:
    items = due_list(user=user, today=today, days=days)
    return {"overdue": sum(1 for i in items if i.overdue), "ready": sum(1 for i in items if i.ready),
            "upcoming": sum(1 for i in items if not i.overdue and not i.ready)}
