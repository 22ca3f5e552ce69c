"""The 25 steps in 5 stages (PROCEDURE.md §2) and their dependencies, as data.

A step's date is on or after the dates of the steps it depends on (N-ORDER). The table below is the only
place the order lives; the engine reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

STAGES: dict[int, str] = {
    1: "申请入党",
    2: "入党积极分子",
    3: "发展对象",
    4: "接收预备党员",
    5: "预备期与转正",
}


@dataclass(frozen=True)
class Step:
    """One of the 25 steps: code, stage, Chinese name and the steps it depends on."""

    code: str
    stage: int
    stage_name: str
    name: str
    depends_on: tuple[str, ...]

    @property
    def name_zh(self) -> str:
        """The Chinese name of the step (alias of ``name``)."""
        return self.name

    @property
    def number(self) -> int:
        """1 for S01 … 25 for S25."""
        return int(self.code[1:])


def _step(code: str, stage: int, name: str, depends_on: tuple[str, ...]) -> Step:
    return Step(code, stage, STAGES[stage], name, depends_on)


STEPS: tuple[Step, ...] = (
    _step("S01", 1, "递交入党申请书", ()),
    _step("S02", 1, "党组织派人谈话", ("S01",)),
    _step("S03", 2, "推荐和确定入党积极分子", ("S02",)),
    _step("S04", 2, "上级党委备案", ("S03",)),
    _step("S05", 2, "指定培养联系人", ("S03",)),
    _step("S06", 2, "培养教育考察", ("S03",)),
    _step("S07", 3, "确定发展对象", ("S03", "S04", "S05")),
    _step("S08", 3, "报上级党委备案", ("S07",)),
    _step("S09", 3, "确定入党介绍人", ("S07",)),
    _step("S10", 3, "进行政治审查", ("S07",)),
    _step("S11", 3, "开展集中培训", ("S07",)),
    _step("S12", 4, "支部委员会审查", ("S08", "S09", "S10")),
    _step("S13", 4, "上级党委预审", ("S12",)),
    _step("S14", 4, "填写入党志愿书", ("S13",)),
    _step("S15", 4, "支部大会讨论", ("S14", "S11")),
    _step("S16", 4, "上级党委派人谈话", ("S15",)),
    _step("S17", 4, "上级党委审批", ("S16",)),
    _step("S18", 4, "再上一级党委组织部门备案", ("S17",)),
    _step("S19", 5, "编入党支部和党小组", ("S17",)),
    _step("S20", 5, "入党宣誓", ("S17",)),
    _step("S21", 5, "继续教育考察", ("S17",)),
    _step("S22", 5, "提出转正申请", ("S18", "S20")),
    _step("S23", 5, "支部大会讨论", ("S22",)),
    _step("S24", 5, "上级党委审批", ("S23",)),
    _step("S25", 5, "材料归档", ("S24",)),
)

STEP_BY_CODE: dict[str, Step] = {step.code: step for step in STEPS}
STEP_CODES: tuple[str, ...] = tuple(step.code for step in STEPS)


def step_index(code: str) -> int:
    """0 for S01 … 24 for S25 (the order findings are sorted in)."""
    return STEP_BY_CODE[code].number - 1


def step_label(code: str) -> str:
    """``S07 确定发展对象``: how a step is named in messages."""
    return f"{code} {STEP_BY_CODE[code].name}"


@cache
def dependents_of(code: str) -> tuple[str, ...]:
    """Every step that depends on ``code`` directly or through others, in step order."""
    found: set[str] = set()
    frontier = [code]
    while frontier:
        current = frontier.pop()
        for step in STEPS:
            if current in step.depends_on and step.code not in found:
                found.add(step.code)
                frontier.append(step.code)
    return tuple(c for c in STEP_CODES if c in found)
