"""The engine: one dossier, the county config and today in; status, next step, computed dates, findings out.

``evaluate`` runs the national checks (in the order of PROCEDURE.md §3), then the local checks switched on
by the config (§4); ``check_document`` is the ``dangjian check`` contract (§5) on JSON-decoded input.

Speed (docs/performance.md, issue 3): the national checks run in gated runs (``CHECK_RUNS``: a run whose
steps are not there is skipped, which changes nothing), ``check_document`` parses and checks one dossier at
a time with the fast parser, and what every check reads is worked out once per dossier (``Ctx``).
``evaluate_every_check`` and ``schema.validate_document_strict`` are the plain paths the tests compare with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dangjian.rules.catalog import RULE_SETS, ruleset_for
from dangjian.rules.checks_local import LOCAL_CHECKS
from dangjian.rules.checks_national import CHECK_RUNS, NATIONAL_CHECKS, Check, windows_without_assessment
from dangjian.rules.context import Ctx, Finding
from dangjian.rules.dates import add_months, first_day_after_whole_years
from dangjian.rules.schema import (
    Config,
    Declined,
    Dossier,
    fast_document_parts,
    fast_parser,
    validate_document_strict,
)
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
            "computed": {key: _iso(value) for key, value in self.computed.items()},
            "findings": [f.to_dict() for f in self.findings],
        }
        if self.provisional_computed:
            out["provisional_computed"] = list(self.provisional_computed)
        return out


# date → "YYYY-MM-DD": date.isoformat() formats through printf, some ten times the cost of a dict lookup, and
# the computed dates of a county's dossiers are few distinct days. Capped like schema's date memo.
_ISO: dict[date, str] = {}
_ISO_CAP = 150_000


def _iso(value: date) -> str:
    iso: dict = _ISO
    text = iso.get(value)
    if text is None:
        text = value.isoformat()
        if len(iso) < _ISO_CAP:
            iso[value] = text
    return text


def evaluate(dossier: Dossier, config: Config, as_of: date) -> Result:
    """Check one dossier against the rule set(s) in force, as of ``as_of``."""
    ctx = Ctx(dossier, config, as_of)
    for gate, run in CHECK_RUNS:  # NATIONAL_CHECKS in order, a run skipped when none of its steps is there
        if gate(ctx):
            for check in run:
                check(ctx)
    for check in local_checks_for(config):
        check(ctx)
    return _result(ctx)


def evaluate_every_check(dossier: Dossier, config: Config, as_of: date) -> Result:
    """``evaluate`` running every national check (no run skipped): the reference the runs are tested against."""
    ctx = Ctx(dossier, config, as_of)
    for check in NATIONAL_CHECKS:
        check(ctx)
    for local in LOCAL_CHECKS:
        if local.enabled(config):
            local.run(ctx)
    return _result(ctx)


def _result(ctx: Ctx) -> Result:
    status = derive_status(ctx)
    computed, provisional = compute_dates(ctx, status)
    # The fields set directly, as the frozen __init__ would (it calls object.__setattr__ per field).
    result = _new(Result)
    result.__dict__.update(
        id=ctx.dossier.id,
        rule_version=rule_version_for(ctx),
        status=status,
        next_step=derive_next_step(ctx, status),
        computed=computed,
        findings=ctx.findings(),
        provisional_computed=provisional,
    )
    return result


_new = object.__new__


def local_checks_for(config: Config) -> tuple[Check, ...]:
    """The local checks ``config`` switches on, in order (worked out once per config object)."""
    global _local_memo
    held = _local_memo  # one tuple, replaced whole: safe to share between threads
    if held[0] is not config:
        held = (config, tuple(c.run for c in LOCAL_CHECKS if c.enabled(config)))
        _local_memo = held
    return held[1]


_local_memo: tuple[Config | None, tuple[Check, ...]] = (None, ())


def check_document(doc: Any, *, today: date | None = None) -> dict[str, Any]:
    """The ``dangjian check`` contract: validate the JSON-decoded input strictly, check every dossier.

    ``as_of`` defaults to ``today`` (or the system date). Raises :class:`~dangjian.rules.schema.InputError`
    on malformed input.
    """
    try:
        # The fast parser, one dossier at a time: each is checked while its objects are fresh, then let go.
        head_as_of, config, raw_dossiers = fast_document_parts(doc)
        as_of = head_as_of or today or date.today()
        parse = fast_parser(Dossier)
        return {"results": [evaluate(parse(raw), config, as_of).to_dict() for raw in raw_dossiers]}
    except Declined:
        pass  # something the fast parser does not take: the strict parser decides, on the whole document
    document = validate_document_strict(doc)  # raises InputError naming the first problem
    as_of = document.as_of or today or date.today()
    return {"results": [evaluate(d, document.config, as_of).to_dict() for d in document.dossiers]}


# ------------------------------------------------------------------------------------------ status


def derive_status(ctx: Ctx) -> str:
    """Status follows the furthest step recorded; S24 decides full member / cancelled (PROCEDURE.md §2)."""
    views = ctx.conversions.views
    approved = [v.entry for v in views if v.entry.approval is not None and v.entry.decision] if views else ()
    if approved:
        decision = approved[-1].decision
        if decision == "on_time":
            return "full_member"
        if decision == "cancel":
            return "cancelled"
        return "probationary"  # after an approved extension, until a later on-time conversion is approved
    furthest = ctx.furthest
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
    recorded = ctx.recorded
    if status == "cancelled" or (status == "full_member" and recorded["S25"]):
        return None
    views = ctx.conversions.views
    if not views:  # no conversion decision: S22–S24 are simply not recorded
        flags = list(recorded.values())  # S01 … S25, in order
        return STEP_CODES[flags.index(False)] if False in flags else None
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
        if not (in_cycle[code] if code in in_cycle else recorded[code]):
            return code
    return None


def rule_version_for(ctx: Ctx) -> str:
    """The version of the rule set in force at the latest recorded step (else at ``as_of``)."""
    if len(RULE_SETS) == 1:
        return RULE_SETS[0].version  # the only set there is, whatever the dates
    latest = max(filter(None, ctx.dates.values()), default=None)  # dates are never false
    rule_set = ruleset_for(latest or ctx.as_of) or RULE_SETS[0]
    return rule_set.version


# ------------------------------------------------------------------------------------------ computed


def compute_dates(ctx: Ctx, status: str) -> tuple[dict[str, date], tuple[str, ...]]:
    """The computed dates of §3 whose inputs are recorded, and the keys that used an unknown calendar year.

    Both come out in the order of COMPUTED_KEYS: the keys are added in that order below.
    """
    out: dict[str, date] = {}
    provisional: list[str] = []
    dates = ctx.dates
    s01, a, m = dates["S01"], dates["S03"], dates["S15"]
    if s01 is not None:
        due = ctx.deadline(add_months(s01, 1))
        out["talk_deadline"] = due.date
        if due.provisional:
            provisional.append("talk_deadline")
    if a is not None:
        out["earliest_candidate_date"] = first_day_after_whole_years(
            a, 1, strict=ctx.config.strict_anniversary
        )
        if status == "activist" and (due_assessment := next_assessment_due(ctx, a)) is not None:
            out["next_assessment_due"] = due_assessment
    timeline = ctx.conversions
    if m is not None:
        due = ctx.deadline(add_months(m, 3))
        hard = ctx.deadline(add_months(m, 6))
        out["approval_due"] = due.date
        out["approval_hard_limit"] = hard.date
        out["probation_end"] = timeline.probation_end
        if due.provisional:
            provisional.append("approval_due")
        if hard.provisional:
            provisional.append("approval_hard_limit")
    if timeline.extension_end is not None:
        out["extension_end"] = timeline.extension_end
    views = timeline.views
    if status != "cancelled" and timeline.probation_end is not None:
        has_extension = any(v.entry.decision == "extend" for v in views)
        end = timeline.extension_end if has_extension else timeline.probation_end
        if end is not None:
            out["full_member_date"] = end
    meetings = [v.meeting_date for v in views if v.meeting_date is not None] if views else ()
    if meetings:
        due = ctx.deadline(add_months(max(meetings), 3))
        out["conversion_approval_due"] = due.date
        if due.provisional:
            provisional.append("conversion_approval_due")
    return out, tuple(provisional)


def next_assessment_due(ctx: Ctx, a: date) -> date | None:
    """The end of the first half-year window ending on or after today that has no assessment yet."""
    known = sorted(x.date for x in ctx.dossier.assessments if x.date is not None)
    horizon = add_months(max(ctx.as_of, a), 6 * (len(known) + 2))
    for _start, end in windows_without_assessment(a, horizon, known):
        if end >= ctx.as_of:
            return end
    return None  # pragma: no cover - the horizon always holds a window without an assessment


__all__ = ["Result", "evaluate", "check_document", "derive_status", "derive_next_step", "compute_dates"]
