"""Table-driven tests for every single-dossier local rule of PROCEDURE.md §4 (all off by default)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.rules.records import (
    changed,
    doc_with,
    findings,
    moved_to,
    redate_from_meeting,
    result_of,
    shift_years,
    up_to,
    valid_doc,
    valid_dossier,
    without,
)

E, W = "E", "W"
ITEMS = valid_dossier()["archive"]["items"]


def _got(dossier: dict[str, Any], as_of: str | None = None, **config: Any) -> list[tuple[str, str, str]]:
    return [(f["code"], f["severity"], f["step"]) for f in findings(dossier, as_of=as_of, **config)]


def test_every_local_rule_is_off_by_default():
    # A dossier that breaks every local rule gives no local finding without config.
    dossier = changed(
        {
            "person.near_relative_of_cadre": True,
            "person.tier": "long_term",
            "activist.nomination": ["party_member"],
            "assessments.1.rating": "poor",
            "candidate.publicity": None,
            "training.hours": 10,
            "training.days": 3,
            "joint_review": [],
            "county_review": None,
            "oath": "2024-02-25",
        }
    )
    assert [c for c in _got(dossier) if c[0].startswith("L-")] == []


LOCAL_ROWS: list[tuple[str, dict[str, Any] | tuple[dict[str, Any], str], dict[str, Any], list]] = [
    # L-SIX-NO (六不发展, seed 003), checked at the admission meeting
    ("six-no-one-year-enough", valid_dossier(), {"min_cultivation_years": 1}, []),
    ("six-no-two-years-short", valid_dossier(), {"min_cultivation_years": 2}, [("L-SIX-NO", E, "S15")]),
    ("six-no-two-years-on-anniversary", redate_from_meeting("2024-09-05"), {"min_cultivation_years": 2}, []),
    (
        "six-no-two-years-strict",
        redate_from_meeting("2024-09-05"),
        {"min_cultivation_years": 2, "strict_anniversary": True},
        [("L-SIX-NO", E, "S15")],
    ),
    (
        "six-no-without-tuiyou",
        changed({"activist.nomination": ["party_member"]}),
        {"min_cultivation_years": 1},
        [("L-SIX-NO", E, "S15")],
    ),
    (
        "six-no-last-assessment-average",
        changed({"assessments.1.rating": "average"}),
        {"min_cultivation_years": 1},
        [("L-SIX-NO", W, "S15")],
    ),
    (
        "six-no-earlier-assessment-average",
        changed({"assessments.0.rating": "poor"}),
        {"min_cultivation_years": 1},
        [],
    ),
    (
        "six-no-rating-not-recorded",
        changed({"assessments.1.rating": None}),
        {"min_cultivation_years": 1},
        [("L-SIX-NO", E, "S15")],
    ),
    (
        "six-no-without-training-is-reported-once",
        without("S11"),
        {"min_cultivation_years": 1},
        [("N-TRAINING", E, "S11")],
    ),
    (
        "six-no-review-failed-is-reported-once",
        changed({"political_review.result": "fail"}),
        {"min_cultivation_years": 1},
        [("N-POLREV", E, "S10")],
    ),
    (
        "six-no-without-activist-is-reported-once",
        without("S03"),
        {"min_cultivation_years": 1},
        [("N-ORDER", E, "S03")],
    ),
    ("six-no-before-meeting", up_to("S14"), {"min_cultivation_years": 5}, []),
    # L-KIN-COUNTY (seed 001)
    (
        "kin-approved-on-gate",
        changed({"person.near_relative_of_cadre": True, "kinship_approval": {"date": "2023-09-20"}}),
        {"kinship_gate": "candidate"},
        [],
    ),
    (
        "kin-approved-after-gate",
        changed({"person.near_relative_of_cadre": True, "kinship_approval": {"date": "2023-09-21"}}),
        {"kinship_gate": "candidate"},
        [("L-KIN-COUNTY", E, "S07")],
    ),
    (
        "kin-not-approved",
        changed({"person.near_relative_of_cadre": True}),
        {"kinship_gate": "activist"},
        [("L-KIN-COUNTY", E, "S03")],
    ),
    (
        "kin-approved-by-admission",
        changed({"person.near_relative_of_cadre": True, "kinship_approval": {"date": "2023-12-20"}}),
        {"kinship_gate": "admission"},
        [],
    ),
    ("kin-not-a-relative", valid_dossier(), {"kinship_gate": "activist"}, []),
    (
        "kin-relation-not-recorded",
        changed({"person.near_relative_of_cadre": None}),
        {"kinship_gate": "activist"},
        [("L-KIN-COUNTY", E, "S03")],
    ),
    (
        "kin-gate-not-reached",
        (up_to("S06", changed({"person.near_relative_of_cadre": True})), "2023-09-10"),
        {"kinship_gate": "candidate"},
        [],
    ),
    # L-JOINT-REVIEW (seeds 000, 001)
    ("joint-replied-before-gate", valid_dossier(), {"joint_review_departments": ["公安"]}, []),
    (
        "joint-replied-on-gate",
        changed({"joint_review.0.date": "2023-09-20"}),
        {"joint_review_departments": ["公安"]},
        [],
    ),
    (
        "joint-replied-after-gate",
        changed({"joint_review.0.date": "2023-09-21"}),
        {"joint_review_departments": ["公安"]},
        [("L-JOINT-REVIEW", E, "S07")],
    ),
    (
        "joint-department-missing",
        valid_dossier(),
        {"joint_review_departments": ["公安", "法院"]},
        [("L-JOINT-REVIEW", E, "S07")],
    ),
    (
        "joint-blocking",
        changed({"joint_review.0.finding": "blocking"}),
        {"joint_review_departments": ["公安"]},
        [("L-JOINT-REVIEW", E, "S07")],
    ),
    (
        "joint-cleared",
        changed({"joint_review.0.finding": "cleared"}),
        {"joint_review_departments": ["公安"]},
        [],
    ),
    (
        "joint-gate-admission",
        changed({"joint_review.0.date": "2023-12-01"}),
        {"joint_review_departments": ["公安"], "joint_review_gate": "admission"},
        [],
    ),
    # L-NEG-LIST (seed 001): whenever hits are recorded
    (
        "neg-block",
        changed({"negative_list_hits": [{"item": "NL05", "stage": "candidate", "effect": "block"}]}),
        {},
        [("L-NEG-LIST", E, "S07")],
    ),
    (
        "neg-refer",
        changed({"negative_list_hits": [{"item": "NL12", "stage": "admission", "effect": "refer"}]}),
        {},
        [("L-NEG-LIST", W, "S15")],
    ),
    (
        "neg-effect-not-recorded",
        changed({"negative_list_hits": [{"item": "NL12", "stage": "activist"}]}),
        {},
        [("L-NEG-LIST", E, "S03")],
    ),
    # L-3-LEVEL-REVIEW (seed 001)
    (
        "county-review-before-meeting",
        changed({"county_review": {"date": "2023-12-01", "result": "pass"}}),
        {"county_review_gate": "admission"},
        [],
    ),
    (
        "county-review-on-meeting-day",
        changed({"county_review": {"date": "2023-12-20", "result": "pass"}}),
        {"county_review_gate": "admission"},
        [],
    ),
    (
        "county-review-after-meeting",
        changed({"county_review": {"date": "2023-12-21", "result": "pass"}}),
        {"county_review_gate": "admission"},
        [("L-3-LEVEL-REVIEW", E, "S13")],
    ),
    (
        "county-review-before-prereview",
        changed({"county_review": {"date": "2023-11-27", "result": "pass"}}),
        {"county_review_gate": "admission"},
        [("L-3-LEVEL-REVIEW", E, "S13")],
    ),
    (
        "county-review-failed",
        changed({"county_review": {"date": "2023-12-01", "result": "fail"}}),
        {"county_review_gate": "admission"},
        [("L-3-LEVEL-REVIEW", E, "S13")],
    ),
    (
        "county-review-missing",
        valid_dossier(),
        {"county_review_gate": "approval"},
        [("L-3-LEVEL-REVIEW", E, "S13")],
    ),
    (
        "county-review-before-approval",
        changed({"county_review": {"date": "2024-01-10", "result": "pass"}}),
        {"county_review_gate": "approval"},
        [],
    ),
    # L-PUBLICITY (local practice)
    (
        "candidate-notice-five-working-days",
        valid_dossier(),
        {"publicity_at": ["candidate"], "publicity_working_days": 5},
        [],
    ),
    (
        "candidate-notice-too-short",
        valid_dossier(),
        {"publicity_at": ["candidate"], "publicity_working_days": 6},
        [("L-PUBLICITY", E, "S07")],
    ),
    (
        "filing-on-last-notice-day",
        changed({"candidate.filed": "2023-09-27"}),
        {"publicity_at": ["candidate"]},
        [("L-PUBLICITY", E, "S07")],
    ),
    (
        "no-candidate-notice-once-filed",
        changed({"candidate.publicity": None}),
        {"publicity_at": ["candidate"]},
        [("L-PUBLICITY", E, "S07")],
    ),
    (
        "no-candidate-notice-before-filing",
        up_to("S07", changed({"candidate.publicity": None, "candidate.filed": None})),
        {"publicity_at": ["candidate"]},
        [],
    ),
    (
        "notice-may-start-before-the-decision",
        changed({"candidate.publicity": {"start": "2023-09-18", "end": "2023-09-22"}}),
        {"publicity_at": ["candidate"], "publicity_working_days": 5},
        [],
    ),
    ("no-activist-notice", valid_dossier(), {"publicity_at": ["activist"]}, [("L-PUBLICITY", E, "S03")]),
    (
        "admission-notice",
        changed({"admission_meeting.publicity": {"start": "2023-12-21", "end": "2023-12-27"}}),
        {"publicity_at": ["admission"], "publicity_working_days": 5},
        [],
    ),
    (
        "admission-notice-ends-after-approval",
        changed({"admission_meeting.publicity": {"start": "2024-01-10", "end": "2024-01-18"}}),
        {"publicity_at": ["admission"]},
        [("L-PUBLICITY", E, "S15")],
    ),
    (
        "conversion-notice-missing",
        valid_dossier(),
        {"publicity_at": ["conversion"]},
        [("L-PUBLICITY", E, "S23")],
    ),
    (
        "conversion-notice",
        changed({"conversions.0.meeting.publicity": {"start": "2024-12-23", "end": "2024-12-27"}}),
        {"publicity_at": ["conversion"], "publicity_working_days": 5},
        [],
    ),
    (
        "notice-end-not-recorded",
        changed({"candidate.publicity.end": None}),
        {"publicity_at": ["candidate"]},
        [("L-PUBLICITY", E, "S07")],
    ),
    # L-MEETING-1M, L-OATH-1M (reported 2026 revision)
    (
        "meeting-a-month-after-prereview",
        redate_from_meeting("2023-12-28"),
        {"meeting_within_1m_of_prereview": True},
        [],
    ),
    (
        "meeting-over-a-month-after-prereview",
        redate_from_meeting("2023-12-29"),
        {"meeting_within_1m_of_prereview": True},
        [("L-MEETING-1M", E, "S15")],
    ),
    (
        "no-meeting-a-month-after-prereview",
        (up_to("S14"), "2023-12-29"),
        {"meeting_within_1m_of_prereview": True},
        [("L-MEETING-1M", E, "S15")],
    ),
    (
        "no-meeting-yet-within-the-month",
        (up_to("S14"), "2023-12-28"),
        {"meeting_within_1m_of_prereview": True},
        [],
    ),
    ("oath-on-the-month", changed({"oath": "2024-02-18"}), {"oath_within_1m": True}, []),
    (
        "oath-after-the-month",
        changed({"oath": "2024-02-19"}),
        {"oath_within_1m": True},
        [("L-OATH-1M", E, "S20")],
    ),
    (
        "no-oath-after-the-month",
        (up_to("S19"), "2024-02-19"),
        {"oath_within_1m": True},
        [("L-OATH-1M", E, "S20")],
    ),
    ("no-oath-once-converting-is-national", without("S20"), {"oath_within_1m": True}, [("N-OATH", E, "S20")]),
    # L-TRAINING-HOURS, L-APPLY-6M, L-TIER
    ("training-hours-enough", valid_dossier(), {"training_min_hours": 24}, []),
    ("training-hours-short", valid_dossier(), {"training_min_hours": 32}, [("L-TRAINING-HOURS", E, "S11")]),
    (
        "training-hours-not-recorded",
        changed({"training.hours": None}),
        {"training_min_hours": 24},
        [("L-TRAINING-HOURS", E, "S11")],
    ),
    ("six-months-after-application", valid_dossier(), {"application_min_months": 6}, []),
    (
        "activist-on-the-month",
        changed({"activist.date": "2022-09-01", "activist.filed": "2022-09-02"}),
        {"application_min_months": 6},
        [],
    ),
    ("activist-too-soon", valid_dossier(), {"application_min_months": 7}, [("L-APPLY-6M", E, "S03")]),
    ("tier-current-year", changed({"person.tier": "current_year"}), {"tiers": True}, []),
    ("tier-near-term", changed({"person.tier": "near_term"}), {"tiers": True}, [("L-TIER", W, "S07")]),
    ("tier-not-recorded", valid_dossier(), {"tiers": True}, [("L-TIER", E, "S07")]),
]


@pytest.mark.parametrize(("name", "dossier", "config", "expect"), LOCAL_ROWS, ids=[r[0] for r in LOCAL_ROWS])
def test_local_rule_row(name, dossier, config, expect):
    as_of = None
    if isinstance(dossier, tuple):
        dossier, as_of = dossier
    assert _got(dossier, as_of, **config) == expect


def test_local_findings_cite_the_seed():
    dossier = changed(
        {
            "negative_list_hits": [{"item": "NL05", "stage": "candidate", "effect": "block"}],
            "person.tier": "near_term",
        }
    )
    found = {
        f["code"]: f
        for f in findings(
            dossier, tiers=True, min_cultivation_years=2, kinship_gate="activist", publicity_at=["activist"]
        )
    }
    assert found["L-NEG-LIST"]["source"] == "001" and "NL05" in found["L-NEG-LIST"]["message"]
    assert found["L-TIER"]["source"] == "003"
    assert found["L-SIX-NO"]["source"] == "003" and "2024-09-05" in found["L-SIX-NO"]["message"]
    assert found["L-PUBLICITY"]["source"] == "local practice"


def test_a_notice_in_an_unknown_year_is_provisional():
    doc = shift_years(valid_doc(), 4)  # candidate notice 2027-09-21 … 2027-09-27: five weekdays, year unknown
    doc["config"].update({"publicity_at": ["candidate"], "publicity_working_days": 6})
    from dangjian.rules import check_document

    found = check_document(doc)["results"][0]["findings"]
    assert [(f["code"], f.get("provisional")) for f in found] == [("L-PUBLICITY", True)]
    assert "共 5 个工作日" in found[0]["message"]
    doc["config"]["publicity_working_days"] = 5
    assert check_document(doc)["results"][0]["findings"] == []


def test_a_notice_over_a_holiday_counts_working_days_only():
    # 2025 National Day: a notice 2025-09-30 … 2025-10-10 holds 3 working days (30 Sep, 9 and 10 Oct).
    doc = moved_to(("candidate", "date"), "2025-09-29")
    dossier = doc["dossiers"][0]
    dossier["candidate"]["publicity"] = {"start": "2025-09-30", "end": "2025-10-10"}
    dossier["candidate"]["filed"] = "2025-10-13"
    found = result_of(dossier, as_of=doc["as_of"], publicity_at=["candidate"], publicity_working_days=5)[
        "findings"
    ]
    assert [(f["code"], f["severity"]) for f in found] == [("L-PUBLICITY", "E")]
    assert "共 3 个工作日" in found[0]["message"] and "provisional" not in found[0]


def test_doc_with_keeps_the_config_defaults():
    assert doc_with(valid_dossier())["config"]["joint_review_gate"] == "candidate"
