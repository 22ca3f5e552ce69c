"""Missing steps (PROCEDURE.md §2), missing required fields, reporting once, ordering, historical records."""

from __future__ import annotations

import pytest

from dangjian.rules import check_document
from tests.rules.records import (
    changed,
    findings,
    result_of,
    shift_years,
    up_to,
    valid_doc,
    valid_dossier,
    without,
)

# Step → the rule a missing step is reported under once a later step is recorded (§2).
MISSING_UNDER = {
    "S01": "N-ORDER",
    "S03": "N-ORDER",
    "S04": "N-ACT-FILE",
    "S05": "N-MENTOR-COUNT",
    "S07": "N-ORDER",
    "S08": "N-DEV-FILE",
    "S09": "N-INTRODUCER",
    "S10": "N-POLREV",
    "S11": "N-TRAINING",
    "S12": "N-BRANCH-REVIEW",
    "S13": "N-PREREVIEW",
    "S14": "N-PREREVIEW",
    "S16": "N-COMMITTEE-TALK",
    "S17": "N-APPROVE-3M",
    "S18": "N-APPROVE-FILE",
    "S20": "N-OATH",
}


@pytest.mark.parametrize(("step", "code"), sorted(MISSING_UNDER.items()))
def test_a_missing_step_is_reported_under_the_rule_that_requires_it(step, code):
    found = findings(without(step))
    assert [(f["code"], f["severity"], f["step"]) for f in found] == [(code, "E", step)]
    assert found[0]["message"].startswith("未记录")


def test_the_admission_meeting_missing_is_an_order_finding():
    found = findings(changed({"admission_meeting.date": None}))
    assert [(f["code"], f["step"]) for f in found] == [("N-ORDER", "S15")]
    assert "S16" in found[0]["message"] and "2024-01-05" in found[0]["message"]


@pytest.mark.parametrize("step", ["S06", "S19", "S21"])
def test_steps_nothing_depends_on_are_not_missing_findings(step):
    codes = [f["code"] for f in findings(without(step))]
    assert codes == (["N-HALFYEAR-ASSESS"] if step == "S06" else [])


def test_a_step_not_yet_needed_is_not_a_finding():
    # An activist without filing or mentors, today before anything depends on them.
    assert findings(up_to("S03"), as_of="2022-09-06") == []


def test_missing_fields_are_one_finding_naming_them():
    dossier = changed({"introducers.0.status": None, "introducers.1.discipline": None})
    found = findings(dossier)
    assert [(f["code"], f["severity"], f["step"]) for f in found] == [("N-INTRODUCER", "E", "S09")]
    assert (
        "introducers[0].status" in found[0]["message"] and "introducers[1].discipline" in found[0]["message"]
    )
    assert found[0]["message"].startswith("未记录：")


def test_a_field_read_by_several_rules_is_reported_once():
    found = findings(changed({"admission_meeting.full_members": None}))
    assert [(f["code"], f["step"]) for f in found] == [("N-MIN-3-FULL", "S15")]
    assert found[0]["message"].count("admission_meeting.full_members") == 1


def test_findings_are_sorted_by_step():
    dossier = changed(
        {
            "archive.date": "2025-02-11",
            "talk.date": "2022-04-02",
            "approval.mode": "circulated",
            "admission_meeting.ballot": "show_of_hands",
            "activist.decided_by": "other",
        }
    )
    steps = [f["step"] for f in findings(dossier)]
    assert steps == ["S02", "S03", "S15", "S17", "S25"]


def test_records_before_2014_06_10_have_no_findings_except_order():
    doc = shift_years(valid_doc(), -12)  # 2010–2013: before the 细则
    dossier = doc["dossiers"][0]
    dossier["talk"]["date"] = dossier["application"]["received"]  # fine
    dossier["candidate"]["date"] = "2011-06-15"  # < 1 year: not judged (2011)
    dossier["candidate"]["opinions_heard"] = "2011-06-14"
    dossier["admission_meeting"]["ballot"] = "show_of_hands"  # not judged
    dossier["enrolled"] = "2012-01-10"  # before the approval: order is judged
    doc["as_of"] = "2013-06-30"
    found = check_document(doc)["results"][0]["findings"]
    assert [(f["code"], f["step"]) for f in found] == [("N-ORDER", "S19")]


def test_rules_apply_to_steps_dated_from_the_publication_day():
    # A late talk (deadline 2014-06-01) is judged when the talk itself is dated on or after 2014-06-10.
    dossier = up_to("S02", changed({"application.received": "2014-05-01", "talk.date": "2014-06-10"}))
    assert [f["code"] for f in findings(dossier, as_of="2014-08-01")] == ["N-TALK-1M"]
    dossier = up_to("S02", changed({"application.received": "2014-05-01", "talk.date": "2014-06-09"}))
    assert findings(dossier, as_of="2014-08-01") == []
    # A talk still missing is judged at its deadline.
    assert findings(up_to("S01", changed({"application.received": "2014-05-09"})), as_of="2014-08-01") == []
    assert [
        f["code"]
        for f in findings(up_to("S01", changed({"application.received": "2014-05-10"})), as_of="2014-08-01")
    ] == ["N-TALK-1M"]


def test_each_result_names_the_rule_version():
    assert result_of(valid_dossier())["rule_version"] == "2014"
    assert result_of({"id": "x"})["rule_version"] == "2014"
