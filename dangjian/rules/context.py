"""What every check reads and writes: one dossier's step dates, its conversion periods, and the findings.

A check never returns findings itself; it calls :meth:`Ctx.emit`, :meth:`Ctx.missing_step` or
:meth:`Ctx.need`. :meth:`Ctx.findings` then reports each violation once (one finding per fact, the most
specific rule first), merges what one rule says about one step, and sorts by step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from dangjian.rules.catalog import ALL_RULES_FROM, CODES_ON, RULE_ORDER, RULES, codes_on
from dangjian.rules.dates import add_months, add_years
from dangjian.rules.schema import Config, Conversion, Dossier, label_for
from dangjian.rules.steps import STEP_BY_CODE, step_index
from dangjian.rules.workdays import roll_to_working_day

T = TypeVar("T")

SEVERITY_RANK = {"W": 1, "E": 2}


@dataclass(frozen=True)
class Finding:
    """One violation (``E``) or point needing explanation (``W``), citing its rule and source."""

    code: str
    severity: str
    step: str
    message: str
    source: str
    provisional: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The §5 JSON form (``provisional`` only when true)."""
        out: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity,
            "step": self.step,
            "message": self.message,
            "source": self.source,
        }
        if self.provisional:
            out["provisional"] = True
        return out


@dataclass(frozen=True)
class Deadline:
    """A deadline after the ``holiday_rollover`` switch, and whether the calendar it used is provisional."""

    date: date
    provisional: bool = False


@dataclass(frozen=True)
class ConversionView:
    """One conversion decision with the end of the probation (or extension) it is measured against."""

    index: int
    entry: Conversion
    end: date | None
    after_extension: bool
    meeting_date: date | None = None  # the conversion meeting's date (S23), if recorded

    @property
    def path(self) -> str:
        """The JSON path of this entry inside the dossier."""
        return f"conversions[{self.index}]"

    @property
    def end_label(self) -> str:
        """How the end is named in messages."""
        return "延长的预备期满" if self.after_extension else "预备期满"


@dataclass
class _Raw:
    code: str
    severity: str
    step: str
    message: str
    provisional: bool
    fact: str | None
    occurrence: Any
    seq: int


def get(obj: Any, name: str) -> Any:
    """``obj.name``, or None when ``obj`` itself is not recorded."""
    return None if obj is None else getattr(obj, name)


def _min(values: list[date | None]) -> date | None:
    known = [v for v in values if v is not None]
    return min(known) if known else None


def _max(values: list[date | None]) -> date | None:
    known = [v for v in values if v is not None]
    return max(known) if known else None


def step_dates(d: Dossier) -> dict[str, date | None]:
    """The date each step carries in the record (None when not recorded or undated).

    Steps with several dates use the earliest (S05 mentors, S06 assessments, S21, S22, S23) — the step
    began then — except S24, whose latest approval is what the archive follows. S09 has no date.
    """
    return step_facts(d)[0]


def steps_recorded(d: Dossier, dates: dict[str, date | None] | None = None) -> dict[str, bool]:
    """Whether each step is recorded: its date is, or (lists) it has an entry."""
    return step_facts(d)[1]


def _earliest(values: list[date | None]) -> date | None:
    if len(values) == 1:
        return values[0]
    return _min(values)


def step_facts(d: Dossier) -> tuple[dict[str, date | None], dict[str, bool]]:
    """:func:`step_dates` and :func:`steps_recorded` in one pass (the engine's first work on every dossier)."""
    application, talk, activist, candidate = d.application, d.talk, d.activist, d.candidate
    review, training, branch, pre = d.political_review, d.training, d.branch_review, d.pre_review
    form, meeting, committee_talk, approval = (
        d.application_form,
        d.admission_meeting,
        d.committee_talk,
        d.approval,
    )
    mentors, assessments, probation, conversions = (
        d.mentors,
        d.assessments,
        d.probation_assessments,
        d.conversions,
    )
    s01 = None if application is None else application.received
    s02 = None if talk is None else talk.date
    s03 = s04 = s07 = s08 = None
    if activist is not None:
        s03, s04 = activist.date, activist.filed
    s05 = _earliest([m.assigned for m in mentors]) if mentors else None
    s06 = _earliest([a.date for a in assessments]) if assessments else None
    if candidate is not None:
        s07, s08 = candidate.date, candidate.filed
    s10 = None if review is None else review.date
    s11 = None if training is None else training.start or training.end
    s12 = None if branch is None else branch.date
    s13 = None if pre is None else pre.date
    s14 = None if form is None else form.filled
    s15 = None if meeting is None else meeting.date
    s16 = None if committee_talk is None else committee_talk.date
    s17 = None if approval is None else approval.date
    s18, s19, s20 = d.approval_filed, d.enrolled, d.oath
    s21 = _earliest(list(probation)) if probation else None
    s22 = s23 = s24 = None
    if conversions:
        s22 = _earliest([c.application for c in conversions])
        s23 = _earliest([None if c.meeting is None else c.meeting.date for c in conversions])
        s24 = _max([c.approval for c in conversions])
    s25 = None if d.archive is None else d.archive.date
    dates = {
        "S01": s01, "S02": s02, "S03": s03, "S04": s04, "S05": s05, "S06": s06, "S07": s07, "S08": s08,
        "S09": None, "S10": s10, "S11": s11, "S12": s12, "S13": s13, "S14": s14, "S15": s15, "S16": s16,
        "S17": s17, "S18": s18, "S19": s19, "S20": s20, "S21": s21, "S22": s22, "S23": s23, "S24": s24,
        "S25": s25,
    }  # fmt: skip
    # Recorded: the date is — except the lists S05, S06, S09, S21, recorded by having an entry (S22–S24: one
    # of the conversion entries has that date).
    recorded = {
        "S01": s01 is not None, "S02": s02 is not None, "S03": s03 is not None, "S04": s04 is not None,
        "S05": bool(mentors), "S06": bool(assessments), "S07": s07 is not None, "S08": s08 is not None,
        "S09": bool(d.introducers), "S10": s10 is not None, "S11": s11 is not None, "S12": s12 is not None,
        "S13": s13 is not None, "S14": s14 is not None, "S15": s15 is not None, "S16": s16 is not None,
        "S17": s17 is not None, "S18": s18 is not None, "S19": s19 is not None, "S20": s20 is not None,
        "S21": bool(probation), "S22": s22 is not None, "S23": s23 is not None, "S24": s24 is not None,
        "S25": s25 is not None,
    }  # fmt: skip
    return dates, recorded


@dataclass
class ConversionTimeline:
    """The conversion decisions in order, each measured against its period's end (PROCEDURE.md §5)."""

    views: tuple[ConversionView, ...]
    probation_end: date | None
    extension_end: date | None
    current_end: date | None
    current_after_extension: bool
    current_decided: bool


def conversion_timeline(d: Dossier) -> ConversionTimeline:
    """Walk ``conversions``: an ``extend`` decision closes a period and opens one ending ``extension_months``
    after the previous end (党章第7条); the next decision is measured against that extension end."""
    meeting = None if d.admission_meeting is None else d.admission_meeting.date
    if meeting is None and not d.conversions:
        return _NO_CONVERSIONS
    probation_end = add_years(meeting, 1) if meeting is not None else None  # 预备期一年，自支部大会通过之日起
    end = probation_end
    after_extension = False
    extension_end: date | None = None
    decided = False
    views = []
    for i, entry in enumerate(d.conversions):
        meeting_date = None if entry.meeting is None else entry.meeting.date
        views.append(ConversionView(i, entry, end, after_extension, meeting_date))
        if entry.decision == "extend":
            months = entry.extension_months
            end = add_months(end, months) if end is not None and months is not None else None
            extension_end = end
            after_extension = True
            decided = False
        elif entry.decision is not None:
            decided = True
    return ConversionTimeline(tuple(views), probation_end, extension_end, end, after_extension, decided)


# No admission meeting and no conversion decision (most dossiers): one shared, never changed.
_NO_CONVERSIONS = ConversionTimeline((), None, None, None, False, False)


class Ctx:
    """One evaluation: the dossier, the county config, today, and the findings collected so far."""

    __slots__ = (
        "dossier",
        "config",
        "as_of",
        "dates",
        "recorded",
        "furthest",
        "first_missing",
        "conversions",
        "_raw",
        "_missing",
        "_missing_labels",
        "_deadlines",
    )

    def __init__(self, dossier: Dossier, config: Config, as_of: date) -> None:
        self.dossier = dossier
        self.config = config
        self.as_of = as_of
        self.dates, self.recorded = step_facts(dossier)
        flags = list(self.recorded.values())  # S01 … S25, in order
        # 1 for S01 … 25 for S25: the furthest step recorded (0: none). Every step a step depends on comes
        # before it, so nothing after the furthest step is recorded.
        self.furthest: int = len(flags) - flags[::-1].index(True) if True in flags else 0
        # 1 for S01 … 25 for S25: the first step not recorded (26: none missing).
        self.first_missing: int = flags.index(False) + 1 if False in flags else len(flags) + 1
        self.conversions: ConversionTimeline = conversion_timeline(dossier)
        self._raw: list[_Raw] = []
        self._missing: dict[tuple[str, str, Any], list[str]] = {}
        self._missing_labels: dict[str, str] = {}
        self._deadlines = _ROLLED_DEADLINES if config.holiday_rollover else _PLAIN_DEADLINES

    # -- reading ------------------------------------------------------------------------------------

    def d(self, step: str) -> date | None:
        """The date of ``step`` (None when not recorded)."""
        return self.dates[step]

    def rec(self, step: str) -> bool:
        """Whether ``step`` is recorded."""
        return self.recorded[step]

    def applies(self, code: str, day: date | None) -> bool:
        """Whether rule ``code`` judges a step dated ``day`` (rules apply from 2014-06-10, N-ORDER always)."""
        # This runs some 20 times a dossier: first the usual answer (every rule judges a step dated from the
        # latest rule set on, when that set has every rule), then the memo of catalog.codes_on (never empty).
        if day is None or (ALL_RULES_FROM is not None and day >= ALL_RULES_FROM):
            return True
        return code in (CODES_ON.get(day) or codes_on(day))

    def deadline(self, day: date) -> Deadline:
        """An upper-bound deadline, moved to the next working day when ``holiday_rollover`` is on."""
        found = self._deadlines.get(day)
        if found is None:
            if self._deadlines is _PLAIN_DEADLINES:
                found = Deadline(day)
            else:
                rolled = roll_to_working_day(day)
                found = Deadline(rolled.date, rolled.provisional)
            if len(self._deadlines) < _DEADLINES_CAP:
                self._deadlines[day] = found
        return found

    # -- writing ------------------------------------------------------------------------------------

    def emit(
        self,
        code: str,
        message: str,
        *,
        step: str | None = None,
        severity: str | None = None,
        provisional: bool = False,
        fact: str | None = None,
        occurrence: Any = None,
    ) -> None:
        """Record a finding of rule ``code`` (step and severity default to the rule's)."""
        rule = RULES[code]
        step = step or rule.step
        severity = severity or rule.severity
        assert step is not None and severity in SEVERITY_RANK, (code, step, severity)
        self._raw.append(_Raw(code, severity, step, message, provisional, fact, occurrence, len(self._raw)))

    def missing_step(
        self,
        step: str,
        code: str,
        detail: str,
        *,
        severity: str = "E",
        provisional: bool = False,
        occurrence: Any = None,
    ) -> None:
        """Report that ``step`` is not recorded although it should be; one fact per step (and occurrence)."""
        name = STEP_BY_CODE[step].name
        fact = f"missing:{step}" if occurrence is None else f"missing:{step}:{occurrence}"
        self.emit(
            code,
            f"未记录{name}（{step}）：{detail}",
            step=step,
            severity=severity,
            provisional=provisional,
            fact=fact,
            occurrence=occurrence,
        )

    def need(
        self,
        code: str,
        value: T | None,
        path: str,
        *,
        step: str | None = None,
        occurrence: Any = None,
        label: str | None = None,
    ) -> T | None:
        """Return ``value``; if it is not recorded, note the field as missing for rule ``code``.

        A recorded step whose required fields (those its rules read) are missing is an E finding naming
        them; each field is reported once, under the first rule that reads it.
        """
        if value is None and path not in self._missing_labels:
            self._missing_labels[path] = label or label_for(path)
            key = (step or RULES[code].step or "S01", code, occurrence)
            self._missing.setdefault(key, []).append(path)
        return value

    # -- the result ---------------------------------------------------------------------------------

    def findings(self) -> tuple[Finding, ...]:
        """Each violation once, merged per rule and step, sorted by step."""
        if not self._raw and not self._missing:
            return ()
        raws = list(self._raw)
        for (step, code, occurrence), paths in self._missing.items():
            names = "、".join(f"{self._missing_labels[p]}（{p}）" for p in paths)
            raws.append(
                _Raw(code, "E", step, f"未记录：{names}", False, None, ("fields", occurrence), len(raws))
            )
        kept = _one_per_fact(raws)
        merged = _merge(kept)
        merged.sort(key=lambda r: (step_index(r.step), RULE_ORDER[r.code], r.seq))
        return tuple(
            Finding(r.code, r.severity, r.step, r.message, RULES[r.code].source, r.provisional)
            for r in merged
        )


# Deadlines by day (Deadline is immutable): without and with holiday_rollover. One entry per day in use; the
# cap only guards a long-running process.
_PLAIN_DEADLINES: dict[date, Deadline] = {}
_ROLLED_DEADLINES: dict[date, Deadline] = {}
_DEADLINES_CAP = 200_000


def _one_per_fact(raws: list[_Raw]) -> list[_Raw]:
    """Keep one finding per fact: the most severe, else the first (the most specific rule runs first)."""
    best: dict[str, _Raw] = {}
    for raw in raws:
        if raw.fact is None:
            continue
        held = best.get(raw.fact)
        if held is None or SEVERITY_RANK[raw.severity] > SEVERITY_RANK[held.severity]:
            best[raw.fact] = raw
    return [r for r in raws if r.fact is None or best[r.fact] is r]


def _merge(raws: list[_Raw]) -> list[_Raw]:
    """One finding per rule, step, severity and occurrence: several problems are listed in one message."""
    groups: dict[tuple[str, str, str, Any], _Raw] = {}
    order: list[_Raw] = []
    for raw in raws:
        key = (raw.code, raw.step, raw.severity, raw.occurrence)
        held = groups.get(key)
        if held is None:
            merged = _Raw(
                raw.code,
                raw.severity,
                raw.step,
                raw.message,
                raw.provisional,
                raw.fact,
                raw.occurrence,
                raw.seq,
            )
            groups[key] = merged
            order.append(merged)
        else:
            held.message = f"{held.message}；{raw.message}"
            held.provisional = held.provisional or raw.provisional
    return order
