"""Table-driven tests for every national rule of PROCEDURE.md §3: pass rows, fail rows, boundaries.

Each row changes the §5 valid record (which gives no finding) and lists the exact findings expected,
as (code, severity, step), in output order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.rules.records import (
    DELETE,
    after,
    changed,
    fit_conversion,
    moved_to,
    redate_from_approval,
    redate_from_meeting,
    result_of,
    up_to,
    valid_dossier,
    without,
)

E, W = "E", "W"


@dataclass
class Row:
    """One case: a dossier (the valid one changed), the config, today, and the exact findings expected."""

    id: str
    dossier: dict[str, Any] | Callable[[], dict[str, Any]]
    expect: list[tuple[str, str, str]]
    as_of: str | None = None
    config: dict[str, Any] = field(default_factory=dict)
    message_has: tuple[str, ...] = ()

    def build(self) -> tuple[dict[str, Any], str | None]:
        dossier = self.dossier() if callable(self.dossier) else self.dossier
        if isinstance(dossier, tuple):
            return dossier
        return dossier, self.as_of


def _meeting_at(meeting: str, **changes: Any) -> tuple[dict[str, Any], str]:
    dossier, as_of = redate_from_meeting(meeting)
    for path, value in changes.items():
        dossier = changed({path: value}, dossier)
    return dossier, as_of


def _approval_at(approval: str, **changes: Any) -> dict[str, Any]:
    dossier = redate_from_approval(approval, valid_dossier())
    return changed(changes, dossier)


def _conversion(**changes: Any) -> dict[str, Any]:
    return changed({f"conversions.0.{k}": v for k, v in changes.items()})


def _extended_then(second: dict[str, Any] | None, months: int = 6) -> dict[str, Any]:
    """Extension decided at the probation end (2024-12-20), approved 2025-01-10; then ``second`` (if any)."""
    dossier = _conversion(decision="extend", extension_months=months, recorded_full_member_date=None)
    if second is not None:
        first = dossier["conversions"][0]
        entry = {
            "application": second.get("application"),
            "meeting": dict(first["meeting"], date=second["meeting"]),
            "decision": second.get("decision", "on_time"),
            "extension_months": second.get("months"),
            "approval": second.get("approval"),
            "recorded_full_member_date": second.get("recorded"),
        }
        dossier["conversions"].append(entry)
        dossier["archive"]["date"] = second.get("archive", dossier["archive"]["date"])
    return dossier


def _late_conversion_meeting(meeting: str, decision: str = "on_time") -> dict[str, Any]:
    approval = after(meeting, 10)
    return _conversion(**{"meeting.date": meeting, "decision": decision, "approval": approval}) | {
        "archive": {"date": after(approval, 5), "items": valid_dossier()["archive"]["items"]}
    }


ROWS: list[Row] = [
    # N-AGE-18 (细则第5条): 18 on the birthday itself; born 29 Feb → 28 Feb.
    Row("age-18th-birthday-same-day", changed({"person.birth_date": "2004-03-01"}), []),
    Row(
        "age-one-day-short",
        changed({"person.birth_date": "2004-03-02"}),
        [("N-AGE-18", E, "S01")],
        message_has=("2004-03-02", "2022-03-02"),
    ),
    Row(
        "age-strict-birthday",
        changed({"person.birth_date": "2004-03-01"}),
        [("N-AGE-18", E, "S01")],
        config={"strict_birthday": True},
    ),
    Row(
        "age-leap-born-28-feb",
        changed({"person.birth_date": "2004-02-29", "application.received": "2022-02-28"}),
        [],
    ),
    Row(
        "age-leap-born-strict",
        changed({"person.birth_date": "2004-02-29", "application.received": "2022-02-28"}),
        [("N-AGE-18", E, "S01")],
        config={"strict_birthday": True},
    ),
    Row(
        "age-birth-not-recorded",
        changed({"person.birth_date": None}),
        [("N-AGE-18", E, "S01")],
        message_has=("未记录", "person.birth_date"),
    ),
    # N-TALK-1M (细则第7条)
    Row("talk-on-deadline", changed({"talk.date": "2022-04-01"}), []),
    Row(
        "talk-a-day-late",
        changed({"talk.date": "2022-04-02"}),
        [("N-TALK-1M", E, "S02")],
        message_has=("2022-04-02", "2022-04-01"),
    ),
    Row("talk-before-application", changed({"talk.date": "2022-02-28"}), [("N-TALK-1M", E, "S02")]),
    Row(
        "talk-missing-past-deadline",
        without("S02"),
        [("N-TALK-1M", E, "S02")],
        message_has=("未记录", "2022-04-01"),
    ),
    Row("talk-missing-applicant-before-deadline", up_to("S01", without("S02")), [], as_of="2022-04-01"),
    Row(
        "talk-missing-applicant-after-deadline",
        up_to("S01", without("S02")),
        [("N-TALK-1M", E, "S02")],
        as_of="2022-04-02",
    ),
    # N-ACT-ORDER (发展党员工作流程)
    Row(
        "activist-same-day-as-talk",
        changed({"application.received": "2022-08-20", "talk.date": "2022-09-05"}),
        [],
    ),
    Row(
        "activist-before-talk",
        changed({"application.received": "2022-08-20", "talk.date": "2022-09-10"}),
        [("N-ACT-ORDER", E, "S03")],
        message_has=("2022-09-05", "2022-09-10"),
    ),
    Row(
        "activist-without-talk-before-its-deadline",
        changed({"application.received": "2022-08-20"}, up_to("S03", without("S02"))),
        [("N-ACT-ORDER", E, "S02")],
        as_of="2022-09-10",
    ),
    Row(
        "activist-without-talk-after-its-deadline",
        changed({"application.received": "2022-08-20"}, up_to("S03", without("S02"))),
        [("N-TALK-1M", E, "S02")],
        as_of="2022-09-21",
    ),
    Row(
        "activist-before-application-without-talk",
        changed({"application.received": "2022-09-10"}, up_to("S03", without("S02"))),
        [("N-ACT-ORDER", E, "S02"), ("N-ACT-ORDER", E, "S03")],
        as_of="2022-09-20",
        message_has=("2022-09-10",),
    ),
    # N-ACT-DECIDER, N-ACT-NOMINATION (细则第8条)
    Row("decided-by-branch-meeting", changed({"activist.decided_by": "branch_meeting"}), []),
    Row("decided-by-other", changed({"activist.decided_by": "other"}), [("N-ACT-DECIDER", E, "S03")]),
    Row(
        "decider-not-recorded",
        changed({"activist.decided_by": DELETE}),
        [("N-ACT-DECIDER", E, "S03")],
        message_has=("未记录", "activist.decided_by"),
    ),
    Row("nominated-by-mass-org-only", changed({"activist.nomination": ["mass_org"]}), []),
    Row("nominated-by-party-member-only", changed({"activist.nomination": ["party_member"]}), []),
    Row("no-nomination", changed({"activist.nomination": []}), [("N-ACT-NOMINATION", E, "S03")]),
    # N-ACT-FILE (细则第8条)
    Row("activist-filed-same-day", changed({"activist.filed": "2022-09-05"}), []),
    Row(
        "activist-filed-before-designation",
        changed({"activist.filed": "2022-09-04"}),
        [("N-ACT-FILE", E, "S04")],
    ),
    Row(
        "activist-not-filed-once-candidate",
        changed({"activist.filed": None}),
        [("N-ACT-FILE", E, "S04")],
        message_has=("未记录上级党委备案（S04）", "S07"),
    ),
    Row(
        "activist-not-filed-yet-no-candidate",
        up_to("S06", changed({"activist.filed": None})),
        [],
        as_of="2023-09-10",
    ),
    # N-MENTOR-COUNT, N-MENTOR-FULL (细则第9条)
    Row("one-mentor", changed({"mentors": valid_dossier()["mentors"][:1]}), []),
    Row(
        "three-mentors",
        changed(
            {
                "mentors": valid_dossier()["mentors"]
                + [{"name": "丙", "status": "full", "assigned": "2022-09-10"}]
            }
        ),
        [("N-MENTOR-COUNT", E, "S05")],
        message_has=("3",),
    ),
    Row("no-mentor-once-candidate", changed({"mentors": []}), [("N-MENTOR-COUNT", E, "S05")]),
    Row(
        "probationary-mentor",
        changed({"mentors.1.status": "probationary"}),
        [("N-MENTOR-FULL", E, "S05")],
        message_has=("乙",),
    ),
    Row("mentor-assigned-on-designation-day", changed({"mentors.0.assigned": "2022-09-05"}), []),
    Row(
        "mentor-assigned-before-designation",
        changed({"mentors.0.assigned": "2022-09-04"}),
        [("N-MENTOR-FULL", E, "S05")],
    ),
    Row(
        "two-mentor-problems-one-finding",
        changed({"mentors.0.assigned": "2022-09-04", "mentors.1.status": "probationary"}),
        [("N-MENTOR-FULL", E, "S05")],
    ),
    # N-HALFYEAR-ASSESS (细则第11条): one assessment in each (A+6(k−1) months, A+6k months] ending by D.
    Row(
        "first-half-year-without-assessment",
        changed({"assessments": [{"date": "2023-08-30", "rating": "good"}]}),
        [("N-HALFYEAR-ASSESS", E, "S06")],
        message_has=("2023-03-05",),
    ),
    Row("assessment-on-window-end", changed({"assessments.0.date": "2023-03-05"}), []),
    Row(
        "assessment-on-designation-day-is-too-early",
        changed({"assessments.0.date": "2022-09-05"}),
        [("N-HALFYEAR-ASSESS", E, "S06")],
    ),
    Row("month-end-window", changed({"activist.date": "2022-08-31", "assessments.0.date": "2023-02-28"}), []),
    Row(
        "month-end-window-missed",
        changed({"activist.date": "2022-08-31", "assessments.0.date": "2023-03-01"}),
        [("N-HALFYEAR-ASSESS", E, "S06")],
        message_has=("2023-02-28",),
    ),
    Row("activist-assessed-while-still-activist", up_to("S06"), [], as_of="2023-09-05"),
    Row(
        "activist-overdue-while-still-activist",
        up_to("S06"),
        [("N-HALFYEAR-ASSESS", E, "S06")],
        as_of="2024-03-05",
        message_has=("2024-03-05",),
    ),
    # N-ACT-1Y (细则第13条)
    Row(
        "candidate-on-anniversary",
        changed({"candidate.date": "2023-09-05", "candidate.opinions_heard": "2023-09-04"}),
        [],
    ),
    Row(
        "candidate-a-day-early",
        changed({"candidate.date": "2023-09-04", "candidate.opinions_heard": "2023-09-03"}),
        [("N-ACT-1Y", E, "S07")],
    ),
    Row(
        "candidate-on-anniversary-strict",
        changed({"candidate.date": "2023-09-05", "candidate.opinions_heard": "2023-09-04"}),
        [("N-ACT-1Y", E, "S07")],
        config={"strict_anniversary": True},
        message_has=("2023-09-06",),
    ),
    Row(
        "candidate-day-after-anniversary-strict",
        changed({"candidate.date": "2023-09-06", "candidate.opinions_heard": "2023-09-04"}),
        [],
        config={"strict_anniversary": True},
    ),
    Row(
        "filing-mode-uses-the-filing-date",
        changed(
            {
                "candidate.date": "2023-09-04",
                "candidate.opinions_heard": "2023-09-03",
                "candidate.filed": "2023-09-05",
            }
        ),
        [],
        config={"candidate_date": "filing"},
    ),
    Row(
        "filing-mode-filing-too-early",
        changed(
            {
                "candidate.date": "2023-09-01",
                "candidate.opinions_heard": "2023-08-31",
                "candidate.filed": "2023-09-04",
            }
        ),
        [("N-ACT-1Y", E, "S07")],
        config={"candidate_date": "filing"},
        message_has=("2023-09-04", "2023-09-05"),
    ),
    # N-DEV-OPINIONS, N-DEV-FILE (细则第13条)
    Row("opinions-on-candidate-day", changed({"candidate.opinions_heard": "2023-09-20"}), []),
    Row(
        "opinions-after-candidate-day",
        changed({"candidate.opinions_heard": "2023-09-21"}),
        [("N-DEV-OPINIONS", E, "S07")],
    ),
    Row("opinions-not-recorded", changed({"candidate.opinions_heard": None}), [("N-DEV-OPINIONS", E, "S07")]),
    Row("candidate-filed-same-day", changed({"candidate.filed": "2023-09-20"}), []),
    Row(
        "candidate-filed-before-designation",
        changed({"candidate.filed": "2023-09-19"}),
        [("N-DEV-FILE", E, "S08")],
    ),
    Row(
        "candidate-filed-after-prereview",
        changed({"candidate.filed": "2023-11-29"}),
        [("N-DEV-FILE", E, "S08"), ("N-ORDER", E, "S12")],
    ),
    Row("candidate-not-filed", changed({"candidate.filed": None}), [("N-DEV-FILE", E, "S08")]),
    # N-INTRODUCER (党章第5条; 细则第14条), N-INTRODUCER-LOAD (W)
    Row(
        "one-introducer",
        changed({"introducers": valid_dossier()["introducers"][:1]}),
        [("N-INTRODUCER", E, "S09")],
        message_has=("1",),
    ),
    Row(
        "three-introducers",
        changed({"introducers": valid_dossier()["introducers"] + valid_dossier()["introducers"][:1]}),
        [("N-INTRODUCER", E, "S09")],
    ),
    Row("no-introducer", changed({"introducers": []}), [("N-INTRODUCER", E, "S09")]),
    Row(
        "probationary-introducer",
        changed({"introducers.0.status": "probationary"}),
        [("N-INTRODUCER", E, "S09")],
    ),
    Row(
        "introducer-under-probation-within-party",
        changed({"introducers.1.discipline": "probation_within_party"}),
        [("N-INTRODUCER", E, "S09")],
    ),
    Row("introducer-other-discipline", changed({"introducers.1.discipline": "other"}), []),
    Row(
        "introducer-with-two-candidates",
        changed({"introducers.0.open_candidates": 2}),
        [("N-INTRODUCER-LOAD", W, "S09")],
        message_has=("甲", "2"),
    ),
    Row(
        "introducer-load-not-recorded",
        changed({"introducers.0.open_candidates": None}),
        [("N-INTRODUCER-LOAD", E, "S09")],
        message_has=("未记录",),
    ),
    # N-POLREV (细则第15–16条), Q-POLREV-1Y (W)
    Row("review-failed", changed({"political_review.result": "fail"}), [("N-POLREV", E, "S10")]),
    Row("review-on-branch-review-day", changed({"political_review.date": "2023-11-20"}), []),
    Row(
        "review-after-branch-review",
        changed({"political_review.date": "2023-11-21"}),
        [("N-POLREV", E, "S10")],
    ),
    Row("no-review", without("S10"), [("N-POLREV", E, "S10")]),
    Row("review-before-candidate", changed({"political_review.date": "2023-09-19"}), [("N-ORDER", E, "S10")]),
    Row("review-valid-exactly-one-year", lambda: _meeting_at("2024-10-10"), []),
    Row(
        "review-older-than-one-year",
        lambda: _meeting_at("2024-10-11"),
        [("Q-POLREV-1Y", W, "S10")],
        message_has=("2023-10-10", "2024-10-10"),
    ),
    # N-TRAINING (细则第17条)
    Row("three-days-no-hours", changed({"training.days": 3, "training.hours": None}), []),
    Row("two-days-23-hours", changed({"training.days": 2, "training.hours": 23}), [("N-TRAINING", E, "S11")]),
    Row(
        "two-days-hours-unknown",
        changed({"training.days": 2, "training.hours": None}),
        [("N-TRAINING", E, "S11")],
    ),
    Row(
        "neither-days-nor-hours",
        changed({"training.days": None, "training.hours": None}),
        [("N-TRAINING", E, "S11")],
        message_has=("未记录",),
    ),
    Row("training-starts-on-candidate-day", changed({"training.start": "2023-09-20"}), []),
    Row("training-before-candidate", changed({"training.start": "2023-09-19"}), [("N-TRAINING", E, "S11")]),
    Row("training-ends-on-meeting-day", changed({"training.end": "2023-12-20"}), []),
    Row("training-ends-after-meeting", changed({"training.end": "2023-12-21"}), [("N-TRAINING", E, "S11")]),
    Row(
        "training-ends-before-it-starts", changed({"training.end": "2023-10-15"}), [("N-TRAINING", E, "S11")]
    ),
    Row("training-by-primary-committee", changed({"training.organizer": "primary_committee"}), []),
    Row("training-by-other", changed({"training.organizer": "other"}), [("N-TRAINING", W, "S11")]),
    Row("training-organizer-unknown", changed({"training.organizer": None}), [("N-TRAINING", W, "S11")]),
    Row("no-training", without("S11"), [("N-TRAINING", E, "S11")]),
    # N-BRANCH-REVIEW, N-PREREVIEW (细则第19条)
    Row("branch-review-same-day-as-prereview", changed({"branch_review.date": "2023-11-28"}), []),
    Row(
        "branch-review-after-prereview",
        changed({"branch_review.date": "2023-11-29"}),
        [("N-BRANCH-REVIEW", E, "S12")],
    ),
    Row("no-branch-review", without("S12"), [("N-BRANCH-REVIEW", E, "S12")]),
    Row("prereview-failed", changed({"pre_review.result": "fail"}), [("N-PREREVIEW", E, "S13")]),
    Row(
        "prereview-without-written-notice",
        changed({"pre_review.written_notice": False}),
        [("N-PREREVIEW", E, "S13")],
    ),
    Row("no-prereview", without("S13"), [("N-PREREVIEW", E, "S13")]),
    Row("form-issued-on-prereview-day", changed({"application_form.issued": "2023-11-28"}), []),
    Row(
        "form-issued-before-prereview",
        changed({"application_form.issued": "2023-11-27"}),
        [("N-PREREVIEW", E, "S14")],
    ),
    Row(
        "form-filled-before-issued",
        changed({"application_form.filled": "2023-11-29"}),
        [("N-PREREVIEW", E, "S14")],
    ),
    Row("form-filled-on-meeting-day", changed({"application_form.filled": "2023-12-20"}), []),
    Row(
        "form-filled-after-meeting",
        changed({"application_form.filled": "2023-12-21"}),
        [("N-PREREVIEW", E, "S14")],
    ),
    Row("no-form", without("S14"), [("N-PREREVIEW", E, "S14")]),
    # N-LEAVING-3M (W)
    Row(
        "leaving-on-three-months",
        changed({"person.expected_departure": "2024-03-20"}),
        [("N-LEAVING-3M", W, "S15")],
    ),
    Row("leaving-after-three-months", changed({"person.expected_departure": "2024-03-21"}), []),
    # N-MIN-3-FULL (党章第30条)
    Row(
        "three-full-members",
        changed(
            {
                "admission_meeting.full_members": 3,
                "admission_meeting.exclusions": [],
                "admission_meeting.present.full": 3,
                "admission_meeting.yes.full": 2,
            }
        ),
        [],
    ),
    Row(
        "two-full-members",
        changed(
            {
                "admission_meeting.full_members": 2,
                "admission_meeting.exclusions": [],
                "admission_meeting.present.full": 2,
                "admission_meeting.yes.full": 2,
            }
        ),
        [("N-MIN-3-FULL", E, "S15")],
    ),
    Row(
        "two-full-members-at-conversion",
        _conversion(**{"meeting.full_members": 2, "meeting.present.full": 2, "meeting.yes.full": 2}),
        [("N-MIN-3-FULL", E, "S23")],
    ),
    # N-QUORUM (细则第20条), N-MAJORITY, N-SECRET-BALLOT, N-ONE-BY-ONE (细则第21条)
    Row(
        "quorum-with-approved-exclusion",
        changed({"admission_meeting.present.full": 10, "admission_meeting.yes.full": 10}),
        [],
    ),
    Row(
        "quorum-exclusion-needs-both-approvals",
        changed(
            {
                "admission_meeting.present.full": 10,
                "admission_meeting.yes.full": 10,
                "admission_meeting.exclusions.0.approved_by_meeting": False,
            }
        ),
        [("N-QUORUM", E, "S15")],
        message_has=("20", "10", "11"),
    ),
    Row(
        "probationary-members-never-count",
        changed(
            {
                "admission_meeting.full_members": 10,
                "admission_meeting.exclusions": [],
                "admission_meeting.present": {"full": 5, "probationary": 4},
                "admission_meeting.yes": {"full": 5, "probationary": 4, "written": 0},
            }
        ),
        [("N-QUORUM", E, "S15")],
    ),
    Row(
        "no-quorum-no-majority-judged",
        changed(
            {
                "admission_meeting.full_members": 10,
                "admission_meeting.exclusions": [],
                "admission_meeting.present.full": 5,
                "admission_meeting.yes.full": 0,
            }
        ),
        [("N-QUORUM", E, "S15")],
    ),
    Row(
        "majority-of-n-not-of-present",
        changed(
            {
                "admission_meeting.full_members": 19,
                "admission_meeting.exclusions": [],
                "admission_meeting.present.full": 12,
                "admission_meeting.yes.full": 9,
            }
        ),
        [("N-MAJORITY", E, "S15")],
        message_has=("10",),
    ),
    Row(
        "show-of-hands",
        changed({"admission_meeting.ballot": "show_of_hands"}),
        [("N-SECRET-BALLOT", E, "S15")],
    ),
    Row(
        "two-candidates-voted-together",
        changed({"admission_meeting.candidates_on_agenda": 2, "admission_meeting.individually_voted": False}),
        [("N-ONE-BY-ONE", E, "S15")],
    ),
    Row("two-candidates-one-by-one", changed({"admission_meeting.candidates_on_agenda": 2}), []),
    Row("one-candidate-needs-no-separate-vote", changed({"admission_meeting.individually_voted": False}), []),
    Row(
        "ballot-not-recorded",
        changed({"admission_meeting.ballot": None}),
        [("N-SECRET-BALLOT", E, "S15")],
        message_has=("未记录",),
    ),
    # N-COMMITTEE-TALK (细则第23条)
    Row("committee-talk-on-meeting-day", changed({"committee_talk.date": "2023-12-20"}), []),
    Row(
        "committee-talk-before-meeting",
        changed({"committee_talk.date": "2023-12-19"}),
        [("N-COMMITTEE-TALK", E, "S16")],
    ),
    Row("committee-talk-on-approval-day", changed({"committee_talk.date": "2024-01-18"}), []),
    Row(
        "committee-talk-after-approval",
        changed({"committee_talk.date": "2024-01-19"}),
        [("N-COMMITTEE-TALK", E, "S16")],
    ),
    Row("committee-member-talks", changed({"committee_talk.talker_role": "committee_member"}), []),
    Row("other-talks", changed({"committee_talk.talker_role": "other"}), [("N-COMMITTEE-TALK", E, "S16")]),
    Row("no-committee-talk", without("S16"), [("N-COMMITTEE-TALK", E, "S16")]),
    # N-APPROVER (细则第26条), N-APPROVE-COLLECTIVE (细则第24条)
    Row("primary-committee-approves", changed({"approval.body_type": "primary_committee"}), []),
    Row(
        "general-branch-approves",
        changed({"approval.body_type": "general_branch"}),
        [("N-APPROVER", E, "S17")],
    ),
    Row("branch-approves", changed({"approval.body_type": "branch"}), [("N-APPROVER", E, "S17")]),
    Row(
        "village-committee-approves",
        changed({"approval.body_type": "village_committee"}),
        [("N-APPROVER", E, "S17")],
    ),
    Row(
        "approval-circulated", changed({"approval.mode": "circulated"}), [("N-APPROVE-COLLECTIVE", E, "S17")]
    ),
    Row(
        "approval-individual", changed({"approval.mode": "individual"}), [("N-APPROVE-COLLECTIVE", E, "S17")]
    ),
    # N-APPROVE-3M (细则第25条): W after three months without a special reason, E after six.
    Row("approval-on-three-months", lambda: _approval_at("2024-03-20"), []),
    Row(
        "approval-a-day-after-three-months",
        lambda: _approval_at("2024-03-21"),
        [("N-APPROVE-3M", W, "S17")],
        message_has=("2024-03-21", "2024-03-20"),
    ),
    Row(
        "approval-late-with-reason",
        lambda: _approval_at("2024-03-21", **{"approval.special_reason": "党委换届"}),
        [],
    ),
    Row("approval-on-six-months", lambda: _approval_at("2024-06-20"), [("N-APPROVE-3M", W, "S17")]),
    Row(
        "approval-after-six-months-even-with-reason",
        lambda: _approval_at("2024-06-21", **{"approval.special_reason": "党委换届"}),
        [("N-APPROVE-3M", E, "S17")],
    ),
    Row("not-approved-within-three-months", up_to("S16"), [], as_of="2024-03-20"),
    Row("not-approved-after-three-months", up_to("S16"), [("N-APPROVE-3M", W, "S17")], as_of="2024-03-21"),
    Row(
        "not-approved-after-three-months-with-reason",
        changed({"approval": {"special_reason": "党委换届"}}, up_to("S16")),
        [],
        as_of="2024-03-21",
    ),
    Row("not-approved-after-six-months", up_to("S16"), [("N-APPROVE-3M", E, "S17")], as_of="2024-06-21"),
    Row("not-approved-but-filed", changed({"approval": None}), [("N-APPROVE-3M", E, "S17")]),
    # N-APPROVE-FILE (细则第25条), N-OATH (党章第6条)
    Row("filed-on-approval-day", changed({"approval_filed": "2024-01-18"}), []),
    Row("filed-before-approval", changed({"approval_filed": "2024-01-17"}), [("N-APPROVE-FILE", E, "S18")]),
    Row("not-filed-once-converting", without("S18"), [("N-APPROVE-FILE", E, "S18")]),
    Row("oath-before-approval", changed({"oath": "2024-01-17"}), [("N-OATH", E, "S20")]),
    Row("no-oath-once-converting", without("S20"), [("N-OATH", E, "S20")]),
    Row("no-oath-yet-probationary", up_to("S19"), [], as_of="2024-06-01"),
    # N-CONVERT-PROCEDURE (细则第33条)
    Row("conversion-without-application", _conversion(application=None), [("N-CONVERT-PROCEDURE", E, "S22")]),
    Row(
        "conversion-meeting-before-application",
        _conversion(application="2024-12-21"),
        [("N-CONVERT-PROCEDURE", E, "S23")],
    ),
    Row(
        "conversion-approved-before-meeting",
        _conversion(approval="2024-12-19")
        | {"archive": {"date": "2025-01-10", "items": valid_dossier()["archive"]["items"]}},
        [("N-CONVERT-PROCEDURE", E, "S24")],
    ),
    Row(
        "conversion-approved-without-meeting", _conversion(meeting=None), [("N-CONVERT-PROCEDURE", E, "S23")]
    ),
    Row(
        "conversion-decision-not-recorded",
        _conversion(decision=None),
        [("N-CONVERT-PROCEDURE", E, "S23"), ("Q-OVERDUE-CONVERSION", E, "S23")],
    ),
    Row(
        "archived-without-conversion",
        changed({"conversions": []}),
        [
            ("N-CONVERT-PROCEDURE", E, "S22"),
            ("N-CONVERT-PROCEDURE", E, "S23"),
            ("Q-OVERDUE-CONVERSION", E, "S23"),
            ("N-CONVERT-APPROVE-3M", E, "S24"),
        ],
    ),
    # Q-CONVERT-NOT-EARLY (党章第7条)
    Row(
        "on-time-decided-a-day-early",
        _conversion(**{"meeting.date": "2024-12-19"}),
        [("Q-CONVERT-NOT-EARLY", E, "S23")],
    ),
    Row(
        "extension-decided-early",
        _conversion(**{"meeting.date": "2024-12-19", "decision": "extend", "extension_months": 6}),
        [("Q-CONVERT-NOT-EARLY", E, "S23")],
        as_of="2025-06-20",
    ),
    Row(
        "cancellation-any-time",
        _conversion(
            **{
                "application": "2024-05-25",
                "meeting.date": "2024-06-01",
                "decision": "cancel",
                "approval": "2024-06-10",
            }
        ),
        [],
    ),
    Row(
        "on-time-before-extension-end",
        lambda: _extended_then(
            {
                "application": "2025-06-10",
                "meeting": "2025-06-19",
                "approval": "2025-06-25",
                "recorded": "2025-06-20",
                "archive": "2025-07-01",
            }
        ),
        [("Q-CONVERT-NOT-EARLY", E, "S23")],
        as_of="2025-07-20",
    ),
    Row(
        "on-time-at-extension-end",
        lambda: _extended_then(
            {
                "application": "2025-06-10",
                "meeting": "2025-06-20",
                "approval": "2025-06-25",
                "recorded": "2025-06-20",
                "archive": "2025-07-01",
            }
        ),
        [],
        as_of="2025-08-20",
    ),
    # N-CONVERT-VOTE (细则第33条): the admission rules, reported under this code.
    Row(
        "conversion-without-quorum",
        _conversion(**{"meeting.present.full": 10, "meeting.yes.full": 10}),
        [("N-CONVERT-VOTE", E, "S23")],
    ),
    Row(
        "conversion-without-majority",
        _conversion(**{"meeting.present.full": 14, "meeting.yes.full": 10}),
        [("N-CONVERT-VOTE", E, "S23")],
    ),
    Row(
        "conversion-show-of-hands",
        _conversion(**{"meeting.ballot": "show_of_hands"}),
        [("N-CONVERT-VOTE", E, "S23")],
    ),
    Row(
        "conversion-not-one-by-one",
        _conversion(**{"meeting.candidates_on_agenda": 3, "meeting.individually_voted": False}),
        [("N-CONVERT-VOTE", E, "S23")],
    ),
    # N-CONVERT-APPROVE-3M (细则第34条)
    Row(
        "conversion-approved-on-three-months",
        _conversion(approval="2025-03-20")
        | {"archive": {"date": "2025-03-25", "items": valid_dossier()["archive"]["items"]}},
        [],
    ),
    Row(
        "conversion-approved-late",
        _conversion(approval="2025-03-21")
        | {"archive": {"date": "2025-03-25", "items": valid_dossier()["archive"]["items"]}},
        [("N-CONVERT-APPROVE-3M", E, "S24")],
    ),
    Row(
        "conversion-not-approved-in-time",
        without("S25", dossier=_conversion(approval=None)),
        [],
        as_of="2025-03-20",
    ),
    Row(
        "conversion-not-approved-late",
        without("S25", dossier=_conversion(approval=None)),
        [("N-CONVERT-APPROVE-3M", E, "S24")],
        as_of="2025-03-21",
    ),
    # N-EXTEND (党章第7条)
    Row("extension-of-six-months", lambda: _extended_then(None, 6), [], as_of="2025-06-20"),
    Row("extension-of-twelve-months", lambda: _extended_then(None, 12), [], as_of="2025-06-20"),
    Row(
        "extension-of-thirteen-months",
        lambda: _extended_then(None, 13),
        [("N-EXTEND", E, "S23")],
        as_of="2025-06-20",
    ),
    Row(
        "extension-of-five-months",
        lambda: _extended_then(None, 5),
        [("N-EXTEND", E, "S23")],
        as_of="2025-05-20",
    ),
    Row(
        "extension-months-not-recorded",
        _conversion(decision="extend", extension_months=None),
        [("N-EXTEND", E, "S23")],
        as_of="2025-05-20",
    ),
    Row(
        "two-extensions",
        lambda: without(
            "S25",
            dossier=_extended_then(
                {
                    "application": "2025-06-10",
                    "meeting": "2025-06-20",
                    "decision": "extend",
                    "months": 6,
                    "approval": "2025-07-01",
                }
            ),
        ),
        [("N-EXTEND", E, "S23")],
        as_of="2025-08-01",
    ),
    # N-PARTY-AGE (细则第32–34条)
    Row(
        "party-age-a-day-late",
        _conversion(recorded_full_member_date="2024-12-21"),
        [("N-PARTY-AGE", E, "S24")],
    ),
    Row("party-age-not-recorded", _conversion(recorded_full_member_date=None), [("N-PARTY-AGE", E, "S24")]),
    Row(
        "party-age-after-extension-is-the-extension-end",
        lambda: _extended_then(
            {
                "application": "2025-06-10",
                "meeting": "2025-06-20",
                "approval": "2025-06-25",
                "recorded": "2024-12-20",
                "archive": "2025-07-01",
            }
        ),
        [("N-PARTY-AGE", E, "S24")],
        as_of="2025-08-20",
        message_has=("2025-06-20",),
    ),
    # Q-OVERDUE-CONVERSION (党务工作手册)
    Row("probation-ends-today", up_to("S21"), [], as_of="2024-12-20"),
    Row(
        "probation-ended-no-decision", up_to("S21"), [("Q-OVERDUE-CONVERSION", W, "S23")], as_of="2024-12-21"
    ),
    Row(
        "probation-ended-six-months-ago",
        up_to("S21"),
        [("Q-OVERDUE-CONVERSION", W, "S23")],
        as_of="2025-06-20",
    ),
    Row(
        "probation-ended-over-six-months-ago",
        up_to("S21"),
        [("Q-OVERDUE-CONVERSION", E, "S23")],
        as_of="2025-06-21",
    ),
    Row("meeting-on-three-month-mark", _late_conversion_meeting("2025-03-20"), [], as_of="2026-06-01"),
    Row(
        "meeting-after-three-month-mark",
        _late_conversion_meeting("2025-03-21"),
        [("Q-OVERDUE-CONVERSION", W, "S23")],
        as_of="2026-06-01",
    ),
    Row(
        "on-time-after-six-month-mark",
        _late_conversion_meeting("2025-06-21"),
        [("Q-OVERDUE-CONVERSION", E, "S23")],
        as_of="2026-06-01",
    ),
    Row(
        "cancel-after-six-month-mark",
        _late_conversion_meeting("2025-06-21", "cancel"),
        [("Q-OVERDUE-CONVERSION", W, "S23")],
        as_of="2026-06-01",
    ),
    # N-ARCHIVE (细则第37条)
    Row("archive-pending-within-the-month", without("S25"), [], as_of="2025-02-10"),
    Row("archive-missing-after-the-month", without("S25"), [("N-ARCHIVE", E, "S25")], as_of="2025-02-11"),
    Row("archive-on-the-last-day", changed({"archive.date": "2025-02-10"}), []),
    Row("archive-late", changed({"archive.date": "2025-02-11"}), [("N-ARCHIVE", E, "S25")]),
    Row("archive-before-approval", changed({"archive.date": "2025-01-09"}), [("N-ARCHIVE", E, "S25")]),
    Row(
        "archive-without-conversion-application",
        changed({"archive.items": ["入党志愿书", "入党申请书", "政治审查材料", "培养教育考察材料"]}),
        [("N-ARCHIVE", E, "S25")],
        message_has=("转正申请书",),
    ),
    Row("archive-incomplete-but-not-due", changed({"archive.items": []}), [], as_of="2025-02-10"),
    # N-ORDER (发展党员工作流程): orders no other rule covers, and the missing milestones.
    Row("enrolled-before-approval", changed({"enrolled": "2024-01-17"}), [("N-ORDER", E, "S19")]),
    Row(
        "probation-assessment-before-approval",
        changed({"probation_assessments": ["2024-01-17"]}),
        [("N-ORDER", E, "S21")],
    ),
    Row(
        "candidate-before-activist-filing", changed({"activist.filed": "2023-09-21"}), [("N-ORDER", E, "S07")]
    ),
    Row(
        "candidate-before-mentor",
        changed({"mentors.0.assigned": "2023-09-21", "mentors.1.assigned": "2023-09-21"}),
        [("N-ORDER", E, "S07")],
    ),
    Row(
        "branch-review-before-candidate-filing",
        changed({"candidate.filed": "2023-11-21"}),
        [("N-ORDER", E, "S12")],
    ),
    Row("conversion-application-before-oath", changed({"oath": "2024-12-11"}), [("N-ORDER", E, "S22")]),
    Row(
        "assessment-before-activist",
        changed(
            {
                "assessments": [
                    {"date": "2022-09-01", "rating": "good"},
                    {"date": "2023-02-28", "rating": "good"},
                    {"date": "2023-08-30", "rating": "good"},
                ]
            }
        ),
        [("N-ORDER", E, "S06")],
    ),
    Row(
        "archive-before-extension-approval",
        lambda: changed({"archive.date": "2025-01-05"}, _extended_then(None)),
        [("N-ORDER", E, "S25")],
        as_of="2025-06-20",
    ),
    Row("no-application", without("S01"), [("N-ORDER", E, "S01")]),
    Row("no-activist-date", without("S03"), [("N-ORDER", E, "S03")]),
    Row("no-candidate-date", without("S07"), [("N-ORDER", E, "S07")]),
    Row("no-admission-meeting-date", changed({"admission_meeting.date": None}), [("N-ORDER", E, "S15")]),
]


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_rule_row(row: Row):
    dossier, as_of = row.build()
    result = result_of(dossier, as_of=as_of, **row.config)
    got = [(f["code"], f["severity"], f["step"]) for f in result["findings"]]
    assert got == row.expect, result["findings"]
    for text in row.message_has:
        assert any(text in f["message"] for f in result["findings"]), (text, result["findings"])


def test_ids_are_unique():
    assert len({r.id for r in ROWS}) == len(ROWS)


def test_a_fit_conversion_keeps_the_valid_record_clean():
    dossier = valid_dossier()
    fit_conversion(dossier)
    assert result_of(dossier)["findings"] == []
    assert (
        result_of(moved_to(("application", "received"), "2022-03-02")["dossiers"][0], as_of="2025-07-01")[
            "findings"
        ]
        == []
    )
