"""The ledger kinds, their columns (standard Chinese names and common variants) and header matching.

Plain data, no Django models. docs/ledgers.md shows the same tables; the template download is built from
`TEMPLATES`. A column's `key` is what the code uses: a person field (`name`, `id_number`, …), a note field
(`reserve_since`, `joined_on`, `full_on`, `remark`) or a step (`S03`, the step's date) and a step field
(`S02.talker`, `S05.mentors` …).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from dangjian.development.stepdefs import STEP_DEFS
from dangjian.ledgers.cells import column_index
from dangjian.people.models import Education, Gender, HouseholdType, Occupation


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the standard header, as in the template
    kind: str  # text | id | date | ym_date | dates | range | int | names | choice | multi | org | ignore
    variants: tuple[str, ...] = ()
    synonyms: dict[str, str] = field(default_factory=dict)  # choice/multi: what users write → code
    help: str = ""


def _syn(pairs: list[tuple[str, str]], extra: dict[str, str] | None = None) -> dict[str, str]:
    out = {code: code for code, _ in pairs}
    out.update({label: code for code, label in pairs})
    out.update(extra or {})
    return out


GENDER = _syn(Gender.choices, {"男性": "male", "女性": "female", "M": "male", "F": "female"})
EDUCATION = _syn(Education.choices, {
    "文盲": "primary", "小学": "primary", "初中": "junior", "初中及以下": "junior", "高中": "senior", "中专": "senior",
    "中技": "senior", "职高": "senior", "技校": "senior", "高中/中专": "senior", "中专/高中": "senior",
    "大专": "college", "专科": "college", "高职": "college", "本科": "bachelor", "大学": "bachelor",
    "大学本科及以上": "bachelor", "硕士": "postgraduate", "博士": "postgraduate", "硕士研究生": "postgraduate",
    "博士研究生": "postgraduate"})
HOUSEHOLD = _syn(HouseholdType.choices, {"农业户口": "agricultural", "农村": "agricultural", "农村户口": "agricultural",
                                         "非农业": "non_agricultural", "非农业户口": "non_agricultural",
                                         "城镇": "non_agricultural", "城镇户口": "non_agricultural"})
OCCUPATIONS = _syn(Occupation.choices, {"务工经商": "migrant", "外出务工": "migrant", "返乡创业人员": "returned_entrepreneur",
                                        "大学毕业生": "returned_graduate", "村干部": "village_cadre", "农民": "farmer",
                                        "退伍军人": "veteran"})
MEMBER_KIND = {"正式党员": "full_member", "党员": "full_member", "中共党员": "full_member", "正式": "full_member",
               "预备党员": "probationary", "中共预备党员": "probationary", "预备": "probationary",
               "full_member": "full_member", "probationary": "probationary"}
RESULT = _syn(STEP_DEFS["S10"].fields[0].choices, {"合格": "pass", "通过审查": "pass", "不合格": "fail"})


def _step_choice(step: str, name: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    f = next(f for f in STEP_DEFS[step].fields if f.name == name)
    return _syn(f.choices, extra)


PERSON_COLUMNS: tuple[Column, ...] = (
    Column("seq", "序号", "ignore", ("编号", "序", "No", "NO")),
    Column("name", "姓名", "text", ("名字", "党员姓名", "申请人姓名", "人员姓名")),
    Column("gender", "性别", "choice", (), GENDER),
    Column("ethnicity", "民族", "text"),
    Column("id_number", "公民身份号码", "id", ("身份证号", "身份证号码", "身份证", "公民身份证号码", "公民身份证号",
                                           "身份证件号码", "证件号码", "居民身份证号码")),
    Column("birth_date", "出生日期", "ym_date", ("出生年月", "出生年月日", "生日")),
    Column("education", "学历", "choice", ("文化程度", "最高学历", "全日制学历"), EDUCATION),
    Column("household_type", "户籍类型", "choice", ("户口性质", "户籍性质", "户口类型"), HOUSEHOLD),
    Column("occupations", "人员类别", "multi", ("身份类别", "人员身份"), OCCUPATIONS),
    Column("phone", "联系电话", "text", ("手机号码", "手机", "电话", "联系方式", "手机号", "电话号码")),
    Column("org", "所在党组织", "org", ("党组织", "所在支部", "所在党支部", "党支部", "支部", "组织名称", "组织代码",
                                       "所在党组织代码", "党组织名称", "所在党组织名称", "党组织代码"),
           help="组织代码或全称"),
)
REMARK = Column("remark", "备注", "text", ("特长", "主要特长", "特长及备注", "备注说明"))

RESERVE_COLUMNS: tuple[Column, ...] = (
    Column("reserve_since", "列入后备力量时间", "date", ("列入时间", "确定为后备力量时间", "列为后备力量时间",
                                                       "列入入党后备时间", "登记时间")),
    REMARK,
)

MEMBER_COLUMNS: tuple[Column, ...] = (
    Column("member_kind", "党员类别", "choice", ("政治面貌", "党员身份", "正式/预备"), MEMBER_KIND),
    Column("joined_on", "入党时间", "date", ("加入党组织时间", "入党日期", "加入中国共产党时间")),
    Column("full_on", "转正时间", "date", ("转为正式党员时间", "转正日期")),
    REMARK,
)

STEP_COLUMNS: tuple[Column, ...] = (
    Column("S01", "递交入党申请书时间", "date", ("申请入党时间", "入党申请时间", "递交申请书时间", "提交入党申请书时间",
                                             "递交入党申请时间", "入党申请书递交时间", "申请时间")),
    Column("S02", "谈话时间", "date", ("党组织派人谈话时间", "派人谈话时间", "谈话日期")),
    Column("S02.talker", "谈话人", "text"),
    Column("S02.talker_role", "谈话人身份", "choice", ("谈话人职务",), _step_choice("S02", "talker_role", {
        "书记": "secretary", "支部书记": "secretary", "副书记": "deputy_secretary", "支委": "committee_member",
        "委员": "committee_member"})),
    Column("S03", "确定为入党积极分子时间", "date", ("确定入党积极分子时间", "列为入党积极分子时间", "确定积极分子时间",
                                                "列为积极分子时间", "入党积极分子确定时间", "确定为积极分子时间")),
    Column("S03.decided_by", "确定积极分子的会议", "choice", ("决定机构",), _step_choice("S03", "decided_by", {
        "支委会": "branch_committee", "支部委员会会议": "branch_committee", "党员大会": "branch_meeting"})),
    Column("S03.nomination", "推荐方式", "multi", ("推荐类型", "推荐形式"), _step_choice("S03", "nomination", {
        "党员推荐": "party_member", "推优": "mass_org", "团员推优": "mass_org", "群团推优": "mass_org",
        "群团组织推荐": "mass_org"})),
    Column("S04", "积极分子备案时间", "date", ("入党积极分子备案时间", "积极分子报备时间")),
    Column("S05", "指定培养联系人时间", "date", ("确定培养联系人时间", "培养联系人指定时间")),
    Column("S05.mentors", "培养联系人", "names", ("培养人",)),
    Column("S06", "培养考察时间", "dates", ("培养教育考察时间", "考察时间", "半年考察时间")),
    Column("S07", "确定为发展对象时间", "date", ("确定发展对象时间", "列为发展对象时间", "发展对象确定时间")),
    Column("S07.opinions_heard", "听取意见时间", "date", ("征求意见时间", "听取党小组等意见时间")),
    Column("S08", "发展对象备案时间", "date", ("发展对象报备时间",)),
    Column("S09", "确定入党介绍人时间", "date", ("确定介绍人时间",)),
    Column("S09.introducers", "入党介绍人", "names", ("介绍人",)),
    Column("S10", "政治审查时间", "date", ("政审时间", "政审结论时间", "政治审查结论时间", "政审日期")),
    Column("S10.result", "政审结论", "choice", ("政审结果", "政治审查结论"), RESULT),
    Column("S11.start", "集中培训开始时间", "date", ("培训开始时间",)),
    Column("S11", "集中培训结束时间", "range", ("培训结束时间", "集中培训时间", "培训时间"),
           help="一个日期（结束日期），或“开始日期至结束日期”"),
    Column("S11.hours", "培训学时", "int", ("学时", "集中培训学时")),
    Column("S11.days", "培训天数", "int", ("集中培训天数",)),
    Column("S12", "支部委员会审查时间", "date", ("支委会审查时间",)),
    Column("S13", "上级党委预审时间", "date", ("预审时间", "党委预审时间")),
    Column("S14", "填写入党志愿书时间", "date", ("入党志愿书填写时间", "填写志愿书时间")),
    Column("S14.issued", "入党志愿书发放时间", "date", ("志愿书发放时间",)),
    Column("S15", "支部大会讨论时间", "date", ("接收为预备党员时间", "支部大会接收时间", "支部大会通过时间",
                                             "支部大会时间", "接收预备党员时间")),
    Column("S16", "上级党委派人谈话时间", "date", ("党委谈话时间", "党委派人谈话时间")),
    Column("S17", "上级党委审批时间", "date", ("党委审批时间", "审批时间", "批准时间", "党委批准时间")),
    Column("S18", "报县委组织部备案时间", "date", ("审批备案时间", "报再上一级党委组织部门备案时间")),
    Column("S19", "编入党支部和党小组时间", "date", ("编入党小组时间", "编入支部时间")),
    Column("S20", "入党宣誓时间", "date", ("宣誓时间",)),
    Column("S21", "预备期考察时间", "dates", ("继续教育考察时间", "预备期教育考察时间")),
    Column("S22", "提出转正申请时间", "date", ("转正申请时间",)),
)
COLUMNS: dict[str, Column] = {c.key: c for c in (*PERSON_COLUMNS, *RESERVE_COLUMNS, *MEMBER_COLUMNS, *STEP_COLUMNS)}

# The step of each pipeline kind whose date makes a person that kind (its date is required in every row).
KIND_STEP = {"applicant": "S01", "activist": "S03", "candidate": "S07", "probationary": "S17"}
PIPELINE_KINDS = tuple(KIND_STEP)
KINDS: dict[str, str] = {"reserve": "后备力量台账", "applicant": "入党申请人台账", "activist": "入党积极分子台账",
                         "candidate": "发展对象台账", "probationary": "预备党员台账", "members": "党员名册"}
# The steps each pipeline template lists (a file may carry any step column: the kind only sets the template
# and the date every row must have).
_STEPS_BY_KIND = {"applicant": "S01 S02", "activist": "S01 S02 S03 S04 S05 S06",
                  "candidate": "S01 S02 S03 S04 S05 S06 S07 S08 S09 S10 S11",
                  "probationary": "S01 S02 S03 S04 S05 S06 S07 S08 S09 S10 S11 S12 S13 S14 S15 S16 S17 S18 S19 S20 S21"}


def _template(kind: str) -> tuple[Column, ...]:
    if kind == "reserve":
        return (*PERSON_COLUMNS, *RESERVE_COLUMNS)
    if kind == "members":
        return (*PERSON_COLUMNS, *MEMBER_COLUMNS)
    steps = set(_STEPS_BY_KIND[kind].split())
    return (*PERSON_COLUMNS, *(c for c in STEP_COLUMNS if c.key.split(".")[0] in steps), REMARK)


TEMPLATES: dict[str, tuple[Column, ...]] = {kind: _template(kind) for kind in KINDS}


def allowed_keys(kind: str) -> list[str]:
    """The columns a file of this kind may map to (a pipeline file may carry any step)."""
    if kind in PIPELINE_KINDS:
        return [c.key for c in (*PERSON_COLUMNS, *STEP_COLUMNS, REMARK)]
    return [c.key for c in TEMPLATES[kind]]


def required_keys(kind: str) -> list[str]:
    """Columns the file must have (the organization may come from the default instead)."""
    req = ["name", "id_number"]
    if kind in KIND_STEP:
        req.append(KIND_STEP[kind])
    return req


_CLEAN = re.compile(r"[\s*★:：]|[（(](必填|选填|必须填写|年月日|yyyy-mm-dd|YYYY-MM-DD|格式.*?)[)）]")


def normalize_header(text: str) -> str:
    """Header text folded for matching: NFKC, no spaces or line breaks, no "*"/"（必填）" marks,
    "日期" read as "时间" (users write both)."""
    t = unicodedata.normalize("NFKC", str(text or ""))
    t = _CLEAN.sub("", t)
    return t.replace("日期", "时间")


_BY_HEADER: dict[str, str] = {}
for _c in COLUMNS.values():
    for _name in (_c.label, *_c.variants):
        _BY_HEADER.setdefault(normalize_header(_name), _c.key)


def match_header(text: str) -> str | None:
    """The column key a header names, or None."""
    return _BY_HEADER.get(normalize_header(text))


def guess_mapping(headers: list[str], kind: str | None = None) -> dict[int, str]:
    """{column index: key} for the headers that name a known column (first one wins; allowed for the kind)."""
    allowed = set(allowed_keys(kind)) if kind else set(COLUMNS)
    out: dict[int, str] = {}
    used: set[str] = set()
    for i, h in enumerate(headers):
        key = match_header(h)
        if key and key in allowed and key not in used and COLUMNS[key].kind != "ignore":
            out[i] = key
            used.add(key)
    return out


def guess_kind(keys: set[str]) -> str | None:
    """The ledger kind a set of recognized columns suggests: the furthest step present, else the roster."""
    for kind in ("probationary", "candidate", "activist", "applicant"):
        if KIND_STEP[kind] in keys:
            return kind
    if keys & {"joined_on", "full_on", "member_kind"}:
        return "members"
    if "reserve_since" in keys:
        return "reserve"
    return None


def kind_from_title(text: str) -> str | None:
    """A title row such as "XX镇入党积极分子台账" names the kind."""
    t = normalize_header(text)
    for kind, label in (("reserve", "后备力量"), ("reserve", "入党后备"), ("applicant", "入党申请人"),
                        ("activist", "积极分子"), ("candidate", "发展对象"), ("probationary", "预备党员"),
                        ("members", "党员名册"), ("members", "党员花名册")):
        if label in t:
            return kind
    return None


def _column_index(ref: str, headers: list[str]) -> int | None:
    """A column named by its header text (as matched: spaces, marks ignored), its letter (C, AB) or number."""
    ref = ref.strip()
    wanted = normalize_header(ref)
    for i, h in enumerate(headers):
        if normalize_header(h) == wanted and wanted:
            return i
    if ref.isdigit() and 1 <= int(ref) <= len(headers):
        return int(ref) - 1
    if re.fullmatch(r"[A-Za-z]{1,3}", ref):
        index = column_index(ref)
        return index if index < len(headers) else None
    return None


def _column_key(ref: str) -> str | None:
    """A column key named by its key (`id_number`, `S03`) or its standard Chinese name or a variant."""
    ref = ref.strip()
    if ref in COLUMNS:
        return ref
    return match_header(ref)


def correct_mapping(headers: list[str], mapping: dict[int, str], corrections: list[str]) -> tuple[dict[int, str], list[str]]:
    """Apply the user's corrections to a guessed mapping: each "文件中的列=字段" (the column by header, letter
    or number; the field by its key or its standard Chinese name; "-" leaves the column out). Returns the new
    mapping and a Chinese message per correction it cannot read."""
    out = dict(mapping)
    problems: list[str] = []
    for text in corrections:
        left, sep, right = text.partition("=")
        if not sep or not left.strip() or not right.strip():
            problems.append(f"列对应「{text}」：应写成“文件中的列=字段”，例如“证件号=公民身份号码”或“C=-”")
            continue
        index = _column_index(left, headers)
        if index is None:
            problems.append(f"列对应「{text}」：文件中没有列「{left.strip()}」（可写列名、列字母或第几列）")
            continue
        if right.strip() in ("-", "忽略", "不导入"):
            out.pop(index, None)
            continue
        key = _column_key(right)
        if key is None:
            problems.append(f"列对应「{text}」：不认识字段「{right.strip()}」（写模板中的标准列名，见 docs/ledgers.md）")
            continue
        for i, k in list(out.items()):
            if k == key and i != index:
                del out[i]  # the field moves to the column the user named
        out[index] = key
    return out, problems
