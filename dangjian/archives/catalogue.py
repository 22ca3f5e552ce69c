"""Plain data of the archives app (docs/archives.md): the default material checklist (PROCEDURE §7), the
problem catalogue, the responsibility mapping (责任清单) and which rule findings propose which problem type.
No Django import: the pages, services, demo and docs read the same tables."""

from __future__ import annotations

# PROCEDURE §7: the materials each recorded step leaves in the archive (一人一档). Counties edit their own copy.
DEFAULT_CHECKLIST: dict[str, tuple[str, ...]] = {
    "S01": ("入党申请书", "身份证复印件", "入党申请人登记表"),
    "S02": ("谈话记录",),
    "S03": ("推荐票/推优表", "听取意见记录", "支委会会议记录"),
    "S04": ("积极分子备案报告及党委意见",),
    "S05": ("培养联系人确定记录",),
    "S06": ("入党积极分子培养教育考察登记表", "思想汇报"),
    "S07": ("征求意见/座谈会记录", "支委会会议记录", "公示材料"),
    "S08": ("发展对象备案报告及党委意见",),
    "S09": ("介绍人确定记录",),
    "S10": ("自传", "函调函及回函", "政治审查综合报告"),
    "S11": ("集中培训结业证书",),
    "S12": ("支委会审查记录",),
    "S13": ("预审请示", "预审意见", "志愿书发放登记"),
    "S14": ("入党志愿书",),
    "S15": ("支部大会记录", "票决统计表", "决议"),
    "S16": ("谈话意见",),
    "S17": ("审批请示", "党委会记录", "批复"),
    "S18": ("备案报告",),
    "S19": ("编组记录",),
    "S20": ("宣誓记录",),
    "S21": ("预备党员教育考察登记表", "思想汇报"),
    "S22": ("转正申请书",),
    "S23": ("党小组意见", "征求意见记录", "支委会审查记录", "支部大会记录", "票决统计表", "决议"),
    "S24": ("转正批复",),
    "S25": ("档案材料清单", "移交回执"),
}
STEP_CODES = tuple(DEFAULT_CHECKLIST)

# The problem catalogue (fixed data: the county's auditors asked for one list they can compare across years).
PROBLEM_TYPES: tuple[tuple[str, str], ...] = (
    ("date_order", "时间逻辑错误（日期顺序颠倒）"),
    ("missing_material", "材料缺失"),
    ("unsigned", "文书未签字、未盖章或未注明日期"),
    ("quorum", "会议到会人数不足或表决不规范"),
    ("late_record", "事后补录、补写材料"),
    ("missing_step", "程序缺项或未备案"),
    ("overdue", "超过规定时限办理"),
    ("content", "内容填写不规范、前后不一致"),
    ("other", "其他问题"),
)
PROBLEM_LABELS = dict(PROBLEM_TYPES)

# 责任清单 (PROCEDURE §4 L-RESP): 谁培养谁负责、谁考察谁负责、谁审批谁负责.
RESPONSIBILITY: tuple[tuple[str, str], ...] = (("cultivate", "培养责任"), ("examine", "考察责任"),
                                              ("approve", "审批责任"))
RESPONSIBILITY_LABELS = dict(RESPONSIBILITY)
STEP_RESPONSIBILITY: dict[str, str] = {
    # 培养: the branch and the mentors who receive, talk to, cultivate and educate the person.
    **dict.fromkeys(("S01", "S02", "S03", "S05", "S06", "S19", "S20", "S21"), "cultivate"),
    # 考察: the branch committee and the people who examine the candidate and hold the votes.
    **dict.fromkeys(("S07", "S09", "S10", "S11", "S12", "S15", "S22", "S23"), "examine"),
    # 审批: the committee with approval authority: filings, pre-review, the form, its talk, approval, archive.
    **dict.fromkeys(("S04", "S08", "S13", "S14", "S16", "S17", "S18", "S24", "S25"), "approve"),
}

# A stored rule finding proposes a problem of this type (the code's most specific match; else missing_step).
FINDING_PROBLEM_TYPE: dict[str, str] = {
    "N-ORDER": "date_order", "N-ACT-ORDER": "date_order", "N-ACT-1Y": "date_order", "Q-CONVERT-NOT-EARLY": "date_order",
    "L-APPLY-6M": "date_order",
    "N-QUORUM": "quorum", "N-MAJORITY": "quorum", "N-SECRET-BALLOT": "quorum", "N-ONE-BY-ONE": "quorum",
    "N-CONVERT-VOTE": "quorum", "N-MIN-3-FULL": "quorum", "N-APPROVE-COLLECTIVE": "quorum",
    "N-TALK-1M": "overdue", "N-APPROVE-3M": "overdue", "N-CONVERT-APPROVE-3M": "overdue", "Q-POLREV-1Y": "overdue",
    "Q-OVERDUE-CONVERSION": "overdue", "L-MEETING-1M": "overdue", "L-OATH-1M": "overdue", "N-LEAVING-3M": "overdue",
    "N-HALFYEAR-ASSESS": "overdue",
    "N-ARCHIVE": "missing_material",
    "N-ACT-DECIDER": "content", "N-ACT-NOMINATION": "content", "N-MENTOR-FULL": "content",
    "N-INTRODUCER-LOAD": "content", "N-APPROVER": "content", "N-AGE-18": "content", "N-PARTY-AGE": "content",
}


def problem_type_for_finding(code: str) -> str:
    return FINDING_PROBLEM_TYPE.get(code, "missing_step")


def responsibility_for(step: str) -> str:
    return STEP_RESPONSIBILITY.get(step, "")
