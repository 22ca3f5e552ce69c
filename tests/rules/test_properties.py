"""Hypothesis properties of the engine (no database, no Django)."""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date
from typing import Any, Literal, get_args, get_origin, get_type_hints

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.rules import RULES, STEP_BY_CODE, Config, Dossier, check_document
from dangjian.rules.schema import Date
from tests.rules.records import (
    changed,
    findings,
    result_of,
    shift_days,
    shift_years,
    valid_doc,
    valid_dossier,
)

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- shifting every date keeps the valid record valid --------------------------------------------------


@SETTINGS
@given(st.integers(min_value=-90, max_value=170))
def test_shifting_all_dates_by_whole_years_keeps_the_record_finding_free(years):
    doc = shift_years(valid_doc(), years)
    result = check_document(doc)["results"][0]
    assert result["findings"] == []
    assert (result["status"], result["next_step"]) == ("full_member", None)


@SETTINGS
@given(st.integers(min_value=-30_000, max_value=60_000))
def test_shifting_all_dates_by_days_keeps_the_record_finding_free(days):
    assert check_document(shift_days(valid_doc(), days))["results"][0]["findings"] == []


@SETTINGS
@given(st.integers(min_value=-10, max_value=1))
def test_shifting_with_calendar_rules_on_stays_clean_where_the_calendar_is_known(years):
    # With publicity and rollover on, only years the official calendar knows (2004–2026) are safe to compare.
    doc = shift_years(valid_doc(), years)
    doc["config"].update({"holiday_rollover": True, "publicity_at": ["candidate"]})
    assert check_document(doc)["results"][0]["findings"] == []


# -- quorum and majority against arithmetic ------------------------------------------------------------


@SETTINGS
@given(
    full=st.integers(0, 60),
    approved=st.integers(0, 4),
    half_approved=st.integers(0, 3),
    present=st.integers(0, 60),
    yes=st.integers(0, 60),
    written=st.integers(0, 10),
    probationary=st.integers(0, 10),
)
def test_quorum_and_majority_match_the_arithmetic(
    full, approved, half_approved, present, yes, written, probationary
):
    exclusions = [{"reason": "外出", "approved_by_higher": True, "approved_by_meeting": True}] * approved + [
        {"reason": "外出", "approved_by_higher": True, "approved_by_meeting": False}
    ] * half_approved
    dossier = changed(
        {
            "admission_meeting.full_members": full,
            "admission_meeting.exclusions": exclusions,
            "admission_meeting.present": {"full": present, "probationary": probationary},
            "admission_meeting.yes": {"full": yes, "probationary": probationary, "written": written},
        }
    )
    n = full - approved
    quorum = 2 * present > n
    majority = 2 * (yes + written) > n
    expected = set()
    if full < 3:
        expected.add("N-MIN-3-FULL")
    if not quorum:
        expected.add("N-QUORUM")
    elif not majority:
        expected.add("N-MAJORITY")
    assert {f["code"] for f in findings(dossier)} == expected


@SETTINGS
@given(full=st.integers(3, 40), present=st.integers(0, 40), yes=st.integers(0, 40), written=st.integers(0, 5))
def test_conversion_votes_use_the_same_arithmetic_under_their_own_code(full, present, yes, written):
    dossier = changed(
        {
            "conversions.0.meeting.full_members": full,
            "conversions.0.meeting.present": {"full": present, "probationary": 0},
            "conversions.0.meeting.yes": {"full": yes, "probationary": 0, "written": written},
        }
    )
    ok = 2 * present > full and 2 * (yes + written) > full
    assert {f["code"] for f in findings(dossier)} == (set() if ok else {"N-CONVERT-VOTE"})


# -- the engine never crashes on valid input -----------------------------------------------------------

_DATES = st.dates(min_value=date(2008, 1, 1), max_value=date(2030, 12, 31)).map(date.isoformat)


def _value_strategy(tp: Any) -> st.SearchStrategy:
    origin = get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in get_args(tp) if a is not type(None)][0]
        return st.one_of(st.none(), _value_strategy(inner))
    if origin is tuple:
        return st.lists(_value_strategy(get_args(tp)[0]), max_size=3)
    if origin is Literal:
        return st.sampled_from(get_args(tp))
    if tp is Date:
        return _DATES
    if tp is bool:
        return st.booleans()
    if tp is int:
        return st.integers(0, 30)
    if tp is str:
        return st.sampled_from(["甲", "公安", "入党志愿书", "NL05", ""])
    if dataclasses.is_dataclass(tp):
        return _object_strategy(tp)
    raise AssertionError(tp)


def _object_strategy(cls: type) -> st.SearchStrategy:
    hints = get_type_hints(cls)
    optional = {f.name: _value_strategy(hints[f.name]) for f in dataclasses.fields(cls)}
    return st.fixed_dictionaries({}, optional=optional)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(dossier=_object_strategy(Dossier), config=_object_strategy(Config), as_of=_DATES)
def test_the_engine_never_crashes_on_valid_input(dossier, config, as_of):
    result = check_document({"as_of": as_of, "config": config, "dossiers": [dossier]})["results"][0]
    assert result["status"] in (
        "none",
        "applicant",
        "activist",
        "candidate",
        "probationary",
        "full_member",
        "cancelled",
    )
    assert result["next_step"] is None or result["next_step"] in STEP_BY_CODE
    steps = [int(f["step"][1:]) for f in result["findings"]]
    assert steps == sorted(steps)
    for finding in result["findings"]:
        assert finding["code"] in RULES and finding["severity"] in ("E", "W")
        assert finding["source"] == RULES[finding["code"]].source
        assert finding["message"]
    for key in result.get("provisional_computed", []):
        assert key in result["computed"]


@SETTINGS
@given(
    st.sampled_from(
        [
            "talk.date",
            "activist.date",
            "candidate.date",
            "political_review.date",
            "admission_meeting.date",
            "approval.date",
            "oath",
            "conversions.0.meeting.date",
            "conversions.0.approval",
            "archive.date",
        ]
    ),
    _DATES,
)
def test_moving_one_date_anywhere_gives_well_formed_findings(path, day):
    result = result_of(changed({path: day}))
    assert all(f["message"] and f["code"] in RULES for f in result["findings"])
    # Each violation once: no two findings say the same thing.
    said = [(f["code"], f["step"], f["message"]) for f in result["findings"]]
    assert len(said) == len(set(said))


# -- moving a step later never makes it "too early" ----------------------------------------------------
# The minimum-period rules (earliest dates): each holds a later step against an earlier one. Moving the later
# step's date further on can only satisfy its minimum more; it may break other rules (an order, a deadline),
# never these. Each path is paired with the rules for which it is the later side (with their switches on).
_EARLIEST = {
    "application.received": ("N-AGE-18",),
    "activist.date": ("L-APPLY-6M",),
    "candidate.date": ("N-ACT-1Y",),
    "candidate.filed": ("N-ACT-1Y",),  # with candidate_date: filing, the filing date is the one measured
    "admission_meeting.date": ("L-SIX-NO",),
    "conversions.0.meeting.date": ("Q-CONVERT-NOT-EARLY",),
}
_EARLIEST_CONFIG = {"min_cultivation_years": 1, "application_min_months": 6}


def _day_plus(day: str, days: int) -> str:
    return date.fromordinal(date.fromisoformat(day).toordinal() + days).isoformat()


def _get(dossier: dict[str, Any], path: str) -> Any:
    node: Any = dossier
    for part in path.split("."):
        node = node[int(part)] if part.isdigit() else node[part]
    return node


@SETTINGS
@given(
    path=st.sampled_from(sorted(_EARLIEST)),
    days=st.integers(min_value=1, max_value=4000),
    strict_anniversary=st.booleans(),
    strict_birthday=st.booleans(),
    candidate_date=st.sampled_from(["committee", "filing"]),
)
def test_moving_one_step_later_never_creates_an_earliest_date_violation(
    path, days, strict_anniversary, strict_birthday, candidate_date
):
    config = dict(_EARLIEST_CONFIG, strict_anniversary=strict_anniversary, strict_birthday=strict_birthday,
                  candidate_date=candidate_date)
    base = valid_dossier()
    before = {f["code"] for f in findings(base, as_of="2040-12-31", **config)}
    later = changed({path: _day_plus(_get(base, path), days)}, base)
    after = {f["code"] for f in findings(later, as_of="2040-12-31", **config)}
    # Only the rules this date is the later side of; those absent before must stay absent.
    for code in _EARLIEST[path]:
        assert code not in after or code in before


def test_the_earliest_date_property_can_fail():
    # The same move the other way round: an earlier candidate date does create N-ACT-1Y.
    base = valid_dossier()
    earlier = changed({"candidate.date": _day_plus(base["candidate"]["date"], -60),
                       "candidate.opinions_heard": _day_plus(base["candidate"]["date"], -62)}, base)
    assert "N-ACT-1Y" in {f["code"] for f in findings(earlier)}
