"""The ``check`` contract's input (PROCEDURE.md §5) as frozen dataclasses, with a strict parser (and a fast one).

The dataclasses *are* the schema: field names are the JSON names, annotations give the types (dates,
enumerations as ``Literal``, non-negative counts, nested objects, lists as tuples) and each field carries its
Chinese label for "未记录…" messages. An absent key and ``null`` mean "not recorded" (the field default).
Anything else that does not fit raises :class:`InputError` naming the JSON path at fault.
"""

from __future__ import annotations

import dataclasses
import itertools
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date as Date
from datetime import datetime as DateTime
from typing import Any, Literal, TypeVar, get_args, get_origin, get_type_hints

from dangjian.rules.dates import ISO_DATE

# Dates outside this range are refused: nobody in the procedure lives there, and date arithmetic stays safe.
MIN_DATE = Date(1900, 1, 1)
MAX_DATE = Date(2199, 12, 31)


class InputError(ValueError):
    """Malformed input: ``path`` is the JSON path at fault (``$.dossiers[0].activist.dat``)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


TalkerRole = Literal[
    "secretary", "deputy_secretary", "organizing_member", "committee_member", "organizer", "other"
]
CommitteeTalkerRole = Literal["committee_member", "organizer", "other"]
DecidedBy = Literal["branch_committee", "branch_meeting", "other"]
Nomination = Literal["party_member", "mass_org"]
MemberStatus = Literal["full", "probationary"]
Discipline = Literal["none", "probation_within_party", "other"]
Rating = Literal["good", "average", "poor"]
ReviewResult = Literal["pass", "fail"]
TrainingOrganizer = Literal["primary_committee", "county_org_dept", "other"]
BodyType = Literal["township_committee", "primary_committee", "general_branch", "branch", "village_committee"]
ApprovalMode = Literal["collective_meeting", "circulated", "individual"]
Ballot = Literal["secret", "show_of_hands"]
Decision = Literal["on_time", "extend", "cancel"]
ReplyFinding = Literal["none", "cleared", "blocking"]
Effect = Literal["block", "refer"]
Stage = Literal["activist", "candidate", "admission", "conversion"]
Tier = Literal["current_year", "near_term", "long_term"]
CandidateDateMode = Literal["committee", "filing"]
Gate = Literal["activist", "candidate", "admission"]
CountyReviewGate = Literal["admission", "approval"]
PublicityPoint = Literal["activist", "candidate", "admission", "conversion"]


def _f(zh: str, default: Any = None) -> Any:
    """A field that defaults to "not recorded", with its Chinese label."""
    return field(default=default, metadata={"zh": zh})


def _many(zh: str) -> Any:
    """A list field (a tuple here); absent or null is the empty list."""
    return field(default=(), metadata={"zh": zh})


# ---------------------------------------------------------------------------------------------- the record


@dataclass(frozen=True)
class Person:
    """The person: birth date (N-AGE-18) and the facts local rules read."""

    birth_date: Date | None = _f("出生日期")
    near_relative_of_cadre: bool | None = _f("是否村干部近亲属")
    tier: Tier | None = _f("发展梯次")
    expected_departure: Date | None = _f("预计离开日期")


@dataclass(frozen=True)
class Application:
    """S01: the date the organization received the written, signed application."""

    received: Date | None = _f("党组织收到入党申请书日期")


@dataclass(frozen=True)
class Talk:
    """S02: the branch's talk with the applicant."""

    date: Date | None = _f("谈话日期")
    talker: str | None = _f("谈话人")
    talker_role: TalkerRole | None = _f("谈话人身份")


@dataclass(frozen=True)
class Notice:
    """A public notice (公示): first and last day."""

    start: Date | None = _f("公示开始日期")
    end: Date | None = _f("公示结束日期")


@dataclass(frozen=True)
class Activist:
    """S03 and S04: designation as activist (date A) and its filing."""

    date: Date | None = _f("确定入党积极分子日期")
    decided_by: DecidedBy | None = _f("决定机构")
    nomination: tuple[Nomination, ...] = _many("推荐方式")
    filed: Date | None = _f("积极分子备案日期")
    publicity: Notice | None = _f("积极分子公示")


@dataclass(frozen=True)
class Mentor:
    """S05: one of the 1–2 mentors (培养联系人)."""

    name: str | None = _f("培养联系人姓名")
    status: MemberStatus | None = _f("培养联系人党员身份")
    assigned: Date | None = _f("指定日期")


@dataclass(frozen=True)
class Assessment:
    """S06: one half-yearly assessment of the activist."""

    date: Date | None = _f("考察日期")
    rating: Rating | None = _f("考察评价")


@dataclass(frozen=True)
class Candidate:
    """S07 and S08: designation as candidate (date D) and its filing."""

    date: Date | None = _f("确定发展对象日期")
    filed: Date | None = _f("发展对象备案日期")
    opinions_heard: Date | None = _f("听取意见日期")
    publicity: Notice | None = _f("发展对象公示")


@dataclass(frozen=True)
class Introducer:
    """S09: one of the two introducers (入党介绍人)."""

    name: str | None = _f("入党介绍人姓名")
    status: MemberStatus | None = _f("入党介绍人党员身份")
    discipline: Discipline | None = _f("入党介绍人党纪处分情况")
    open_candidates: int | None = _f("入党介绍人正在介绍的发展对象数")


@dataclass(frozen=True)
class PoliticalReview:
    """S10: the political review's conclusion."""

    date: Date | None = _f("政治审查结论日期")
    result: ReviewResult | None = _f("政治审查结论")


@dataclass(frozen=True)
class JointReviewReply:
    """A department's reply in the county joint review (联审)."""

    department: str | None = _f("联审部门")
    date: Date | None = _f("联审回复日期")
    finding: ReplyFinding | None = _f("联审意见")


@dataclass(frozen=True)
class NegativeListHit:
    """An item of the county's negative list that applies to the person."""

    item: str | None = _f("负面清单条目")
    stage: Stage | None = _f("负面清单所属阶段")
    effect: Effect | None = _f("负面清单处理方式")


@dataclass(frozen=True)
class KinshipApproval:
    """The county's approval for a near relative of a serving village cadre."""

    date: Date | None = _f("县委组织部审批日期")


@dataclass(frozen=True)
class Training:
    """S11: the concentrated training."""

    start: Date | None = _f("集中培训开始日期")
    end: Date | None = _f("集中培训结束日期")
    days: int | None = _f("集中培训天数")
    hours: int | None = _f("集中培训学时")
    organizer: TrainingOrganizer | None = _f("集中培训组织单位")


@dataclass(frozen=True)
class BranchReview:
    """S12: the branch committee's review."""

    date: Date | None = _f("支部委员会审查日期")


@dataclass(frozen=True)
class PreReview:
    """S13: the approving committee's pre-review."""

    date: Date | None = _f("上级党委预审日期")
    result: ReviewResult | None = _f("预审结论")
    written_notice: bool | None = _f("预审书面通知")


@dataclass(frozen=True)
class CountyReview:
    """The county organization department's re-review (三级审查, L-3-LEVEL-REVIEW)."""

    date: Date | None = _f("县委组织部复审日期")
    result: ReviewResult | None = _f("县委组织部复审结论")


@dataclass(frozen=True)
class ApplicationForm:
    """S14: the application form (入党志愿书)."""

    issued: Date | None = _f("入党志愿书发放日期")
    filled: Date | None = _f("入党志愿书填写日期")


@dataclass(frozen=True)
class Exclusion:
    """A full member excused from a meeting (e.g. abroad), approved by the higher committee and the meeting.

    Only an exclusion approved by both lowers the number of members who should attend.
    """

    reason: str | None = _f("不计入应到会人数的原因")
    approved_by_higher: bool | None = _f("上级党组织同意不计入")
    approved_by_meeting: bool | None = _f("支部大会同意不计入")


@dataclass(frozen=True)
class Attendance:
    """Members present at a meeting."""

    full: int | None = _f("到会正式党员人数")
    probationary: int | None = _f("到会预备党员人数")


@dataclass(frozen=True)
class Votes:
    """Yes votes at a meeting."""

    full: int | None = _f("到会正式党员赞成票数")
    probationary: int | None = _f("预备党员赞成票数")
    written: int | None = _f("书面赞成票数")


@dataclass(frozen=True)
class Meeting:
    """A branch general meeting (S15 admission, S23 conversion)."""

    date: Date | None = _f("支部大会日期")
    full_members: int | None = _f("支部正式党员人数")
    exclusions: tuple[Exclusion, ...] = _many("不计入应到会人数的党员")
    present: Attendance | None = _f("到会人数")
    yes: Votes | None = _f("赞成票")
    ballot: Ballot | None = _f("表决方式")
    individually_voted: bool | None = _f("是否逐个表决")
    candidates_on_agenda: int | None = _f("本次讨论的对象人数")
    publicity: Notice | None = _f("公示")


@dataclass(frozen=True)
class CommitteeTalk:
    """S16: the approving committee's talk with the candidate."""

    date: Date | None = _f("上级党委派人谈话日期")
    talker: str | None = _f("谈话人")
    talker_role: CommitteeTalkerRole | None = _f("谈话人身份")


@dataclass(frozen=True)
class Approval:
    """S17: the approving committee's decision on admission."""

    date: Date | None = _f("上级党委审批日期")
    body_type: BodyType | None = _f("审批机构类型")
    mode: ApprovalMode | None = _f("审批方式")
    special_reason: str | None = _f("超期审批的特殊原因")


@dataclass(frozen=True)
class Conversion:
    """One conversion decision (S22 application, S23 meeting, S24 approval)."""

    application: Date | None = _f("转正申请日期")
    meeting: Meeting | None = _f("转正支部大会")
    decision: Decision | None = _f("转正决定")
    extension_months: int | None = _f("延长预备期月数")
    approval: Date | None = _f("转正审批日期")
    recorded_full_member_date: Date | None = _f("登记的转为正式党员日期")


@dataclass(frozen=True)
class Archive:
    """S25: the archive and the materials it holds."""

    date: Date | None = _f("归档日期")
    items: tuple[str, ...] = _many("归档材料")


@dataclass(frozen=True)
class Dossier:
    """One person's development record (PROCEDURE.md §5)."""

    id: str | None = _f("编号")
    person: Person | None = _f("本人情况")
    application: Application | None = _f("入党申请")
    talk: Talk | None = _f("党组织派人谈话")
    activist: Activist | None = _f("入党积极分子")
    mentors: tuple[Mentor, ...] = _many("培养联系人")
    assessments: tuple[Assessment, ...] = _many("培养教育考察")
    candidate: Candidate | None = _f("发展对象")
    introducers: tuple[Introducer, ...] = _many("入党介绍人")
    political_review: PoliticalReview | None = _f("政治审查")
    joint_review: tuple[JointReviewReply, ...] = _many("联审")
    negative_list_hits: tuple[NegativeListHit, ...] = _many("负面清单")
    kinship_approval: KinshipApproval | None = _f("近亲属审批")
    training: Training | None = _f("集中培训")
    branch_review: BranchReview | None = _f("支部委员会审查")
    pre_review: PreReview | None = _f("上级党委预审")
    county_review: CountyReview | None = _f("县委组织部复审")
    application_form: ApplicationForm | None = _f("入党志愿书")
    admission_meeting: Meeting | None = _f("接收预备党员支部大会")
    committee_talk: CommitteeTalk | None = _f("上级党委派人谈话")
    approval: Approval | None = _f("上级党委审批")
    approval_filed: Date | None = _f("再上一级党委组织部门备案日期")
    enrolled: Date | None = _f("编入党支部和党小组日期")
    oath: Date | None = _f("入党宣誓日期")
    probation_assessments: tuple[Date, ...] = _many("预备期考察日期")
    conversions: tuple[Conversion, ...] = _many("转正")
    archive: Archive | None = _f("材料归档")

    @classmethod
    def from_dict(cls, data: Any, path: str = "$") -> Dossier:
        """Parse one JSON-decoded dossier strictly; raises :class:`InputError` with the path at fault."""
        return parse_object(cls, data, path)


# ---------------------------------------------------------------------------------------------- the config


@dataclass(frozen=True)
class Config:
    """The county's settings (PROCEDURE.md §5). Defaults: national rules only, every local rule off."""

    strict_anniversary: bool = _f("整年期限自周年次日起算", False)
    strict_birthday: bool = _f("十八周岁自生日次日起算", False)
    holiday_rollover: bool = _f("期限遇节假日顺延", False)
    candidate_date: CandidateDateMode = _f("发展对象日期口径", "committee")
    min_cultivation_years: int | None = _f("最短培养年限（六不发展）")
    publicity_working_days: int | None = _f("公示工作日数")
    publicity_at: tuple[PublicityPoint, ...] = _many("公示环节")
    kinship_gate: Gate | None = _f("近亲属审批关口")
    joint_review_departments: tuple[str, ...] = _many("联审部门")
    joint_review_gate: Gate = _f("联审关口", "candidate")
    county_review_gate: CountyReviewGate | None = _f("县委组织部复审关口")
    training_min_hours: int | None = _f("集中培训最少学时")
    application_min_months: int | None = _f("申请后最短月数")
    meeting_within_1m_of_prereview: bool = _f("预审后一个月内开支部大会", False)
    oath_within_1m: bool = _f("审批后一个月内宣誓", False)
    tiers: bool = _f("分梯次管理", False)

    @classmethod
    def from_dict(cls, data: Any, path: str = "$.config") -> Config:
        """Parse the JSON-decoded config strictly (absent or null keys take the defaults)."""
        return parse_object(cls, {} if data is None else data, path)


@dataclass(frozen=True)
class Document:
    """The whole ``check`` input: today's date, the county config and the dossiers."""

    as_of: Date | None = _f("检查日期")
    config: Config = field(default_factory=Config, metadata={"zh": "县级设置"})
    dossiers: tuple[Dossier, ...] = _many("发展档案")


# ---------------------------------------------------------------------------------------------- the parser
#
# Two parsers read the same annotations. The strict parser (``parse_object_strict``) walks them with typing
# introspection and names the JSON path of the first problem. The fast parser is compiled once per dataclass
# from the same annotations into straight-line Python (a field table turned into code, memoized dates, the
# instance built without ``__init__``) and accepts only input it is sure of: anything else it declines, and the
# strict parser then decides, so an error is always the strict parser's. ``parse_object`` and
# ``validate_document`` use the fast parser first; tests check both give equal results on generated input.

T = TypeVar("T")


_HINTS: dict[type, dict[str, Any]] = {}


def _hints_of(cls: type) -> dict[str, Any]:
    """The resolved annotations of a schema dataclass (cached)."""
    if cls not in _HINTS:
        _HINTS[cls] = get_type_hints(cls)
    return _HINTS[cls]


def parse_object(cls: type[T], data: Any, path: str) -> T:
    """Parse a JSON object into dataclass ``cls``: unknown keys, wrong types and bad values raise."""
    try:
        return fast_parser(cls)(data)
    except _Declined:
        return parse_object_strict(cls, data, path)


def parse_object_strict(cls: type[T], data: Any, path: str) -> T:
    """The strict parser: ``parse_object`` by typing introspection, naming the path of the first problem."""
    if not isinstance(data, dict):
        raise InputError(path, "expected an object（应为对象）")
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    hints = _hints_of(cls)
    values: dict[str, Any] = {}
    for key, raw in data.items():
        if not isinstance(key, str) or key not in fields:
            raise InputError(f"{path}.{key}", "unknown field（未知字段）")
        if raw is None:
            continue  # null = not recorded: the field's default
        values[key] = parse_value(hints[key], raw, f"{path}.{key}")
    return cls(**values)


def parse_value(tp: Any, raw: Any, path: str) -> Any:
    """Parse one JSON value against annotation ``tp`` (``raw`` is not None here); strict."""
    origin = get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in get_args(tp) if a is not type(None)]
        return parse_value(inner[0], raw, path)
    if origin is tuple:
        if not isinstance(raw, list):
            raise InputError(path, "expected a list（应为列表）")
        item_type = get_args(tp)[0]
        items = []
        for i, item in enumerate(raw):
            if item is None:
                raise InputError(f"{path}[{i}]", "null is not allowed in a list（列表中不能有 null）")
            items.append(parse_value(item_type, item, f"{path}[{i}]"))
        return tuple(items)
    if origin is Literal:
        allowed = get_args(tp)
        if not isinstance(raw, str) or raw not in allowed:
            raise InputError(path, f"expected one of {', '.join(allowed)}（取值无效：{raw!r}）")
        return raw
    if tp is Date:
        return parse_date(raw, path)
    if tp is bool:
        if not isinstance(raw, bool):
            raise InputError(path, "expected true or false（应为布尔值）")
        return raw
    if tp is int:
        return _parse_count(raw, path)
    if tp is str:
        if not isinstance(raw, str):
            raise InputError(path, "expected a string（应为字符串）")
        return raw
    if dataclasses.is_dataclass(tp):
        return parse_object_strict(tp, raw, path)
    raise TypeError(f"unsupported annotation {tp!r}")  # pragma: no cover - a schema bug, not an input error


def parse_date(raw: Any, path: str) -> Date:
    """An ISO date ``YYYY-MM-DD`` (or a ``date``); impossible or far-off dates raise."""
    if isinstance(raw, Date) and not isinstance(raw, DateTime):
        value = raw
    elif isinstance(raw, str) and ISO_DATE.match(raw):
        try:
            value = Date.fromisoformat(raw)
        except ValueError:
            raise InputError(path, f"impossible date {raw}（日期不存在）") from None
    else:
        raise InputError(path, f"expected a date YYYY-MM-DD（日期格式应为 YYYY-MM-DD）, got {raw!r}")
    if not MIN_DATE <= value <= MAX_DATE:
        raise InputError(path, f"date out of range {MIN_DATE}–{MAX_DATE}（日期超出范围）")
    return value


def _parse_count(raw: Any, path: str) -> int:
    # Counts are non-negative integers (PROCEDURE.md §5); 3.0 is refused like "3", true like 1.
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise InputError(path, f"expected a non-negative integer（应为非负整数）, got {raw!r}")
    if raw < 0:
        raise InputError(path, f"negative count {raw}（不能为负数）")
    return raw


def validate_document(doc: Any) -> Document:
    """Validate a JSON-decoded ``check`` input strictly and return it parsed.

    Raises :class:`InputError` naming the JSON path at fault: unknown fields, wrong types or values,
    impossible dates, negative counts. ``dossiers`` must be present.
    """
    try:
        return _fast_document(doc)
    except _Declined:
        return validate_document_strict(doc)


def validate_document_strict(doc: Any) -> Document:
    """``validate_document`` by the strict parser alone."""
    if not isinstance(doc, dict):
        raise InputError("$", "expected an object（应为对象）")
    if doc.get("dossiers") is None:
        raise InputError("$.dossiers", "required（必须提供 dossiers 列表）")
    config = parse_object_strict(Config, {} if doc.get("config") is None else doc["config"], "$.config")
    rest = {k: v for k, v in doc.items() if k != "config"}
    parsed = parse_object_strict(Document, rest, "$")
    return dataclasses.replace(parsed, config=config)


# ------------------------------------------------------------------------------------------- the fast parser


class _Declined(Exception):
    """The fast parser does not take this input as it is: the strict parser decides (and names the error)."""


# Date text → date, for every text the strict parser accepted. At most one entry per day from MIN_DATE to
# MAX_DATE in ISO form (about 110,000); the cap only guards against odd spellings it also accepts.
_DATES: dict[str, Date] = {}
_DATES_CAP = 150_000


def _fast_date(raw: Any) -> Date:
    """A date exactly as ``parse_date`` reads it (memoized by its text); anything it would refuse declines."""
    if raw.__class__ is str:
        value = _DATES.get(raw)
        if value is None:
            try:
                value = parse_date(raw, "$")
            except InputError:
                raise _Declined from None
            if len(_DATES) < _DATES_CAP:
                _DATES[raw] = value
        return value
    if raw.__class__ is Date and MIN_DATE <= raw <= MAX_DATE:
        return raw
    raise _Declined


_PARSERS: dict[type, Any] = {}


def fast_parser(cls: type[T]) -> typing.Callable[[Any], T]:
    """The compiled fast parser of schema dataclass ``cls`` (raises ``_Declined`` on input it does not take)."""
    parser = _PARSERS.get(cls)
    if parser is None:
        parser = _PARSERS[cls] = _compile(cls)
    return parser


def _field_code(v: str, tp: Any, ns: dict[str, Any], names: Iterator[int]) -> list[str]:
    """Lines that check the raw value in ``v`` (not None) against annotation ``tp`` and turn it into the
    field's value in place, or decline. A nested object is parsed right here, not by a call."""
    if get_origin(tp) in (typing.Union, types.UnionType):
        tp = [a for a in get_args(tp) if a is not type(None)][0]
    n = next(names)
    if get_origin(tp) is tuple:
        item = get_args(tp)[0]
        head = f"if type({v}) is not list: raise Declined"
        if dataclasses.is_dataclass(item):
            ns[f"P{n}"] = fast_parser(item)
            return [head, f"{v} = tuple([P{n}(x) for x in {v}])"]
        if item is Date:
            return [head, f"{v} = tuple([DATE(x) for x in {v}])"]
        if get_origin(item) is Literal:
            ns[f"E{n}"] = frozenset(get_args(item))
            test = f"type(x) is not str or x not in E{n}"
        elif item is str:
            test = "type(x) is not str"
        else:  # pragma: no cover - the schema has no other lists
            raise TypeError(f"unsupported list annotation {tp!r}")
        return [head, f"for x in {v}:", f"    if {test}: raise Declined", f"{v} = tuple({v})"]
    if get_origin(tp) is Literal:
        ns[f"E{n}"] = frozenset(get_args(tp))
        return [f"if type({v}) is not str or {v} not in E{n}: raise Declined"]
    if tp is Date:
        return [f"{v} = (DATES.get({v}) or DATE({v})) if type({v}) is str else DATE({v})"]
    if tp is bool:
        return [f"if {v} is not True and {v} is not False: raise Declined"]
    if tp is int:
        return [f"if type({v}) is not int or {v} < 0: raise Declined"]
    if tp is str:
        return [f"if type({v}) is not str: raise Declined"]
    if dataclasses.is_dataclass(tp):
        return _object_code(tp, v, ns, names)
    raise TypeError(f"unsupported annotation {tp!r}")  # pragma: no cover - a schema bug


def _object_code(cls: type, v: str, ns: dict[str, Any], names: Iterator[int]) -> list[str]:
    """Lines that parse the dict in ``v`` into an instance of ``cls``, left in ``v``, or decline."""
    n = next(names)
    fields = dataclasses.fields(cls)
    hints = _hints_of(cls)
    ns[f"KEYS{n}"] = frozenset(f.name for f in fields)
    ns[f"CLS{n}"] = cls
    lines = [
        f"if type({v}) is not dict: raise Declined",
        f"d{n}: dict = {v}",
        f"k{n} = 0",  # the known keys with a value: when they are all the keys, there is no unknown key
    ]
    values = []
    for i, f in enumerate(fields):
        value = f"v{n}_{i}"
        values.append(value)
        lines.append(f"{value} = d{n}.get({f.name!r})")
        if f.default is None:
            lines += [f"if {value} is not None:", f"    k{n} += 1"]
        else:
            if f.default is not dataclasses.MISSING:
                ns[f"D{n}_{i}"] = f.default
                default = f"D{n}_{i}"
            else:
                ns[f"F{n}_{i}"] = f.default_factory
                default = f"F{n}_{i}()"
            lines += [f"if {value} is None:", f"    {value} = {default}", "else:", f"    k{n} += 1"]
        lines += [f"    {line}" for line in _field_code(value, hints[f.name], ns, names)]
    # The instance without __init__ (a frozen __init__ calls object.__setattr__ once per field, which costs
    # more than the parsing): the fields go into its dict in field order, as __init__ would put them. The
    # dossier itself, read on every rule, gets a dict of its own (CPython's attribute cache works on that
    # kind, not on the shared-key dict `o.__dict__` makes, which is cheaper to fill: right for the small parts).
    lines.append(f"if k{n} != len(d{n}) and not d{n}.keys() <= KEYS{n}: raise Declined")
    if cls is Dossier:
        items = ", ".join(f"{f.name!r}: {value}" for f, value in zip(fields, values, strict=True))
        lines += [f"{v} = CLS{n}.__new__(CLS{n})", f"SET({v}, '__dict__', {{{items}}})"]
    else:
        lines += [f"o{n} = CLS{n}.__new__(CLS{n})", f"od{n}: dict = o{n}.__dict__"]
        lines += [f"od{n}[{f.name!r}] = {value}" for f, value in zip(fields, values, strict=True)]
        lines.append(f"{v} = o{n}")
    return lines


def parser_source(cls: type) -> tuple[str, dict[str, Any]]:
    """The fast parser of ``cls`` as Python source (``def parse(data): …``) and the names it reads.

    For ``Talk`` it reads: decline unless a plain dict with known keys; per field in field order
    ``v1_0 = d1.get('date')``, None → the default, a text → the memoized date, anything else → decline; then the
    instance is made without ``__init__`` (the classes have no ``__post_init__``). Nested objects are parsed
    in line; the items of a list by the item class's own parser."""
    ns: dict[str, Any] = {
        "Declined": _Declined,
        "DATES": _DATES,
        "DATE": _fast_date,
        "SET": object.__setattr__,
    }
    body = [*_object_code(cls, "data", ns, itertools.count()), "return data"]
    return "def parse(data):\n" + "\n".join(f"    {line}" for line in body) + "\n", ns


def _compile(cls: type) -> typing.Callable[[Any], Any]:
    """Straight-line code for one schema dataclass, from its field table (names, annotations, defaults);
    generated once per class. The compiled build of the engine (``rules.native``) carries the same source
    compiled ahead of time: it is used when its text is exactly what the schema generates now."""
    source, ns = parser_source(cls)
    try:
        from dangjian.rules import _fastparse  # type: ignore[attr-defined]  # only in the compiled build
    except ImportError:
        _fastparse = None
    if _fastparse is not None and _fastparse.SOURCES.get(cls.__name__) == source:
        return _fastparse.FACTORIES[cls.__name__](**ns)
    exec(compile(source, f"<fast parser of {cls.__name__}>", "exec"), ns)  # noqa: S102 - code from our own schema
    return ns["parse"]


_DOCUMENT_KEYS = frozenset(f.name for f in dataclasses.fields(Document))


def _fast_document(doc: Any) -> Document:
    """``validate_document`` by the fast parsers; declines whatever they do not take."""
    as_of, config, dossiers = fast_document_parts(doc)
    parse = fast_parser(Dossier)
    return Document(as_of=as_of, config=config, dossiers=tuple([parse(d) for d in dossiers]))


def fast_document_parts(doc: Any) -> tuple[Date | None, Config, list[Any]]:
    """The parsed ``as_of`` and ``config`` of a ``check`` input and its dossiers still as JSON (parse each
    with ``fast_parser(Dossier)``). Raises ``Declined`` on anything the fast parsers do not take."""
    if doc.__class__ is not dict or not _DOCUMENT_KEYS.issuperset(doc):
        raise _Declined
    dossiers = doc.get("dossiers")
    if dossiers.__class__ is not list:
        raise _Declined
    config = doc.get("config")
    as_of = doc.get("as_of")
    return (
        None if as_of is None else _fast_date(as_of),
        fast_parser(Config)({} if config is None else config),
        dossiers,
    )


Declined = _Declined


# ---------------------------------------------------------------------------------------------- labels


def label_for(path: str, root: type = Dossier) -> str:
    """The Chinese label of a field path inside a dossier (``conversions[0].meeting.ballot`` → 表决方式)."""
    cls: Any = root
    label = path
    for part in path.split("."):
        name = part.split("[", 1)[0]
        if not dataclasses.is_dataclass(cls):
            return label
        match = [f for f in dataclasses.fields(cls) if f.name == name]
        if not match:
            return label
        label = match[0].metadata.get("zh", name)
        tp = _hints_of(cls)[name]
        cls = _innermost(tp)
    return label


def _innermost(tp: Any) -> Any:
    """The dataclass inside ``X | None`` or ``tuple[X, ...]`` (or ``tp`` itself)."""
    while get_origin(tp) in (typing.Union, types.UnionType, tuple):
        tp = [a for a in get_args(tp) if a is not type(None) and a is not Ellipsis][0]
    return tp
