"""holiday_rollover moves deadlines (never minimum periods or validity limits); unknown years: provisional."""

from __future__ import annotations

from tests.rules.records import (
    changed,
    moved_to,
    redate_from_approval,
    result_of,
    up_to,
    valid_dossier,
)

ROLL = {"holiday_rollover": True}


def _talk_case(received: str, talk: str) -> dict:
    return up_to(
        "S02",
        changed({"application.received": received, "talk.date": talk, "person.birth_date": "1990-01-01"}),
    )


def test_talk_deadline_on_national_day_moves_to_the_next_working_day():
    dossier = _talk_case("2025-09-01", "2025-10-09")  # deadline 2025-10-01, holiday until 10-08
    plain = result_of(dossier, as_of="2025-10-20")
    rolled = result_of(dossier, as_of="2025-10-20", **ROLL)
    assert plain["computed"]["talk_deadline"] == "2025-10-01"
    assert [f["code"] for f in plain["findings"]] == ["N-TALK-1M"]
    assert rolled["computed"]["talk_deadline"] == "2025-10-09"
    assert rolled["findings"] == [] and "provisional_computed" not in rolled


def test_a_make_up_working_saturday_is_not_moved():
    doc = moved_to(("admission_meeting", "date"), "2025-11-30")
    dossier = redate_from_approval("2026-03-02", doc["dossiers"][0])
    result = result_of(dossier, as_of=doc["as_of"], **ROLL)
    assert result["computed"]["approval_due"] == "2026-02-28"  # a working Saturday in 2026
    assert [(f["code"], f["severity"]) for f in result["findings"]] == [("N-APPROVE-3M", "W")]


def test_approval_due_on_a_holiday_moves():
    doc = moved_to(("admission_meeting", "date"), "2025-07-01")
    dossier = redate_from_approval("2025-10-09", doc["dossiers"][0])
    assert [f["code"] for f in result_of(dossier, as_of=doc["as_of"])["findings"]] == ["N-APPROVE-3M"]
    rolled = result_of(dossier, as_of=doc["as_of"], **ROLL)
    assert rolled["findings"] == []
    assert rolled["computed"]["approval_due"] == "2025-10-09"
    assert rolled["computed"]["probation_end"] == "2026-07-01"  # probation end never moves


def test_minimum_periods_never_move():
    dossier = up_to(
        "S03",
        changed(
            {
                "application.received": "2024-08-01",
                "talk.date": "2024-08-20",
                "activist.date": "2024-10-01",
                "activist.filed": None,
            }
        ),
    )
    rolled = result_of(dossier, as_of="2024-10-02", **ROLL)
    assert rolled["computed"]["earliest_candidate_date"] == "2025-10-01"  # a holiday, but a minimum period


def test_overdue_conversion_marks_move():
    doc = moved_to(("admission_meeting", "date"), "2024-04-01")  # probation end 2025-04-01, +6 months 10-01
    dossier = up_to("S21", doc["dossiers"][0])
    assert [(f["code"], f["severity"]) for f in result_of(dossier, as_of="2025-10-05")["findings"]] == [
        ("Q-OVERDUE-CONVERSION", "E")
    ]
    assert [
        (f["code"], f["severity"]) for f in result_of(dossier, as_of="2025-10-05", **ROLL)["findings"]
    ] == [("Q-OVERDUE-CONVERSION", "W")]


def test_conversion_approval_due_moves():
    doc = moved_to(("admission_meeting", "date"), "2024-07-01")  # conversion meeting 2025-07-01
    dossier = doc["dossiers"][0]
    dossier["conversions"][0]["approval"] = "2025-10-09"
    dossier["archive"]["date"] = "2025-10-10"
    assert [f["code"] for f in result_of(dossier, as_of=doc["as_of"])["findings"]] == ["N-CONVERT-APPROVE-3M"]
    rolled = result_of(dossier, as_of=doc["as_of"], **ROLL)
    assert rolled["findings"] == [] and rolled["computed"]["conversion_approval_due"] == "2025-10-09"


def test_local_one_month_limits_move():
    doc = moved_to(("admission_meeting", "date"), "2025-08-01")
    dossier = redate_from_approval("2025-09-01", doc["dossiers"][0])
    dossier["oath"] = "2025-10-09"  # one month: 2025-10-01, a holiday
    assert [f["code"] for f in result_of(dossier, as_of=doc["as_of"], oath_within_1m=True)["findings"]] == [
        "L-OATH-1M"
    ]
    assert result_of(dossier, as_of=doc["as_of"], oath_within_1m=True, **ROLL)["findings"] == []


def test_the_archive_month_does_not_move():
    doc = moved_to(("admission_meeting", "date"), "2023-07-20")  # conversion approval 2024-08-10
    dossier = doc["dossiers"][0]
    dossier["conversions"][0]["approval"] = "2024-09-01"
    dossier["archive"]["date"] = "2024-10-08"  # limit 2024-10-01 (a holiday): not moved
    assert [f["code"] for f in result_of(dossier, as_of=doc["as_of"], **ROLL)["findings"]] == ["N-ARCHIVE"]


def test_a_deadline_in_an_unknown_year_is_provisional():
    dossier = _talk_case("2027-01-02", "2027-02-03")  # deadline 2027-02-02, year unknown
    rolled = result_of(dossier, as_of="2027-03-01", **ROLL)
    assert rolled["computed"]["talk_deadline"] == "2027-02-02"
    assert rolled["provisional_computed"] == ["talk_deadline"]
    assert [(f["code"], f.get("provisional")) for f in rolled["findings"]] == [("N-TALK-1M", True)]
    plain = result_of(dossier, as_of="2027-03-01")
    assert "provisional_computed" not in plain
    assert [(f["code"], f.get("provisional")) for f in plain["findings"]] == [("N-TALK-1M", None)]


def test_provisional_computed_lists_every_key_concerned():
    doc = moved_to(("admission_meeting", "date"), "2027-03-01")
    result = result_of(doc["dossiers"][0], as_of=doc["as_of"], **ROLL)
    # The application (2025-05-12) is in a known year; everything from the meeting on is not.
    assert result["provisional_computed"] == [
        "approval_due",
        "approval_hard_limit",
        "conversion_approval_due",
    ]
    assert result["findings"] == []


def test_known_years_are_never_provisional():
    result = result_of(valid_dossier(), **ROLL)
    assert "provisional_computed" not in result and result["findings"] == []
