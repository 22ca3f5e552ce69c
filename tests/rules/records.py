"""The valid record of PROCEDURE.md §5 and small helpers to change it (pure Python: no Django)."""

from __future__ import annotations

import copy
import re
from datetime import date, timedelta
from typing import Any

from dangjian.rules import Config, Dossier, check_document, evaluate
from dangjian.rules.dates import add_months, add_years

# PROCEDURE.md §5, verbatim: this record gives no finding.
VALID_DOC: dict[str, Any] = {
    "as_of": "2025-06-30",
    "config": {
        "strict_anniversary": False,
        "strict_birthday": False,
        "holiday_rollover": False,
        "candidate_date": "committee",
        "min_cultivation_years": None,
        "publicity_working_days": None,
        "publicity_at": [],
        "kinship_gate": None,
        "joint_review_departments": [],
        "joint_review_gate": "candidate",
        "county_review_gate": None,
        "training_min_hours": None,
        "application_min_months": None,
        "meeting_within_1m_of_prereview": False,
        "oath_within_1m": False,
        "tiers": False,
    },
    "dossiers": [
        {
            "id": "any text",
            "person": {
                "birth_date": "1995-06-15",
                "near_relative_of_cadre": False,
                "tier": None,
                "expected_departure": None,
            },
            "application": {"received": "2022-03-01"},
            "talk": {"date": "2022-03-20", "talker": "王某", "talker_role": "secretary"},
            "activist": {
                "date": "2022-09-05",
                "decided_by": "branch_committee",
                "nomination": ["party_member", "mass_org"],
                "filed": "2022-09-08",
                "publicity": None,
            },
            "mentors": [
                {"name": "甲", "status": "full", "assigned": "2022-09-10"},
                {"name": "乙", "status": "full", "assigned": "2022-09-10"},
            ],
            "assessments": [
                {"date": "2023-02-28", "rating": "good"},
                {"date": "2023-08-30", "rating": "good"},
            ],
            "candidate": {
                "date": "2023-09-20",
                "filed": "2023-09-28",
                "opinions_heard": "2023-09-18",
                "publicity": {"start": "2023-09-21", "end": "2023-09-27"},
            },
            "introducers": [
                {"name": "甲", "status": "full", "discipline": "none", "open_candidates": 1},
                {"name": "乙", "status": "full", "discipline": "none", "open_candidates": 1},
            ],
            "political_review": {"date": "2023-10-10", "result": "pass"},
            "joint_review": [{"department": "公安", "date": "2023-09-15", "finding": "none"}],
            "negative_list_hits": [],
            "kinship_approval": None,
            "training": {
                "start": "2023-10-16",
                "end": "2023-10-18",
                "days": 3,
                "hours": 24,
                "organizer": "county_org_dept",
            },
            "branch_review": {"date": "2023-11-20"},
            "pre_review": {"date": "2023-11-28", "result": "pass", "written_notice": True},
            "county_review": None,
            "application_form": {"issued": "2023-11-30", "filled": "2023-12-05"},
            "admission_meeting": {
                "date": "2023-12-20",
                "full_members": 20,
                "exclusions": [
                    {"reason": "自费出国半年以上", "approved_by_higher": True, "approved_by_meeting": True}
                ],
                "present": {"full": 15, "probationary": 2},
                "yes": {"full": 14, "probationary": 2, "written": 0},
                "ballot": "secret",
                "individually_voted": True,
                "candidates_on_agenda": 1,
                "publicity": None,
            },
            "committee_talk": {"date": "2024-01-05", "talker": "李某", "talker_role": "organizer"},
            "approval": {
                "date": "2024-01-18",
                "body_type": "township_committee",
                "mode": "collective_meeting",
                "special_reason": None,
            },
            "approval_filed": "2024-01-19",
            "enrolled": "2024-01-20",
            "oath": "2024-01-26",
            "probation_assessments": ["2024-06-20"],
            "conversions": [
                {
                    "application": "2024-12-10",
                    "meeting": {
                        "date": "2024-12-20",
                        "full_members": 20,
                        "exclusions": [],
                        "present": {"full": 14, "probationary": 0},
                        "yes": {"full": 14, "probationary": 0, "written": 0},
                        "ballot": "secret",
                        "individually_voted": True,
                        "candidates_on_agenda": 1,
                        "publicity": None,
                    },
                    "decision": "on_time",
                    "extension_months": None,
                    "approval": "2025-01-10",
                    "recorded_full_member_date": "2024-12-20",
                }
            ],
            "archive": {
                "date": "2025-01-20",
                "items": ["入党志愿书", "入党申请书", "政治审查材料", "转正申请书", "培养教育考察材料"],
            },
        }
    ],
}

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def valid_doc() -> dict[str, Any]:
    """A fresh deep copy of the §5 input document."""
    return copy.deepcopy(VALID_DOC)


def valid_dossier() -> dict[str, Any]:
    """A fresh deep copy of the §5 dossier."""
    return copy.deepcopy(VALID_DOC["dossiers"][0])


def doc_with(dossier: dict[str, Any], *, as_of: str | None = None, **config: Any) -> dict[str, Any]:
    """A §5 document holding one dossier, with config overrides."""
    doc = valid_doc()
    doc["dossiers"] = [dossier]
    doc["config"].update(config)
    if as_of is not None:
        doc["as_of"] = as_of
    return doc


def result_of(dossier: dict[str, Any], *, as_of: str | None = None, **config: Any) -> dict[str, Any]:
    """The §5 result for one dossier dict."""
    return check_document(doc_with(dossier, as_of=as_of, **config))["results"][0]


def findings(dossier: dict[str, Any], *, as_of: str | None = None, **config: Any) -> list[dict[str, Any]]:
    """The findings for one dossier dict."""
    return result_of(dossier, as_of=as_of, **config)["findings"]


def codes(dossier: dict[str, Any], *, as_of: str | None = None, **config: Any) -> list[tuple[str, str]]:
    """(code, severity) of every finding, in output order."""
    return [(f["code"], f["severity"]) for f in findings(dossier, as_of=as_of, **config)]


def typed(dossier: dict[str, Any], *, as_of: str = "2025-06-30", **config: Any):
    """``evaluate`` on the typed API."""
    return evaluate(Dossier.from_dict(dossier), Config.from_dict(config), date.fromisoformat(as_of))


def _map_dates(value: Any, fn) -> Any:
    if isinstance(value, dict):
        return {k: _map_dates(v, fn) for k, v in value.items()}
    if isinstance(value, list):
        return [_map_dates(v, fn) for v in value]
    if isinstance(value, str) and _ISO.match(value):
        return fn(date.fromisoformat(value)).isoformat()
    return value


def shift_years(doc: dict[str, Any], years: int) -> dict[str, Any]:
    """Every date of a document (as_of included) moved by whole years (add_years)."""
    return _map_dates(doc, lambda d: add_years(d, years))


def shift_days(doc: dict[str, Any], days: int) -> dict[str, Any]:
    """Every date moved by ``days``; the conversion is then re-dated to the new probation end so the record
    stays valid (a shift in days changes how many days a year has)."""
    out = _map_dates(doc, lambda d: d + timedelta(days=days))
    for dossier in out["dossiers"]:
        fit_conversion(dossier)
    return out


def fit_conversion(dossier: dict[str, Any]) -> None:
    """Put the (single, on-time) conversion of a record on its probation end, with the steps after it."""
    meeting = date.fromisoformat(dossier["admission_meeting"]["date"])
    end = add_years(meeting, 1)
    conversion = dossier["conversions"][0]
    conversion["application"] = (end - timedelta(days=10)).isoformat()
    conversion["meeting"]["date"] = end.isoformat()
    conversion["recorded_full_member_date"] = end.isoformat()
    approval = end + timedelta(days=21)
    conversion["approval"] = approval.isoformat()
    dossier["archive"]["date"] = (approval + timedelta(days=10)).isoformat()


def moved_to(field_path: tuple[str, ...], target: str) -> dict[str, Any]:
    """The valid document shifted in days so that the dossier date at ``field_path`` is ``target``."""
    value: Any = VALID_DOC["dossiers"][0]
    for part in field_path:
        value = value[part]
    delta = (date.fromisoformat(target) - date.fromisoformat(value)).days
    return shift_days(valid_doc(), delta)


def after(day: str, days: int) -> str:
    """``day`` plus ``days`` (ISO strings)."""
    return (date.fromisoformat(day) + timedelta(days=days)).isoformat()


def plus_months(day: str, months: int) -> str:
    """``add_months`` on ISO strings."""
    return add_months(date.fromisoformat(day), months).isoformat()


DELETE = object()


def set_path(target: dict[str, Any], path: str, value: Any) -> None:
    """Set ``a.b.0.c`` inside nested dicts/lists (``DELETE`` removes the key)."""
    parts = path.split(".")
    node: Any = target
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    elif value is DELETE:
        node.pop(last, None)
    else:
        node[last] = value


def changed(changes: dict[str, Any], dossier: dict[str, Any] | None = None) -> dict[str, Any]:
    """The valid dossier (or ``dossier``) with ``changes`` applied (path → value)."""
    out = valid_dossier() if dossier is None else copy.deepcopy(dossier)
    for path, value in changes.items():
        set_path(out, path, value)
    return out


# The keys that hold each step; removing them removes the step.
STEP_KEYS: dict[str, tuple[str, ...]] = {
    "S01": ("application",),
    "S02": ("talk",),
    "S03": ("activist.date",),
    "S04": ("activist.filed",),
    "S05": ("mentors",),
    "S06": ("assessments",),
    "S07": ("candidate.date",),
    "S08": ("candidate.filed",),
    "S09": ("introducers",),
    "S10": ("political_review",),
    "S11": ("training",),
    "S12": ("branch_review",),
    "S13": ("pre_review",),
    "S14": ("application_form",),
    "S15": ("admission_meeting",),
    "S16": ("committee_talk",),
    "S17": ("approval",),
    "S18": ("approval_filed",),
    "S19": ("enrolled",),
    "S20": ("oath",),
    "S21": ("probation_assessments",),
    "S22": ("conversions",),
    "S23": ("conversions",),
    "S24": ("conversions",),
    "S25": ("archive",),
}


def without(*steps: str, dossier: dict[str, Any] | None = None) -> dict[str, Any]:
    """The dossier without the given steps."""
    out = valid_dossier() if dossier is None else copy.deepcopy(dossier)
    for step in steps:
        for path in STEP_KEYS[step]:
            set_path(out, path, DELETE)
    return out


def up_to(step: str, dossier: dict[str, Any] | None = None) -> dict[str, Any]:
    """The dossier with every step after ``step`` removed (a record still in progress)."""
    later = [f"S{n:02d}" for n in range(int(step[1:]) + 1, 26)]
    return without(*later, dossier=dossier)


def redate_from_meeting(meeting: str, dossier: dict[str, Any] | None = None) -> tuple[dict[str, Any], str]:
    """The dossier with the admission meeting on ``meeting`` and every later step re-dated after it.

    Returns the dossier and an ``as_of`` late enough for the whole record.
    """
    out = valid_dossier() if dossier is None else copy.deepcopy(dossier)
    out["admission_meeting"]["date"] = meeting
    out["committee_talk"]["date"] = after(meeting, 16)
    redate_from_approval(after(meeting, 29), out)
    fit_conversion(out)
    return out, after(out["archive"]["date"], 161)


def redate_from_approval(approval: str, dossier: dict[str, Any] | None = None) -> dict[str, Any]:
    """The dossier with the approval on ``approval`` and the filing, enrolment and oath just after it."""
    out = valid_dossier() if dossier is None else dossier
    out["approval"]["date"] = approval
    out["approval_filed"] = after(approval, 1)
    out["enrolled"] = after(approval, 2)
    out["oath"] = after(approval, 8)
    out["probation_assessments"] = [after(approval, 150)]
    return out
