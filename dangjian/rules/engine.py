"""The engine: one dossier, the county config and today in; status, next step, computed dates, findings out.

``evaluate`` runs the national checks (in the order of PROCEDURE.md §3), then the local checks switched on
by the config (§4); ``check_document`` is the ``dangjian check`` contract (§5) on JSON-decoded input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dangjian.rules.catalog import RULE_SETS, ruleset_for
from dangjian.rules.checks_local import LOCAL_CHECKS
from dangjian.rules.checks_national import NATIONAL_CHECKS, half_year_windows
from dangjian.rules.context import Ctx, Finding
from dangjian.rules.dates import add_months, first_day_after_whole_years
from dangjian.rules.schema import Config, Dossier, validate_document
from dangjian.rules.steps import STEP_CODES

STATUSES = ("none", "applicant", "activist", "candidate", "probationary", "full_member", "cancelled")

# The computed keys, in the order PROCEDURE.md §3 lists them.
COMPUTED_KEYS = (
    "talk_deadline",
    "earliest_candidate_date",
    "next_assessment_due",
    "approval_due",
    "approval_hard_limit",
    "probation_end",
    "extension_end",
    "full_member_date",
    "conversion_approval_due",
)


@dataclass(frozen=True)
class Result:
    """The §5 result for one dossier."""

    id: str | None
    rule_version: str
    status: str
    next_step: str | None
    computed: dict[str, date] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()
    provisional_computed: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of §5 (dates as ``YYYY-MM-DD``; ``provisional_computed`` only when not empty)."""
        out: dict[str, Any] = {
            "id": self.id,
            "rule_version": self.rule_version,
            "status": self.status,
            "next_step": self.next_step,
            "computed": {key: value.isoformat() for key, value in self.computed.items()},
            "findings": [f.to_dict() for f in self.findings],
        }
        if self.provisional_computed:
            out["provisional_computed"] = list(self.provisional_computed)
        return out


def evaluate(dossier: Dossier, config: Config, as_of: date) -> Result:
    """Check one dossier against the rule set(s) in force, as of ``as_of``."""
    ctx = Ctx(dossier, config, as_of)
    for check in NATIONAL_CHECKS:
        check(ctx)
    for local in LOCAL_CHECKS:
        if local.enabled(config):
            local.run(ctx)
    status = derive_status(ctx)
    computed, provisional = compute_dates(ctx, status)
    return Result(
        id=dossier.id,
        rule_version=rule_version_for(ctx),
        status=status,
        next_step=derive_next_step(ctx, status),
        computed=computed,
        findings=ctx.findings(),
        provisional_computed=provisional,
    )


def check_document(doc: Any, *, today: date | None = None) -> dict[str, Any]:
    """The ``dangjian check`` contract: validate the JSON-decoded input strictly, check every dossier.

    ``as_of`` defaults to ``today`` (or the system date). Raises :class:`~dangjian.rules.schema.InputError`
    on malformed input.
    """
    document = validate_document(doc)
    as_of = document.as_of or today or date.today()
    return {"results": [evaluate(d, document.config, as_of).to_dict() for d in document.dossiers]}


# ------------------------------------------------------------------------------------------ status


def derive_status(ctx: Ctx) -> str:
    """Status follows the furthest step recorded; S24 decides full member / cancelled (PROCEDURE.md §2)."""
    approved = [v.entry for v in ctx.conversions.views if v.entry.approval is not None and v.entry.decision]
    if approved:
        decision = approved[-1].decision
        if decision == "on_time":
            return "full_member"
        if decision == "cancel":
            return "cancelled"
        return "probationary"  # after an approved extension, until a later on-time conversion is approved
    recorded = ctx.recorded
    furthest = next((i + 1 for i in range(len(STEP_CODES) - 1, -1, -1) if recorded[STEP_CODES[i]]), 0)
    if furthest >= 17:
        return "probationary"
    if furthest >= 7:
        return "candidate"
    if furthest >= 3:
        return "activist"
    if furthest >= 1:
        return "applicant"
    return "none"


def derive_next_step(ctx: Ctx, status: str) -> str | None:
    """The first of S01–S25 not yet recorded; null when cancelled or archived as a full member.

    S22–S24 are read from the current cycle: after an approved extension, from the decisions after it.
    """
    if status == "cancelled" or (status == "full_member" and ctx.rec("S25")):
        return None
    views = ctx.conversions.views
    last_extension = max(
        (v.index for v in views if v.entry.decision == "extend" and v.entry.approval is not None), default=-1
    )
    cycle = [v for v in views if v.index > last_extension]
    in_cycle = {
        "S22": any(v.entry.application is not None for v in cycle),
        "S23": any(v.meeting_date is not None for v in cycle),
        "S24": any(v.entry.approval is not None for v in cycle),
    }
    for code in STEP_CODES:
        recorded = in_cycle[code] if code in in_cycle else ctx.rec(code)
        if not recorded:
            return code
    return None


def rule_version_for(ctx: Ctx) -> str:
    """The version of the rule set in force at the latest recorded step (else at ``as_of``)."""
    dates = [day for day in ctx.dates.values() if day is not None]
    rule_set = ruleset_for(max(dates) if dates else ctx.as_of) or RULE_SETS[0]
    return rule_set.version


# ------------------------------------------------------------------------------------------ computed


def compute_dates(ctx: Ctx, status: str) -> tuple[dict[str, date], tuple[str, ...]]:
    """The computed dates of §3 whose inputs are recorded, and the keys that used an unknown calendar year."""
    out: dict[str, date] = {}
    provisional: list[str] = []

    def put(key: str, day: date, is_provisional: bool = False) -> None:
        out[key] = day
        if is_provisional:
            provisional.append(key)

    s01, a, m = ctx.d("S01"), ctx.d("S03"), ctx.d("S15")
    if s01 is not None:
        due = ctx.deadline(add_months(s01, 1))
        put("talk_deadline", due.date, due.provisional)
    if a is not None:
        put(
            "earliest_candidate_date", first_day_after_whole_years(a, 1, strict=ctx.config.strict_anniversary)
        )
        if status == "activist" and (due_assessment := next_assessment_due(ctx, a)) is not None:
            put("next_assessment_due", due_assessment)
    timeline = ctx.conversions
    if m is not None:
        due = ctx.deadline(add_months(m, 3))
        hard = ctx.deadline(add_months(m, 6))
        put("approval_due", due.date, due.provisional)
        put("approval_hard_limit", hard.date, hard.provisional)
        put("probation_end", timeline.probation_end)
    if timeline.extension_end is not None:
        put("extension_end", timeline.extension_end)
    has_extension = any(v.entry.decision == "extend" for v in timeline.views)
    if status != "cancelled" and timeline.probation_end is not None:
        end = timeline.extension_end if has_extension else timeline.probation_end
        if end is not None:
            put("full_member_date", end)
    meetings = [v.meeting_date for v in timeline.views if v.meeting_date is not None]
    if meetings:
        due = ctx.deadline(add_months(max(meetings), 3))
        put("conversion_approval_due", due.date, due.provisional)
    ordered = {key: out[key] for key in COMPUTED_KEYS if key in out}
    return ordered, tuple(key for key in COMPUTED_KEYS if key in provisional)


def next_assessment_due(ctx: Ctx, a: date) -> date | None:
    """The end of the first half-year window ending on or after today that has no assessment yet."""
    known = [x.date for x in ctx.dossier.assessments if x.date is not None]
    horizon = add_months(max(ctx.as_of, a), 6 * (len(known) + 2))
    for start, end in half_year_windows(a, horizon):
        if end >= ctx.as_of and not any(start < x <= end for x in known):
            return end
    return None  # pragma: no cover - the horizon always holds a window without an assessment


__all__ = ["Result", "evaluate", "check_document", "derive_status", "derive_next_step", "compute_dates"]
