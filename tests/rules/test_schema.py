"""Strict validation of the §5 input: every error names the JSON path at fault."""

from __future__ import annotations

from datetime import date

import pytest

from dangjian.rules import Config, Dossier, InputError, check_document, validate_document
from tests.rules.records import valid_doc


def _error(doc) -> InputError:
    with pytest.raises(InputError) as info:
        validate_document(doc)
    return info.value


def _set(doc, path, value):
    node = doc
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return doc


@pytest.mark.parametrize(
    ("path", "value", "at", "says"),
    [
        (("dossiers", 0, "activist", "dat"), "2022-09-05", "$.dossiers[0].activist.dat", "unknown field"),
        (("extra",), 1, "$.extra", "unknown field"),
        (("config", "strict"), True, "$.config.strict", "unknown field"),
        (
            ("dossiers", 0, "conversions", 0, "meeting", "quorum"),
            1,
            "$.dossiers[0].conversions[0].meeting.quorum",
            "unknown field",
        ),
        (
            ("dossiers", 0, "admission_meeting", "full_members"),
            "20",
            "$.dossiers[0].admission_meeting.full_members",
            "non-negative integer",
        ),
        (
            ("dossiers", 0, "admission_meeting", "full_members"),
            -1,
            "$.dossiers[0].admission_meeting.full_members",
            "negative",
        ),
        (
            ("dossiers", 0, "admission_meeting", "present", "full"),
            3.0,
            "$.dossiers[0].admission_meeting.present.full",
            "non-negative integer",
        ),
        (("dossiers", 0, "training", "days"), True, "$.dossiers[0].training.days", "non-negative integer"),
        (("dossiers", 0, "talk", "date"), "2023-02-30", "$.dossiers[0].talk.date", "impossible date"),
        (("dossiers", 0, "talk", "date"), "2023/02/03", "$.dossiers[0].talk.date", "YYYY-MM-DD"),
        (("dossiers", 0, "talk", "date"), 20230203, "$.dossiers[0].talk.date", "YYYY-MM-DD"),
        (("dossiers", 0, "talk", "date"), "1899-12-31", "$.dossiers[0].talk.date", "out of range"),
        (("as_of",), "2025-13-01", "$.as_of", "impossible date"),
        (("dossiers", 0, "talk", "talker_role"), "boss", "$.dossiers[0].talk.talker_role", "expected one of"),
        (
            ("dossiers", 0, "committee_talk", "talker_role"),
            "secretary",
            "$.dossiers[0].committee_talk.talker_role",
            "expected one of",
        ),
        (
            ("dossiers", 0, "pre_review", "written_notice"),
            "yes",
            "$.dossiers[0].pre_review.written_notice",
            "true or false",
        ),
        (("dossiers", 0, "mentors"), {}, "$.dossiers[0].mentors", "list"),
        (("dossiers", 0, "mentors", 1), None, "$.dossiers[0].mentors[1]", "null"),
        (("dossiers", 0, "mentors", 1), "乙", "$.dossiers[0].mentors[1]", "object"),
        (
            ("dossiers", 0, "activist", "nomination", 0),
            "friend",
            "$.dossiers[0].activist.nomination[0]",
            "expected one of",
        ),
        (
            ("dossiers", 0, "admission_meeting", "exclusions", 0, "approved_by_higher"),
            "true",
            "$.dossiers[0].admission_meeting.exclusions[0].approved_by_higher",
            "true or false",
        ),
        (
            ("dossiers", 0, "probation_assessments", 0),
            "2024-06-31",
            "$.dossiers[0].probation_assessments[0]",
            "impossible date",
        ),
        (("dossiers", 0, "id"), 7, "$.dossiers[0].id", "string"),
        (("dossiers", 0), "x", "$.dossiers[0]", "object"),
        (("config",), [], "$.config", "object"),
        (("config", "publicity_at"), ["candidate", "party"], "$.config.publicity_at[1]", "expected one of"),
        (("config", "min_cultivation_years"), -2, "$.config.min_cultivation_years", "negative"),
        (("config", "joint_review_gate"), "approval", "$.config.joint_review_gate", "expected one of"),
        (
            ("dossiers", 0, "conversions", 0, "decision"),
            "postpone",
            "$.dossiers[0].conversions[0].decision",
            "expected one of",
        ),
    ],
)
def test_bad_input_names_the_path(path, value, at, says):
    error = _error(_set(valid_doc(), path, value))
    assert error.path == at
    assert says in error.message
    assert str(error) == f"{at}: {error.message}"


def test_the_document_must_be_an_object_with_dossiers():
    assert _error([]).path == "$"
    assert _error({"as_of": "2025-01-01"}).path == "$.dossiers"
    assert _error({"dossiers": None}).path == "$.dossiers"


def test_null_and_absent_mean_not_recorded():
    doc = {"dossiers": [{key: None for key in Dossier.__dataclass_fields__}], "config": None, "as_of": None}
    out = check_document(doc, today=date(2025, 6, 30))
    assert out == {
        "results": [
            {
                "id": None,
                "rule_version": "2014",
                "status": "none",
                "next_step": "S01",
                "computed": {},
                "findings": [],
            }
        ]
    }


def test_config_defaults_are_those_of_section_5():
    config = Config.from_dict({})
    assert config == Config.from_dict(valid_doc()["config"])
    assert (config.candidate_date, config.joint_review_gate, config.publicity_at) == (
        "committee",
        "candidate",
        (),
    )
    assert Config.from_dict({"strict_anniversary": None}).strict_anniversary is False


def test_as_of_defaults_to_today():
    doc = valid_doc()
    del doc["as_of"]
    doc["dossiers"][0] = {"application": {"received": "2025-01-01"}, "person": {"birth_date": "1990-01-01"}}
    assert check_document(doc, today=date(2025, 2, 1))["results"][0]["findings"] == []
    found = check_document(doc, today=date(2025, 2, 2))["results"][0]["findings"]
    assert [f["code"] for f in found] == ["N-TALK-1M"]


def test_from_dict_parses_typed_parts_and_accepts_date_objects():
    dossier = Dossier.from_dict({"application": {"received": date(2025, 1, 1)}, "mentors": [{"name": "甲"}]})
    assert dossier.application.received == date(2025, 1, 1)
    assert dossier.mentors[0].name == "甲" and dossier.mentors[0].status is None
    assert dossier.assessments == ()
    with pytest.raises(InputError) as info:
        Dossier.from_dict({"talk": {"when": "2025-01-01"}})
    assert info.value.path == "$.talk.when"


def test_validate_document_returns_the_parsed_document():
    document = validate_document(valid_doc())
    assert document.as_of == date(2025, 6, 30)
    assert document.dossiers[0].admission_meeting.exclusions[0].approved_by_higher is True
    assert document.dossiers[0].conversions[0].meeting.yes.full == 14
