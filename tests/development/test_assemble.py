"""Step records assemble into exactly the PROCEDURE §5 dossier document the engine reads."""

from __future__ import annotations

from dangjian.development.stepdefs import STEP_DEFS, RecordView, assemble

# The §5 valid record, as a village secretary records it step by step.
SECTION5_RECORDS = [
    RecordView("S01", 1, "2022-03-01", {}),
    RecordView("S02", 1, "2022-03-20", {"talker": "王某", "talker_role": "secretary"}),
    RecordView("S03", 1, "2022-09-05", {"decided_by": "branch_committee", "nomination": ["party_member", "mass_org"]}),
    RecordView("S04", 1, "2022-09-08", {}),
    RecordView("S05", 1, "2022-09-10", {"mentor1_name": "甲", "mentor1_status": "full", "mentor2_name": "乙",
                                        "mentor2_status": "full"}),
    RecordView("S06", 1, "2023-02-28", {"rating": "good"}),
    RecordView("S06", 2, "2023-08-30", {"rating": "good"}),
    RecordView("S07", 1, "2023-09-20", {"opinions_heard": "2023-09-18", "publicity_start": "2023-09-21",
                                        "publicity_end": "2023-09-27"}),
    RecordView("S08", 1, "2023-09-28", {}),
    RecordView("S09", 1, "2023-10-01", {"introducer1_name": "甲", "introducer1_status": "full",
                                        "introducer1_discipline": "none", "introducer2_name": "乙",
                                        "introducer2_status": "full", "introducer2_discipline": "none"}),
    RecordView("S10", 1, "2023-10-10", {"result": "pass"}),
    RecordView("S11", 1, "2023-10-18", {"start": "2023-10-16", "days": 3, "hours": 24, "organizer": "county_org_dept"}),
    RecordView("S12", 1, "2023-11-20", {}),
    RecordView("S13", 1, "2023-11-28", {"result": "pass", "written_notice": True}),
    RecordView("S14", 1, "2023-12-05", {"issued": "2023-11-30"}),
    RecordView("S15", 1, "2023-12-20", {"full_members": 20, "exclusions": 1, "present_full": 15,
                                        "present_probationary": 2, "yes_full": 14, "yes_written": 0,
                                        "ballot": "secret", "individually_voted": True, "candidates_on_agenda": 1}),
    RecordView("S16", 1, "2024-01-05", {"talker": "李某", "talker_role": "organizer"}),
    RecordView("S17", 1, "2024-01-18", {"body_type": "township_committee", "mode": "collective_meeting"}),
    RecordView("S18", 1, "2024-01-19", {}),
    RecordView("S19", 1, "2024-01-20", {}),
    RecordView("S20", 1, "2024-01-26", {}),
    RecordView("S21", 1, "2024-06-20", {}),
    RecordView("S22", 1, "2024-12-10", {}),
    RecordView("S23", 1, "2024-12-20", {"full_members": 20, "exclusions": 0, "present_full": 14,
                                        "present_probationary": 0, "yes_full": 14, "yes_written": 0,
                                        "ballot": "secret", "individually_voted": True, "candidates_on_agenda": 1,
                                        "decision": "on_time", "recorded_full_member_date": "2024-12-20"}),
    RecordView("S24", 1, "2025-01-10", {}),
    RecordView("S25", 1, "2025-01-20", {"items": ["入党志愿书", "入党申请书", "政治审查材料", "转正申请书", "培养教育考察材料"]}),
]
PERSON = {"birth_date": "1995-06-15", "near_relative_of_cadre": False, "tier": None, "expected_departure": None}


def test_every_step_has_a_definition():
    assert sorted(STEP_DEFS) == [f"S{i:02d}" for i in range(1, 26)]


def test_the_section5_record_assembles_into_the_section5_document():
    d = assemble("x", PERSON, SECTION5_RECORDS)
    assert d["application"] == {"received": "2022-03-01"}
    assert d["talk"] == {"date": "2022-03-20", "talker": "王某", "talker_role": "secretary"}
    assert d["activist"] == {"date": "2022-09-05", "decided_by": "branch_committee",
                             "nomination": ["party_member", "mass_org"], "filed": "2022-09-08", "publicity": None}
    assert d["mentors"] == [{"name": "甲", "status": "full", "assigned": "2022-09-10"},
                            {"name": "乙", "status": "full", "assigned": "2022-09-10"}]
    assert d["assessments"] == [{"date": "2023-02-28", "rating": "good"}, {"date": "2023-08-30", "rating": "good"}]
    assert d["candidate"] == {"date": "2023-09-20", "filed": "2023-09-28", "opinions_heard": "2023-09-18",
                              "publicity": {"start": "2023-09-21", "end": "2023-09-27"}}
    assert [i["name"] for i in d["introducers"]] == ["甲", "乙"]
    assert d["introducers"][0] == {"name": "甲", "status": "full", "discipline": "none", "open_candidates": 1}
    assert d["training"] == {"start": "2023-10-16", "end": "2023-10-18", "days": 3, "hours": 24,
                             "organizer": "county_org_dept"}
    assert d["pre_review"] == {"date": "2023-11-28", "result": "pass", "written_notice": True}
    assert d["application_form"] == {"issued": "2023-11-30", "filled": "2023-12-05"}
    m = d["admission_meeting"]
    assert (m["full_members"], len(m["exclusions"]), m["present"], m["yes"]) == (
        20, 1, {"full": 15, "probationary": 2}, {"full": 14, "probationary": 0, "written": 0})
    assert d["approval"] == {"date": "2024-01-18", "body_type": "township_committee", "mode": "collective_meeting",
                             "special_reason": None}
    assert (d["approval_filed"], d["enrolled"], d["oath"]) == ("2024-01-19", "2024-01-20", "2024-01-26")
    assert d["probation_assessments"] == ["2024-06-20"]
    assert d["conversions"] == [{"application": "2024-12-10", "meeting": d["conversions"][0]["meeting"],
                                 "decision": "on_time", "extension_months": None, "approval": "2025-01-10",
                                 "recorded_full_member_date": "2024-12-20"}]
    assert d["conversions"][0]["meeting"]["date"] == "2024-12-20"
    assert d["archive"]["items"][0] == "入党志愿书"


def test_an_extension_and_the_later_conversion_are_two_decisions_in_order():
    records = [RecordView("S22", 1, "2024-12-10", {}),
               RecordView("S23", 1, "2024-12-20", {"decision": "extend", "extension_months": 6}),
               RecordView("S24", 1, "2025-01-10", {}),
               RecordView("S22", 2, "2025-06-10", {}),
               RecordView("S23", 2, "2025-06-25", {"decision": "on_time"})]
    conv = assemble("x", PERSON, records)["conversions"]
    assert [c["decision"] for c in conv] == ["extend", "on_time"]
    assert conv[1]["approval"] is None and conv[0]["approval"] == "2025-01-10"


def test_an_empty_dossier_has_only_the_person():
    assert assemble("x", PERSON, []) == {"id": "x", "person": PERSON}
