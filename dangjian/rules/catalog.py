"""Every rule the ``check`` contract knows (PROCEDURE.md §3 and §4), as data, and the versioned rule sets.

A rule has a code, a severity (``E`` violation, ``W`` needs explanation, ``W/E`` when the table grades it),
the source a finding cites, a Chinese title and the step it is about. Local rules also say which county
setting switches them on. The checks themselves live in ``checks_national`` and ``checks_local``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Rule:
    """A rule of the procedure: what a finding cites."""

    code: str
    severity: str
    source: str
    title_zh: str
    step: str | None
    local: bool = False
    on_when: str = ""


def _n(code: str, severity: str, source: str, title_zh: str, step: str | None) -> Rule:
    return Rule(code, severity, source, title_zh, step)


def _l(code: str, severity: str, source: str, title_zh: str, step: str, on_when: str) -> Rule:
    return Rule(code, severity, source, title_zh, step, local=True, on_when=on_when)


# 全国性规则 (PROCEDURE.md §3): order = the table's order, which is also the order checks run in.
_NATIONAL: tuple[Rule, ...] = (
    _n("N-AGE-18", "E", "细则第5条", "递交入党申请书时年满十八岁", "S01"),
    _n("N-TALK-1M", "E", "细则第7条", "收到入党申请书后一个月内派人谈话", "S02"),
    _n("N-ACT-ORDER", "E", "发展党员工作流程", "谈话之后才能确定为入党积极分子", "S03"),
    _n("N-ACT-DECIDER", "E", "细则第8条", "入党积极分子由支部委员会（或支部大会）研究决定", "S03"),
    _n("N-ACT-NOMINATION", "E", "细则第8条", "经党员推荐或群团组织推优产生入党积极分子人选", "S03"),
    _n("N-ACT-FILE", "E", "细则第8条", "确定入党积极分子后报上级党委备案", "S04"),
    _n("N-MENTOR-COUNT", "E", "细则第9条", "指定一至两名培养联系人", "S05"),
    _n("N-MENTOR-FULL", "E", "细则第9条", "培养联系人为正式党员，在确定积极分子之后指定", "S05"),
    _n("N-HALFYEAR-ASSESS", "E", "细则第11条", "每半年对入党积极分子进行一次考察", "S06"),
    _n("N-ACT-1Y", "E", "细则第13条", "经过一年以上培养教育和考察方可确定为发展对象", "S07"),
    _n("N-DEV-OPINIONS", "E", "细则第13条", "确定发展对象前听取党小组、培养联系人、党员和群众意见", "S07"),
    _n("N-DEV-FILE", "E", "细则第13条", "确定发展对象后报上级党委备案", "S08"),
    _n(
        "N-INTRODUCER",
        "E",
        "党章第5条; 细则第14条",
        "两名正式党员作入党介绍人，受留党察看处分未恢复党员权利的不能作介绍人",
        "S09",
    ),
    _n("N-INTRODUCER-LOAD", "W", "党务工作手册", "入党介绍人同时介绍的发展对象不宜超过一名", "S09"),
    _n("N-POLREV", "E", "细则第15–16条", "政治审查结论合格，且在支部委员会审查之前形成", "S10"),
    _n("Q-POLREV-1Y", "W", "组工问答: 政审结果一年内有效", "支部大会讨论时政治审查结论未超过一年", "S10"),
    _n(
        "N-TRAINING",
        "E",
        "细则第17条",
        "集中培训不少于三天（或不少于24个学时），在确定发展对象后、支部大会前完成",
        "S11",
    ),
    _n("N-BRANCH-REVIEW", "E", "细则第19条", "支部委员会审查在上级党委预审之前", "S12"),
    _n("N-PREREVIEW", "E", "细则第19条", "上级党委预审合格并书面通知，预审后发放、填写入党志愿书", "S13"),
    _n("N-LEAVING-3M", "W", "细则第19条", "支部大会后三个月内即将离开的，一般不吸收", "S15"),
    _n("N-MIN-3-FULL", "E", "党章第30条; 党务工作手册", "支部有三名以上正式党员方可讨论接收或转正", "S15"),
    _n("N-QUORUM", "E", "细则第20条", "到会有表决权的正式党员超过应到会人数的半数", "S15"),
    _n("N-MAJORITY", "E", "细则第21条", "赞成人数超过应到会有表决权正式党员的半数", "S15"),
    _n("N-SECRET-BALLOT", "E", "细则第21条", "支部大会采取无记名投票方式表决", "S15"),
    _n("N-ONE-BY-ONE", "E", "细则第21条", "讨论两个以上发展对象时逐个讨论和表决", "S15"),
    _n("N-COMMITTEE-TALK", "E", "细则第23条", "审批前上级党委派党委委员或组织员谈话", "S16"),
    _n("N-APPROVER", "E", "细则第26条; 共产党员网问答", "由具有审批权限的基层党委审批", "S17"),
    _n("N-APPROVE-COLLECTIVE", "E", "细则第24条", "党委审批须集体讨论和表决", "S17"),
    _n("N-APPROVE-3M", "W/E", "细则第25条", "支部大会通过后三个月内审批", "S17"),
    _n("N-APPROVE-FILE", "E", "细则第25条", "审批后报再上一级党委组织部门备案", "S18"),
    _n("N-OATH", "E", "党章第6条", "预备党员在审批后进行入党宣誓", "S20"),
    _n(
        "N-CONVERT-PROCEDURE",
        "E",
        "细则第33条",
        "转正须有转正申请、支部大会讨论、上级党委审批，依次进行",
        "S22",
    ),
    _n("Q-CONVERT-NOT-EARLY", "E", "党章第7条", "预备期满后方可讨论转正或延长预备期", "S23"),
    _n("N-CONVERT-VOTE", "E", "细则第33条", "转正支部大会的到会、表决、无记名投票、逐个表决", "S23"),
    _n("N-CONVERT-APPROVE-3M", "E", "细则第34条", "转正支部大会后三个月内审批", "S24"),
    _n("N-EXTEND", "E", "党章第7条", "延长预备期只能一次，时间不少于半年、最长不超过一年", "S23"),
    _n("N-PARTY-AGE", "E", "细则第32–34条", "党龄自预备期满转为正式党员之日算起", "S24"),
    _n("Q-OVERDUE-CONVERSION", "W/E", "党务工作手册", "预备期满后及时讨论转正", "S23"),
    _n("N-ARCHIVE", "E", "细则第37条", "转正后一个月内将入党材料归档", "S25"),
    _n("N-ORDER", "E", "发展党员工作流程", "步骤日期不得早于其前置步骤", None),
)

# 地方规则 (PROCEDURE.md §4): off unless the county's config switches them on (L-NEG-LIST: when hits exist).
_LOCAL: tuple[Rule, ...] = (
    _l("L-SIX-NO", "E", "003", "六不发展", "S15", "min_cultivation_years"),
    _l("L-KIN-COUNTY", "E", "001 商河; 依兰, 岢岚", "村干部近亲属须经县委组织部审批", "S07", "kinship_gate"),
    _l("L-JOINT-REVIEW", "E", "000, 001", "联审部门全部回复且无否决意见", "S07", "joint_review_departments"),
    _l("L-NEG-LIST", "E", "001", "负面清单", "S07", "negative_list_hits"),
    _l("L-3-LEVEL-REVIEW", "E", "001", "县委组织部复审（三级审查）", "S13", "county_review_gate"),
    _l("L-PUBLICITY", "E", "local practice", "公示", "S07", "publicity_at"),
    _l(
        "L-MEETING-1M",
        "E",
        "local practice",
        "预审后一个月内召开支部大会",
        "S15",
        "meeting_within_1m_of_prereview",
    ),
    _l("L-OATH-1M", "E", "local practice", "审批后一个月内入党宣誓", "S20", "oath_within_1m"),
    _l("L-TRAINING-HOURS", "E", "local practice", "集中培训学时不少于县定标准", "S11", "training_min_hours"),
    _l(
        "L-APPLY-6M",
        "E",
        "local practice",
        "递交申请书若干个月后方可确定为入党积极分子",
        "S03",
        "application_min_months",
    ),
    _l("L-TIER", "W", "003", "当年计划发展梯次方可确定为发展对象", "S07", "tiers"),
)

RULES: dict[str, Rule] = {rule.code: rule for rule in _NATIONAL + _LOCAL}
RULE_ORDER: dict[str, int] = {code: i for i, code in enumerate(RULES)}


@dataclass(frozen=True)
class RuleSet:
    """A version of the national rules: which rule codes apply to steps dated from ``effective`` on."""

    version: str
    effective: date
    codes: frozenset[str]
    title: str


# 细则 issued 2014-05-28, published 2014-06-10. The 2026 revision will be added here as data once its text is
# available; until then its reported changes are local options (PROCEDURE.md §4).
RULE_SETS: tuple[RuleSet, ...] = (
    RuleSet("2014", date(2014, 6, 10), frozenset(RULES), "《中国共产党发展党员工作细则》（2014年）"),
)

# N-ORDER applies to every step, whatever its date: earlier steps are recorded facts without findings,
# "except order" (PROCEDURE.md §1).
ALWAYS_APPLIES: frozenset[str] = frozenset({"N-ORDER"})

# From this day on every rule judges every step: the latest rule set's effective date, if that set has every
# rule (None otherwise). A shortcut for rule_applies, which gives the same answer for any rule code.
_LATEST = max(RULE_SETS, key=lambda rs: rs.effective)
ALL_RULES_FROM: date | None = _LATEST.effective if _LATEST.codes >= set(RULES) else None


def ruleset_for(day: date, rule_sets: tuple[RuleSet, ...] = RULE_SETS) -> RuleSet | None:
    """The rule set in force on ``day``: the one with the latest effective date not after it (or None)."""
    if rule_sets is RULE_SETS:
        try:
            return _RULESET_ON[day]
        except KeyError:
            pass
    in_force = [rs for rs in rule_sets if rs.effective <= day]
    found = max(in_force, key=lambda rs: rs.effective) if in_force else None
    if rule_sets is RULE_SETS and len(_RULESET_ON) < _MEMO_CAP:
        _RULESET_ON[day] = found
    return found


def rule_applies(code: str, day: date | None, rule_sets: tuple[RuleSet, ...] = RULE_SETS) -> bool:
    """Whether rule ``code`` judges a step dated ``day`` (an unknown date is judged)."""
    if day is None:
        return True
    if rule_sets is RULE_SETS:
        return code in codes_on(day)
    if code in ALWAYS_APPLIES:
        return True
    rule_set = ruleset_for(day, rule_sets)
    return rule_set is not None and code in rule_set.codes


def codes_on(day: date) -> frozenset[str]:
    """Every rule code that judges a step dated ``day`` under RULE_SETS (ALWAYS_APPLIES included); memoized."""
    codes = CODES_ON.get(day)
    if codes is None:
        rule_set = ruleset_for(day)
        codes = _CODES_OF.get(rule_set)  # one set per rule set, shared by all its days
        if codes is None:
            in_force = rule_set.codes if rule_set is not None else frozenset()
            codes = _CODES_OF[rule_set] = ALWAYS_APPLIES | in_force
        if len(CODES_ON) < _MEMO_CAP:
            CODES_ON[day] = codes
    return codes


# Memos for the rule sets in force (RULE_SETS is fixed data): day → rule set, day → the codes that judge it
# (one shared set per rule set). Bounded by the days in use; the cap only guards a long-running process.
_MEMO_CAP = 200_000
_RULESET_ON: dict[date, RuleSet | None] = {}
CODES_ON: dict[date, frozenset[str]] = {}
_CODES_OF: dict[RuleSet | None, frozenset[str]] = {}
