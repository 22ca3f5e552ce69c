"""PROCEDURE.md §5 (the valid record and the output example) and every worked example of §6."""

from __future__ import annotations

from tests.rules.records import (
    after,
    changed,
    check_document,
    codes,
    findings,
    moved_to,
    redate_from_approval,
    result_of,
    valid_doc,
    valid_dossier,
)


def test_the_valid_record_gives_no_finding():
    out = check_document(valid_doc())
    assert out == {
        "results": [
            {
                "id": "any text",
                "rule_version": "2014",
                "status": "full_member",
                "next_step": None,
                "computed": {
                    "talk_deadline": "2022-04-01",
                    "earliest_candidate_date": "2023-09-05",
                    "approval_due": "2024-03-20",
                    "approval_hard_limit": "2024-06-20",
                    "probation_end": "2024-12-20",
                    "full_member_date": "2024-12-20",
                    "conversion_approval_due": "2025-03-20",
                },
                "findings": [],
            }
        ]
    }


def test_the_output_example_of_section_5():
    dossier = changed({"candidate.date": "2023-06-15", "candidate.opinions_heard": "2023-06-13"})
    result = result_of(dossier)
    assert result == {
        "id": "any text",
        "rule_version": "2014",
        "status": "full_member",
        "next_step": None,
        "computed": {
            "talk_deadline": "2022-04-01",
            "earliest_candidate_date": "2023-09-05",
            "approval_due": "2024-03-20",
            "approval_hard_limit": "2024-06-20",
            "probation_end": "2024-12-20",
            "full_member_date": "2024-12-20",
            "conversion_approval_due": "2025-03-20",
        },
        "findings": [
            {
                "code": "N-ACT-1Y",
                "severity": "E",
                "step": "S07",
                "message": "确定为发展对象时培养考察不满一年（最早 2023-09-05）",
                "source": "细则第13条",
            }
        ],
    }


def _leap_activist_record():
    doc = moved_to(("activist", "date"), "2024-02-29")
    dossier = doc["dossiers"][0]
    dossier["candidate"]["date"] = "2025-02-28"
    dossier["candidate"]["opinions_heard"] = "2025-02-26"
    return dossier, doc["as_of"]


def test_activist_on_29_february_may_become_candidate_on_28_february_next_year():
    dossier, as_of = _leap_activist_record()
    assert codes(dossier, as_of=as_of) == []
    assert result_of(dossier, as_of=as_of)["computed"]["earliest_candidate_date"] == "2025-02-28"


def test_with_strict_anniversary_the_same_dates_fail():
    dossier, as_of = _leap_activist_record()
    assert codes(dossier, as_of=as_of, strict_anniversary=True) == [("N-ACT-1Y", "E")]
    assert (
        result_of(dossier, as_of=as_of, strict_anniversary=True)["computed"]["earliest_candidate_date"]
        == "2025-03-01"
    )


def test_talk_one_month_after_31_january_is_due_28_february():
    doc = moved_to(("application", "received"), "2025-01-31")
    dossier, as_of = doc["dossiers"][0], doc["as_of"]
    dossier["talk"]["date"] = "2025-02-28"
    assert codes(dossier, as_of=as_of) == []
    assert result_of(dossier, as_of=as_of)["computed"]["talk_deadline"] == "2025-02-28"
    dossier["talk"]["date"] = "2025-03-01"
    assert codes(dossier, as_of=as_of) == [("N-TALK-1M", "E")]


def _meeting(**changes):
    base = {"admission_meeting.exclusions": [], "admission_meeting.yes.written": 0}
    base.update({f"admission_meeting.{k}": v for k, v in changes.items()})
    return changed(base)


def test_quorum_exactly_half_fails():
    dossier = _meeting(**{"full_members": 16, "present.full": 8, "yes.full": 8})
    found = findings(dossier)
    assert [(f["code"], f["severity"], f["step"]) for f in found] == [("N-QUORUM", "E", "S15")]
    assert "至少需 9 人" in found[0]["message"] and "16" in found[0]["message"]


def test_majority_exactly_half_fails():
    dossier = _meeting(**{"full_members": 16, "present.full": 9, "yes.full": 8})
    found = findings(dossier)
    assert [(f["code"], f["severity"]) for f in found] == [("N-MAJORITY", "E")]
    assert "至少需 9 票" in found[0]["message"]


def test_written_yes_votes_count_toward_the_majority():
    dossier = _meeting(**{"full_members": 10, "present.full": 6, "yes.full": 4, "yes.written": 2})
    assert codes(dossier) == []


def test_two_days_of_training_pass_with_24_class_hours():
    assert codes(changed({"training.days": 2, "training.hours": 24})) == []


def test_approval_after_28_february_needs_a_special_reason():
    doc = moved_to(("admission_meeting", "date"), "2025-11-30")
    dossier, as_of = doc["dossiers"][0], doc["as_of"]
    redate_from_approval("2026-03-02", dossier)
    result = result_of(dossier, as_of=as_of)
    assert [(f["code"], f["severity"]) for f in result["findings"]] == [("N-APPROVE-3M", "W")]
    assert result["computed"]["approval_due"] == "2026-02-28"
    dossier["approval"]["special_reason"] = "春节期间党委会未能召开"
    assert codes(dossier, as_of=as_of) == []


def test_an_extension_of_four_months_is_refused_and_its_end_is_overdue():
    dossier = changed({"conversions.0.decision": "extend", "conversions.0.extension_months": 4})
    result = result_of(dossier)
    assert [(f["code"], f["severity"]) for f in result["findings"]] == [
        ("N-EXTEND", "E"),
        ("Q-OVERDUE-CONVERSION", "W"),
    ]
    assert result["computed"]["extension_end"] == "2025-04-20"
    assert result["status"] == "probationary" and result["next_step"] == "S22"


def test_admission_on_29_february_ends_probation_on_28_february():
    doc = moved_to(("admission_meeting", "date"), "2024-02-29")
    dossier, as_of = doc["dossiers"][0], doc["as_of"]
    result = result_of(dossier, as_of=as_of)
    assert result["computed"]["probation_end"] == "2025-02-28"
    assert result["findings"] == []


def test_each_worked_example_changes_only_what_it_names():
    # Guard for the helpers above: the shifted records are themselves finding-free.
    for path, target in [
        (("application", "received"), "2025-01-31"),
        (("admission_meeting", "date"), "2025-11-30"),
        (("activist", "date"), "2024-02-29"),
    ]:
        doc = moved_to(path, target)
        assert check_document(doc)["results"][0]["findings"] == [], (path, target)
    assert valid_dossier()["talk"]["date"] == "2022-03-20"
    assert after("2025-01-31", 28) == "2025-02-28"
