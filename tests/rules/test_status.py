"""Status, next_step and computed dates (PROCEDURE.md §2, §3), on the dict and the typed API."""

from __future__ import annotations

from datetime import date

import pytest

from dangjian.rules import Result
from tests.rules.records import changed, result_of, typed, up_to, valid_dossier, without

ITEMS = valid_dossier()["archive"]["items"]


def _extension(second: dict | None = None) -> dict:
    dossier = changed(
        {
            "conversions.0.decision": "extend",
            "conversions.0.extension_months": 6,
            "conversions.0.recorded_full_member_date": None,
        }
    )
    dossier.pop("archive")
    if second is not None:
        dossier["conversions"].append(second)
    return dossier


@pytest.mark.parametrize(
    ("name", "dossier", "as_of", "status", "next_step"),
    [
        ("nothing", {"id": "x"}, "2025-06-30", "none", "S01"),
        ("applied", up_to("S01"), "2022-03-10", "applicant", "S02"),
        ("talked", up_to("S02"), "2022-03-25", "applicant", "S03"),
        ("activist", up_to("S03"), "2022-09-06", "activist", "S04"),
        ("activist-filed-and-mentored", up_to("S05"), "2022-09-11", "activist", "S06"),
        ("candidate", up_to("S07"), "2023-09-21", "candidate", "S08"),
        ("admitted-not-approved", up_to("S16"), "2024-01-06", "candidate", "S17"),
        ("approved", up_to("S17"), "2024-01-18", "probationary", "S18"),
        ("converting", up_to("S21"), "2024-06-21", "probationary", "S22"),
        (
            "conversion-meeting-held",
            without("S25", dossier=changed({"conversions.0.approval": None})),
            "2024-12-21",
            "probationary",
            "S24",
        ),
        ("full-member-not-archived", without("S25"), "2025-01-11", "full_member", "S25"),
        ("full-member-archived", valid_dossier(), "2025-06-30", "full_member", None),
        ("full-member-without-enrolment", without("S19"), "2025-06-30", "full_member", None),
        (
            "full-member-not-archived-without-enrolment",
            without("S19", "S25"),
            "2025-01-11",
            "full_member",
            "S19",
        ),
        ("cancelled", changed({"conversions.0.decision": "cancel"}), "2025-06-30", "cancelled", None),
        (
            "cancel-decided-not-approved",
            changed({"conversions.0.decision": "cancel", "conversions.0.approval": None}),
            "2025-01-01",
            "probationary",
            "S24",
        ),
        ("extension-approved", _extension(), "2025-02-01", "probationary", "S22"),
        (
            "extension-decided-not-approved",
            without(
                "S25",
                dossier=changed(
                    {
                        "conversions.0.decision": "extend",
                        "conversions.0.extension_months": 6,
                        "conversions.0.approval": None,
                    }
                ),
            ),
            "2025-01-01",
            "probationary",
            "S24",
        ),
        (
            "after-extension-applied",
            _extension({"application": "2025-06-10"}),
            "2025-06-11",
            "probationary",
            "S23",
        ),
        (
            "after-extension-converted",
            _extension(
                {
                    "application": "2025-06-10",
                    "meeting": valid_dossier()["conversions"][0]["meeting"] | {"date": "2025-06-20"},
                    "decision": "on_time",
                    "approval": "2025-06-25",
                    "recorded_full_member_date": "2025-06-20",
                }
            ),
            "2025-06-26",
            "full_member",
            "S25",
        ),
        ("furthest-step-wins", without("S03"), "2025-06-30", "full_member", None),
        ("candidate-without-activist", up_to("S07", without("S03")), "2023-09-21", "candidate", "S03"),
    ],
)
def test_status_and_next_step(name, dossier, as_of, status, next_step):
    result = result_of(dossier, as_of=as_of)
    assert (result["status"], result["next_step"]) == (status, next_step)


def test_computed_dates_appear_when_their_inputs_are_recorded():
    assert result_of({"id": "x"})["computed"] == {}
    assert result_of(up_to("S01"), as_of="2022-03-10")["computed"] == {"talk_deadline": "2022-04-01"}
    computed = result_of(up_to("S15"), as_of="2023-12-21")["computed"]
    assert computed == {
        "talk_deadline": "2022-04-01",
        "earliest_candidate_date": "2023-09-05",
        "approval_due": "2024-03-20",
        "approval_hard_limit": "2024-06-20",
        "probation_end": "2024-12-20",
        "full_member_date": "2024-12-20",
    }


def test_extension_dates_and_conversion_due():
    result = result_of(
        _extension(
            {
                "application": "2025-06-10",
                "meeting": valid_dossier()["conversions"][0]["meeting"] | {"date": "2025-06-20"},
                "decision": "on_time",
            }
        ),
        as_of="2025-06-21",
    )
    assert result["computed"]["extension_end"] == "2025-06-20"
    assert result["computed"]["full_member_date"] == "2025-06-20"
    assert result["computed"]["conversion_approval_due"] == "2025-09-20"  # from the latest conversion meeting


def test_cancelled_has_no_full_member_date():
    computed = result_of(changed({"conversions.0.decision": "cancel"}))["computed"]
    assert "full_member_date" not in computed and computed["probation_end"] == "2024-12-20"


@pytest.mark.parametrize(
    ("as_of", "assessments", "due"),
    [
        ("2025-01-01", [], "2025-03-05"),
        ("2025-03-05", [], "2025-03-05"),  # a window ending today still counts
        ("2025-01-01", [{"date": "2025-02-01"}], "2025-09-05"),  # this half-year already assessed
        ("2025-03-06", [], "2025-09-05"),  # first window passed unassessed (a finding)
    ],
)
def test_next_assessment_due_while_an_activist(as_of, assessments, due):
    dossier = changed(
        {
            "activist.date": "2024-09-05",
            "activist.filed": "2024-09-06",
            "assessments": assessments,
            "application.received": "2024-08-01",
            "talk.date": "2024-08-20",
        },
        up_to("S03"),
    )
    assert result_of(dossier, as_of=as_of)["computed"]["next_assessment_due"] == due


def test_no_next_assessment_due_once_a_candidate():
    assert "next_assessment_due" not in result_of(up_to("S07"), as_of="2023-09-21")["computed"]


def test_typed_api_returns_a_result():
    result = typed(valid_dossier())
    assert isinstance(result, Result)
    assert result.status == "full_member" and result.next_step is None and result.findings == ()
    assert result.computed["probation_end"] == date(2024, 12, 20)
    assert result.rule_version == "2014"
    assert result.to_dict()["computed"]["probation_end"] == "2024-12-20"


def test_typed_findings_and_config():
    result = typed(changed({"talk.date": "2022-04-02"}), strict_anniversary=True)
    assert [(f.code, f.severity, f.step, f.source) for f in result.findings] == [
        ("N-TALK-1M", "E", "S02", "细则第7条")
    ]
    assert result.computed["earliest_candidate_date"] == date(2023, 9, 6)
