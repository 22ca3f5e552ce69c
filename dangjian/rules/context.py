"""What every check reads and writes: one dossier's step dates, its conversion periods, and the findings.

A check never returns findings itself; it calls :meth:`Ctx.emit`, :meth:`Ctx.missing_step` or
:meth:`Ctx.need`. :meth:`Ctx.findings` then reports each violation once (one finding per fact, the most
specific rule first), merges what one rule says about one step, and sorts by step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from dangjian.rules.catalog import RULE_ORDER, RULES, rule_applies
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

    @property
    def meeting_date(self) -> date | None:
        """The conversion meeting's date (S23), if recorded."""
        return self.entry.meeting.date if self.entry.meeting is not None else None

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
    meetings = [get(c.meeting, "date") for c in d.conversions]
    return {
        "S01": get(d.application, "received"),
        "S02": get(d.talk, "date"),
        "S03": get(d.activist, "date"),
        "S04": get(d.activist, "filed"),
        "S05": _min([m.assigned for m in d.mentors]),
        "S06": _min([a.date for a in d.assessments]),
        "S07": get(d.candidate, "date"),
        "S08": get(d.candidate, "filed"),
        "S09": None,
        "S10": get(d.political_review, "date"),
        "S11": get(d.training, "start") or get(d.training, "end"),
        "S12": get(d.branch_review, "date"),
        "S13": get(d.pre_review, "date"),
        "S14": get(d.application_form, "filled"),
        "S15": get(d.admission_meeting, "date"),
        "S16": get(d.committee_talk, "date"),
        "S17": get(d.approval, "date"),
        "S18": d.approval_filed,
        "S19": d.enrolled,
        "S20": d.oath,
        "S21": _min(list(d.probation_assessments)),
        "S22": _min([c.application for c in d.conversions]),
        "S23": _min(meetings),
        "S24": _max([c.approval for c in d.conversions]),
        "S25": get(d.archive, "date"),
    }


def steps_recorded(d: Dossier, dates: dict[str, date | None]) -> dict[str, bool]:
    """Whether each step is recorded: its date is, or (lists) it has an entry."""
    recorded = {code: day is not None for code, day in dates.items()}
    recorded["S05"] = bool(d.mentors)
    recorded["S06"] = bool(d.assessments)
    recorded["S09"] = bool(d.introducers)
    recorded["S21"] = bool(d.probation_assessments)
    recorded["S22"] = any(c.application is not None for c in d.conversions)
    recorded["S23"] = any(get(c.meeting, "date") is not None for c in d.conversions)
    recorded["S24"] = any(c.approval is not None for c in d.conversions)
    return recorded


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
    meeting = get(d.admission_meeting, "date")
    probation_end = add_years(meeting, 1) if meeting is not None else None  # 预备期一年，自支部大会通过之日起
    end = probation_end
    after_extension = False
    extension_end: date | None = None
    decided = False
    views = []
    for i, entry in enumerate(d.conversions):
        views.append(ConversionView(i, entry, end, after_extension))
        if entry.decision == "extend":
            months = entry.extension_months
            end = add_months(end, months) if end is not None and months is not None else None
            extension_end = end
            after_extension = True
            decided = False
        elif entry.decision is not None:
            decided = True
    return ConversionTimeline(tuple(views), probation_end, extension_end, end, after_extension, decided)


@dataclass
class Ctx:
    """One evaluation: the dossier, the county config, today, and the findings collected so far."""

    dossier: Dossier
    config: Config
    as_of: date
    dates: dict[str, date | None] = field(init=False)
    recorded: dict[str, bool] = field(init=False)
    conversions: ConversionTimeline = field(init=False)
    _raw: list[_Raw] = field(init=False, default_factory=list)
    _missing: dict[tuple[str, str, Any], list[str]] = field(init=False, default_factory=dict)
    _missing_labels: dict[str, str] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.dates = step_dates(self.dossier)
        self.recorded = steps_recorded(self.dossier, self.dates)
        self.conversions = conversion_timeline(self.dossier)

    # -- reading ------------------------------------------------------------------------------------

    def d(self, step: str) -> date | None:
        """The date of ``step`` (None when not recorded)."""
        return self.dates[step]

    def rec(self, step: str) -> bool:
        """Whether ``step`` is recorded."""
        return self.recorded[step]

    def applies(self, code: str, day: date | None) -> bool:
        """Whether rule ``code`` judges a step dated ``day`` (rules apply from 2014-06-10, N-ORDER always)."""
        return rule_applies(code, day)

    def deadline(self, day: date) -> Deadline:
        """An upper-bound deadline, moved to the next working day when ``holiday_rollover`` is on."""
        if not self.config.holiday_rollover:
            return Deadline(day)
        rolled = roll_to_working_day(day)
        return Deadline(rolled.date, rolled.provisional)

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
