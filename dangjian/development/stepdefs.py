"""What each of the 25 steps records (its fields, in Chinese) and how a step record becomes part of the
PROCEDURE §5 dossier document the rule engine reads. Plain data and small functions, no Django.

A step record stores `date` (the date the step claims) and `data` (its fields by name). `assemble()` turns a
person's records into the §5 `dossier` dict, so the pages, the API, imports and `dangjian check` all feed the
same engine the same shape.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

TALKER_ROLES = [("secretary", "党支部书记"), ("deputy_secretary", "副书记"), ("organizing_member", "组织委员"),
                ("committee_member", "支部委员"), ("organizer", "组织员"), ("other", "其他人员")]
COMMITTEE_TALKER_ROLES = [("committee_member", "党委委员（含书记、副书记、组织委员）"), ("organizer", "党委组织员"),
                          ("other", "其他人员")]
DECIDED_BY = [("branch_committee", "支部委员会"), ("branch_meeting", "支部大会（未设支委会）"), ("other", "其他")]
NOMINATION = [("party_member", "党员推荐"), ("mass_org", "群团组织推优")]
MEMBER_STATUS = [("full", "正式党员"), ("probationary", "预备党员")]
DISCIPLINE = [("none", "无"), ("probation_within_party", "留党察看（尚未恢复党员权利）"), ("other", "其他处分")]
RATING = [("good", "好"), ("average", "一般"), ("poor", "差")]
RESULT = [("pass", "通过"), ("fail", "未通过")]
TRAINING_ORGANIZER = [("primary_committee", "基层党委"), ("county_org_dept", "县委组织部"), ("other", "其他")]
BODY_TYPE = [("township_committee", "乡镇（街道）党（工）委"), ("primary_committee", "有审批权的基层党委"),
             ("general_branch", "党总支"), ("branch", "党支部"), ("village_committee", "村（社区）党组织")]
APPROVAL_MODE = [("collective_meeting", "党委会集体讨论"), ("circulated", "传阅"), ("individual", "个别征求意见")]
BALLOT = [("secret", "无记名投票"), ("show_of_hands", "举手表决")]
DECISION = [("on_time", "按期转正"), ("extend", "延长预备期"), ("cancel", "取消预备党员资格")]
ARCHIVE_ITEMS = [(x, x) for x in ("入党志愿书", "入党申请书", "政治审查材料", "转正申请书", "培养教育考察材料")]


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str  # date | text | choice | multi | int | bool
    required: bool = True
    choices: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class StepDef:
    code: str
    date_label: str
    fields: tuple[Field, ...] = ()
    repeatable: bool = False  # S06, S21: several records; S22–S24: one per conversion decision (seq)


def _meeting_fields() -> tuple[Field, ...]:
    return (
        Field("full_members", "支部正式党员总数", "int"),
        Field("exclusions", "经上级党委和支部大会同意不计入的人数", "int", required=False),
        Field("present_full", "到会有表决权的正式党员数", "int"),
        Field("present_probationary", "到会预备党员数", "int", required=False),
        Field("yes_full", "到会正式党员赞成票", "int"),
        Field("yes_written", "未到会正式党员书面赞成", "int", required=False),
        Field("ballot", "表决方式", "choice", choices=BALLOT),
        Field("individually_voted", "逐个讨论、逐个表决", "bool", required=False),
        Field("candidates_on_agenda", "本次会议讨论的人数", "int", required=False),
        Field("publicity_start", "公示开始", "date", required=False),
        Field("publicity_end", "公示结束", "date", required=False),
    )


STEP_DEFS: dict[str, StepDef] = {d.code: d for d in (
    StepDef("S01", "党组织收到入党申请书日期"),
    StepDef("S02", "谈话日期", (Field("talker", "谈话人", "text"),
                                Field("talker_role", "谈话人身份", "choice", choices=TALKER_ROLES))),
    StepDef("S03", "确定为入党积极分子日期（会议日期）", (
        Field("decided_by", "决定机构", "choice", choices=DECIDED_BY),
        Field("nomination", "推荐方式", "multi", choices=NOMINATION),
        Field("publicity_start", "公示开始", "date", required=False),
        Field("publicity_end", "公示结束", "date", required=False))),
    StepDef("S04", "报上级党委备案日期"),
    StepDef("S05", "指定培养联系人日期", (
        Field("mentor1_name", "培养联系人一", "text"),
        Field("mentor1_status", "培养联系人一身份", "choice", choices=MEMBER_STATUS),
        Field("mentor2_name", "培养联系人二", "text", required=False),
        Field("mentor2_status", "培养联系人二身份", "choice", required=False, choices=MEMBER_STATUS))),
    StepDef("S06", "培养教育考察日期", (Field("rating", "考察结果", "choice", choices=RATING),), repeatable=True),
    StepDef("S07", "确定为发展对象日期（支委会）", (
        Field("opinions_heard", "听取党小组、培养联系人、党员和群众意见日期", "date"),
        Field("publicity_start", "公示开始", "date", required=False),
        Field("publicity_end", "公示结束", "date", required=False))),
    StepDef("S08", "报上级党委备案日期"),
    StepDef("S09", "确定入党介绍人日期", (
        Field("introducer1_name", "入党介绍人一", "text"),
        Field("introducer1_status", "介绍人一身份", "choice", choices=MEMBER_STATUS),
        Field("introducer1_discipline", "介绍人一处分情况", "choice", choices=DISCIPLINE),
        Field("introducer2_name", "入党介绍人二", "text"),
        Field("introducer2_status", "介绍人二身份", "choice", choices=MEMBER_STATUS),
        Field("introducer2_discipline", "介绍人二处分情况", "choice", choices=DISCIPLINE))),
    StepDef("S10", "政治审查结论日期", (Field("result", "政审结论", "choice", choices=RESULT),)),
    StepDef("S11", "集中培训结束日期", (
        Field("start", "培训开始日期", "date"),
        Field("days", "培训天数", "int", required=False),
        Field("hours", "培训学时", "int", required=False),
        Field("organizer", "举办单位", "choice", choices=TRAINING_ORGANIZER))),
    StepDef("S12", "支部委员会审查日期"),
    StepDef("S13", "上级党委预审日期", (
        Field("result", "预审结果", "choice", choices=RESULT),
        Field("written_notice", "已书面通知党支部", "bool", required=False))),
    StepDef("S14", "填写入党志愿书日期", (Field("issued", "入党志愿书发放日期", "date"),)),
    StepDef("S15", "支部大会日期", _meeting_fields()),
    StepDef("S16", "上级党委派人谈话日期", (
        Field("talker", "谈话人", "text"),
        Field("talker_role", "谈话人身份", "choice", choices=COMMITTEE_TALKER_ROLES))),
    StepDef("S17", "上级党委审批日期", (
        Field("body_type", "审批机构", "choice", choices=BODY_TYPE),
        Field("mode", "审批方式", "choice", choices=APPROVAL_MODE),
        Field("special_reason", "超过三个月审批的特殊原因", "text", required=False))),
    StepDef("S18", "报再上一级党委组织部门备案日期"),
    StepDef("S19", "编入党支部和党小组日期"),
    StepDef("S20", "入党宣誓日期"),
    StepDef("S21", "继续教育考察日期", repeatable=True),
    StepDef("S22", "提出转正申请日期", repeatable=True),
    StepDef("S23", "支部大会讨论转正日期", (
        *_meeting_fields(),
        Field("decision", "决议", "choice", choices=DECISION),
        Field("extension_months", "延长预备期（月）", "int", required=False),
        Field("recorded_full_member_date", "转为正式党员日期（按期转正时填写）", "date", required=False)),
        repeatable=True),
    StepDef("S24", "上级党委审批转正日期", repeatable=True),
    StepDef("S25", "材料归档日期", (Field("items", "归档材料", "multi", choices=ARCHIVE_ITEMS),)),
)}


def _iso(v: Any) -> Any:
    return v.isoformat() if hasattr(v, "isoformat") else v


def _publicity(data: dict) -> dict | None:
    if data.get("publicity_start") and data.get("publicity_end"):
        return {"start": data["publicity_start"], "end": data["publicity_end"]}
    return None


def _meeting(date: str, data: dict) -> dict:
    n_excl = int(data.get("exclusions") or 0)
    return {
        "date": date,
        "full_members": data.get("full_members"),
        "exclusions": [{"reason": "经批准不计入", "approved_by_higher": True, "approved_by_meeting": True}] * n_excl,
        "present": {"full": data.get("present_full"), "probationary": data.get("present_probationary") or 0},
        "yes": {"full": data.get("yes_full"), "probationary": 0, "written": data.get("yes_written") or 0},
        "ballot": data.get("ballot"),
        "individually_voted": bool(data.get("individually_voted", True)),
        "candidates_on_agenda": data.get("candidates_on_agenda") or 1,
        "publicity": _publicity(data),
    }


@dataclass(frozen=True)
class RecordView:
    """What assemble() needs of a record (a model instance or a plain object)."""

    step: str
    seq: int
    date: str
    data: dict


def _people(data: dict, prefix: str, count: int, extra: Callable[[str], dict]) -> list[dict]:
    out = []
    for i in range(1, count + 1):
        name = data.get(f"{prefix}{i}_name")
        if name:
            out.append({"name": name, "status": data.get(f"{prefix}{i}_status") or "full", **extra(f"{prefix}{i}")})
    return out


def introducers_of(data: dict, load: dict[str, int] | None = None) -> list[dict]:
    """§5 ``introducers`` from an S09 record's fields; ``open_candidates`` from ``load`` by name (1 if absent:
    this dossier alone; development.introducers computes the real count)."""
    load = load or {}
    return _people(data, "introducer", 2, lambda p: {"discipline": data.get(f"{p}_discipline") or "none",
                                                     "open_candidates": load.get(data.get(f"{p}_name") or "", 1)})


def assemble(dossier_id: str, person: dict, records: list[RecordView], introducer_load: dict[str, int] | None = None
             ) -> dict:
    """The §5 dossier dict for these records (dates as ISO strings)."""
    d: dict[str, Any] = {"id": dossier_id, "person": person}
    by_step: dict[str, list[RecordView]] = {}
    for r in sorted(records, key=lambda r: (r.step, r.seq)):
        by_step.setdefault(r.step, []).append(r)

    def one(step: str) -> RecordView | None:
        rows = by_step.get(step)
        return rows[-1] if rows else None

    if r := one("S01"):
        d["application"] = {"received": r.date}
    if r := one("S02"):
        d["talk"] = {"date": r.date, "talker": r.data.get("talker"), "talker_role": r.data.get("talker_role")}
    if r := one("S03"):
        d["activist"] = {"date": r.date, "decided_by": r.data.get("decided_by"),
                         "nomination": list(r.data.get("nomination") or []), "filed": None,
                         "publicity": _publicity(r.data)}
    if r := one("S04"):
        d.setdefault("activist", {})["filed"] = r.date
    if r := one("S05"):
        d["mentors"] = _people(r.data, "mentor", 2, lambda p: {"assigned": r.date})
    if rows := by_step.get("S06"):
        d["assessments"] = [{"date": x.date, "rating": x.data.get("rating")} for x in rows]
    if r := one("S07"):
        d["candidate"] = {"date": r.date, "filed": None, "opinions_heard": r.data.get("opinions_heard"),
                          "publicity": _publicity(r.data)}
    if r := one("S08"):
        d.setdefault("candidate", {})["filed"] = r.date
    if r := one("S09"):
        d["introducers"] = introducers_of(r.data, introducer_load)
    if r := one("S10"):
        d["political_review"] = {"date": r.date, "result": r.data.get("result")}
    if r := one("S11"):
        d["training"] = {"start": r.data.get("start"), "end": r.date, "days": r.data.get("days"),
                         "hours": r.data.get("hours"), "organizer": r.data.get("organizer")}
    if r := one("S12"):
        d["branch_review"] = {"date": r.date}
    if r := one("S13"):
        d["pre_review"] = {"date": r.date, "result": r.data.get("result"),
                           "written_notice": r.data.get("written_notice")}
    if r := one("S14"):
        d["application_form"] = {"issued": r.data.get("issued"), "filled": r.date}
    if r := one("S15"):
        d["admission_meeting"] = _meeting(r.date, r.data)
    if r := one("S16"):
        d["committee_talk"] = {"date": r.date, "talker": r.data.get("talker"), "talker_role": r.data.get("talker_role")}
    if r := one("S17"):
        d["approval"] = {"date": r.date, "body_type": r.data.get("body_type"), "mode": r.data.get("mode"),
                         "special_reason": r.data.get("special_reason") or None}
    for step, key in (("S18", "approval_filed"), ("S19", "enrolled"), ("S20", "oath")):
        if r := one(step):
            d[key] = r.date
    if rows := by_step.get("S21"):
        d["probation_assessments"] = [x.date for x in rows]
    seqs = sorted({x.seq for s in ("S22", "S23", "S24") for x in by_step.get(s, [])})
    if seqs:
        conversions = []
        for seq in seqs:
            app = next((x for x in by_step.get("S22", []) if x.seq == seq), None)
            meet = next((x for x in by_step.get("S23", []) if x.seq == seq), None)
            appr = next((x for x in by_step.get("S24", []) if x.seq == seq), None)
            conv: dict[str, Any] = {"application": app.date if app else None,
                                    "meeting": _meeting(meet.date, meet.data) if meet else None,
                                    "decision": meet.data.get("decision") if meet else None,
                                    "extension_months": meet.data.get("extension_months") if meet else None,
                                    "approval": appr.date if appr else None,
                                    "recorded_full_member_date": meet.data.get("recorded_full_member_date") if meet else None}
            conversions.append(conv)
        d["conversions"] = conversions
    if r := one("S25"):
        d["archive"] = {"date": r.date, "items": list(r.data.get("items") or [])}
    return d
