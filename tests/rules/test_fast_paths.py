"""The engine's fast paths give exactly what the plain paths give.

- the compiled fast parser (``validate_document``, ``parse_object``) and the strict parser
  (``validate_document_strict``): equal documents on valid input, the same error (path and message) on
  malformed input — the fast parser declines and the strict one decides;
- ``evaluate`` (check runs skipped by their gates) and ``evaluate_every_check`` (every national check);
- ``check_document`` (fast parser, one dossier at a time) and the reference: strict parser, every check;
- the memos and shortcuts (rule sets in force, step order) the engine relies on.

On generated dossiers (dangjian.rules.sampler: every stage, faults, six county configs, five check dates)
and on Hypothesis input, valid and not.
"""

from __future__ import annotations

import copy
import dataclasses
import enum
import types
import typing
from datetime import date, datetime, timedelta
from typing import Any, Literal, get_args, get_origin, get_type_hints

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.rules import RULES, STEPS, Config, Dossier, InputError, check_document, evaluate
from dangjian.rules.catalog import RULE_SETS, rule_applies
from dangjian.rules.checks_national import CHECK_RUNS, NATIONAL_CHECKS
from dangjian.rules.context import Ctx, step_facts
from dangjian.rules.engine import evaluate_every_check
from dangjian.rules.sampler import AS_OF_DATES, CONFIGS, sample_documents
from dangjian.rules.schema import Date, validate_document, validate_document_strict
from dangjian.rules.steps import STEP_CODES, dependents_of, step_index

HYPOTHESIS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


def _reference(doc: Any) -> dict[str, Any]:
    """``check_document`` the plain way: the strict parser, then every check on every dossier."""
    document = validate_document_strict(doc)
    as_of = document.as_of or date.today()
    return {"results": [evaluate_every_check(d, document.config, as_of).to_dict() for d in document.dossiers]}


def _outcome(fn, doc: Any) -> tuple[str, Any]:
    try:
        return "ok", fn(doc)
    except InputError as exc:
        return "error", (exc.path, exc.message)


# -- generated dossiers ----------------------------------------------------------------------------------

GENERATED = list(sample_documents(3000, seed=7, batch=100))


def test_the_generated_documents_cover_every_config_check_date_and_stage():
    assert {str(doc["config"]) for doc in GENERATED} == {str(c) for c in CONFIGS}
    assert {doc["as_of"] for doc in GENERATED} == {d.isoformat() for d in AS_OF_DATES}
    statuses = {r["status"] for doc in GENERATED[:12] for r in check_document(doc)["results"]}
    assert statuses >= {"applicant", "activist", "candidate", "probationary", "full_member"}


def test_the_generator_is_deterministic():
    assert list(sample_documents(300, seed=7, batch=100)) == GENERATED[:3]
    assert list(sample_documents(100, seed=8, batch=100)) != GENERATED[:1]


@pytest.mark.parametrize("doc", GENERATED, ids=lambda doc: f"{doc['as_of']}-{doc['dossiers'][0]['id']}")
def test_fast_paths_equal_the_plain_paths_on_generated_dossiers(doc):
    assert validate_document(doc) == validate_document_strict(doc)
    assert check_document(doc) == _reference(doc)


def test_generated_dossiers_evaluate_the_same_with_or_without_skipping_runs():
    for doc in GENERATED[::5]:
        document = validate_document(doc)
        for dossier in document.dossiers:
            assert evaluate(dossier, document.config, document.as_of) == evaluate_every_check(
                dossier, document.config, document.as_of
            )


MALFORMED: list[tuple[str, Any]] = [
    ("dossiers[0].talk.dat", "2023-01-01"),  # unknown field
    ("dossiers[0].activist.date", "2023-02-30"),  # impossible date
    ("dossiers[0].activist.date", "1899-12-31"),  # out of range
    ("dossiers[0].activist.date", "2023-1-5"),
    ("dossiers[0].activist.date", "２０２３-01-05"),  # not ASCII digits
    ("dossiers[0].activist.date", "2023-01-05\n"),
    ("dossiers[0].activist.date", 20230105),
    ("dossiers[0].activist.date", datetime(2023, 1, 5, 10, 0)),  # a datetime is not a date
    ("dossiers[0].activist.date", date(2023, 1, 5)),  # a date object is taken
    ("dossiers[0].activist.nomination", ["party_member", None]),
    ("dossiers[0].activist.nomination", "party_member"),
    ("dossiers[0].activist.nomination", ["chosen"]),
    ("dossiers[0].activist.decided_by", "committee"),
    ("dossiers[0].activist", []),
    ("dossiers[0].mentors", [None]),
    ("dossiers[0].mentors", {"name": "甲"}),
    ("dossiers[0].person.near_relative_of_cadre", 1),
    ("dossiers[0].person.near_relative_of_cadre", "true"),
    ("dossiers[0].talk.talker", 5),
    ("dossiers[0].admission_meeting.full_members", -1),
    ("dossiers[0].admission_meeting.full_members", 3.0),
    ("dossiers[0].admission_meeting.full_members", True),
    ("dossiers[0].admission_meeting.full_members", "20"),
    ("dossiers[0].admission_meeting.present", None),  # null: not recorded
    ("dossiers[0].probation_assessments", ["2024-06-20", None]),
    ("dossiers[0].id", 12),
    ("config.tiers", "yes"),
    ("config.publicity_at", ["activist", "everywhere"]),
    ("config.unknown", True),
    ("as_of", "yesterday"),
    ("as_of", None),
    ("extra", 1),
    ("dossiers", None),
    ("dossiers", {}),
]


class _Count(enum.IntEnum):
    TWENTY = 20


class _Text(str):
    pass


MALFORMED += [
    ("dossiers[0].admission_meeting.full_members", _Count.TWENTY),  # an int subclass: the strict parser takes it
    ("dossiers[0].talk.talker", _Text("王某")),  # a str subclass likewise
]


def _set_path(doc: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    target: Any = out
    parts = path.replace("[", ".").replace("]", "").split(".")
    for part in parts[:-1]:
        target = target[int(part)] if part.isdigit() else target.setdefault(part, {})
    target[parts[-1]] = value
    return out


@pytest.mark.parametrize(("path", "value"), MALFORMED, ids=[f"{p}={v!r}" for p, v in MALFORMED])
def test_on_malformed_input_the_fast_parser_gives_way_to_the_strict_one(path, value):
    full = next(d for doc in GENERATED for d in doc["dossiers"] if "admission_meeting" in d and "talk" in d)
    doc = _set_path({"as_of": "2025-06-30", "config": {}, "dossiers": [full]}, path, value)
    expected = _outcome(validate_document_strict, doc)
    assert _outcome(validate_document, doc) == expected
    assert _outcome(check_document, doc) == _outcome(_reference, doc)
    if expected[0] == "ok":
        assert Dossier.from_dict(doc["dossiers"][0]) == expected[1].dossiers[0]


def test_a_document_that_is_not_an_object_is_refused_alike():
    for doc in (None, [], "x", 3):
        assert _outcome(validate_document, doc) == _outcome(validate_document_strict, doc)


def test_fast_parsed_records_behave_like_constructed_ones():
    doc = GENERATED[0]
    fast, strict = validate_document(doc), validate_document_strict(doc)
    for a, b in zip(fast.dossiers, strict.dossiers, strict=True):
        assert a == b and hash(a) == hash(b) and repr(a) == repr(b)
        assert dataclasses.asdict(a) == dataclasses.asdict(b)
        with pytest.raises(dataclasses.FrozenInstanceError):
            a.id = "changed"  # type: ignore[misc]


# -- Hypothesis: records valid or not -----------------------------------------------------------------------

_DATES = st.dates(min_value=date(2008, 1, 1), max_value=date(2030, 12, 31)).map(date.isoformat)
_JUNK = st.sampled_from([-1, 2.5, True, "x", "2023-02-30", "1899-12-31", [], {}, [None], 0, "", "2024-02-29"])


def _value(tp: Any, messy: bool) -> st.SearchStrategy:
    origin = get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in get_args(tp) if a is not type(None)][0]
        plain = st.one_of(st.none(), _value(inner, messy))
    elif origin is tuple:
        plain = st.lists(_value(get_args(tp)[0], messy), max_size=3)
    elif origin is Literal:
        plain = st.sampled_from(get_args(tp))
    elif tp is Date:
        plain = _DATES
    elif tp is bool:
        plain = st.booleans()
    elif tp is int:
        plain = st.integers(0, 30)
    elif tp is str:
        plain = st.sampled_from(["甲", "公安", "入党志愿书", "NL05", ""])
    elif dataclasses.is_dataclass(tp):
        plain = _object(tp, messy)
    else:  # pragma: no cover
        raise AssertionError(tp)
    return st.one_of(plain, _JUNK) if messy else plain


def _object(cls: type, messy: bool) -> st.SearchStrategy:
    hints = get_type_hints(cls)
    optional = {f.name: _value(hints[f.name], messy) for f in dataclasses.fields(cls)}
    if messy:
        optional["unexpected"] = st.just(1)
    return st.fixed_dictionaries({}, optional=optional)


@HYPOTHESIS
@given(dossier=_object(Dossier, messy=True), config=_object(Config, messy=True), as_of=_DATES)
def test_fast_and_strict_parsers_agree_on_anything(dossier, config, as_of):
    doc = {"as_of": as_of, "config": config, "dossiers": [dossier]}
    assert _outcome(validate_document, doc) == _outcome(validate_document_strict, doc)


@HYPOTHESIS
@given(dossier=_object(Dossier, messy=False), config=_object(Config, messy=False), as_of=_DATES)
def test_fast_paths_equal_the_plain_paths_on_any_valid_record(dossier, config, as_of):
    doc = {"as_of": as_of, "config": config, "dossiers": [dossier]}
    assert check_document(doc) == _reference(doc)
    parsed = validate_document(doc)
    record = parsed.dossiers[0]
    assert evaluate(record, parsed.config, parsed.as_of) == evaluate_every_check(record, parsed.config, parsed.as_of)


# -- what the shortcuts rely on -------------------------------------------------------------------------------


def test_every_step_depends_only_on_earlier_steps():
    # Ctx.furthest, the missing-step cut-off and check_order's pairs rely on it.
    for step in STEPS:
        assert all(step_index(dep) < step_index(step.code) for dep in step.depends_on)
        assert all(step_index(later) > step_index(step.code) for later in dependents_of(step.code))


def test_step_facts_are_keyed_in_step_order():
    dates, recorded = step_facts(Dossier())
    assert tuple(dates) == STEP_CODES and tuple(recorded) == STEP_CODES


def test_the_check_runs_are_the_national_checks_in_order():
    assert tuple(check for _gate, run in CHECK_RUNS for check in run) == NATIONAL_CHECKS


def test_ctx_applies_agrees_with_rule_applies_on_every_day_and_rule():
    ctx = Ctx(Dossier(), Config(), date(2025, 6, 30))
    day = date(2013, 1, 1)
    while day < date(2016, 1, 1):
        for code in RULES:
            assert ctx.applies(code, day) == rule_applies(code, day)
        day += timedelta(days=7)
    first = RULE_SETS[0].effective
    for day in (first - timedelta(days=1), first, date(2199, 12, 31), None):
        for code in RULES:
            assert ctx.applies(code, day) == rule_applies(code, day)
