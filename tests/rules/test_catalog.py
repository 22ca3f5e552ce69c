"""The 25 steps, the rule table and the rule sets are data, and match PROCEDURE.md."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from dangjian.rules import RULE_SETS, RULES, STEP_BY_CODE, STEPS, ruleset_for
from dangjian.rules.catalog import RuleSet, rule_applies
from dangjian.rules.steps import dependents_of

# PROCEDURE.md §2, "Dependencies", transcribed.
EXPECTED_DEPENDS_ON = {
    "S01": (),
    "S02": ("S01",),
    "S03": ("S02",),
    "S04": ("S03",),
    "S05": ("S03",),
    "S06": ("S03",),
    "S07": ("S03", "S04", "S05"),
    "S08": ("S07",),
    "S09": ("S07",),
    "S10": ("S07",),
    "S11": ("S07",),
    "S12": ("S08", "S09", "S10"),
    "S13": ("S12",),
    "S14": ("S13",),
    "S15": ("S14", "S11"),
    "S16": ("S15",),
    "S17": ("S16",),
    "S18": ("S17",),
    "S19": ("S17",),
    "S20": ("S17",),
    "S21": ("S17",),
    "S22": ("S18", "S20"),
    "S23": ("S22",),
    "S24": ("S23",),
    "S25": ("S24",),
}


def test_there_are_25_steps_in_5_stages_in_order():
    assert [s.code for s in STEPS] == [f"S{n:02d}" for n in range(1, 26)]
    assert [s.stage for s in STEPS] == [1] * 2 + [2] * 4 + [3] * 5 + [4] * 7 + [5] * 7
    assert {s.stage: s.stage_name for s in STEPS} == {
        1: "申请入党",
        2: "入党积极分子",
        3: "发展对象",
        4: "接收预备党员",
        5: "预备期与转正",
    }
    assert STEP_BY_CODE["S15"].name == "支部大会讨论" and STEP_BY_CODE["S25"].name == "材料归档"


def test_dependencies_are_those_of_the_procedure():
    assert {s.code: s.depends_on for s in STEPS} == EXPECTED_DEPENDS_ON


def test_a_step_depends_only_on_earlier_steps():
    for step in STEPS:
        assert all(dep < step.code for dep in step.depends_on), step


def test_dependents_are_transitive():
    assert dependents_of("S24") == ("S25",)
    assert dependents_of("S11") == (
        "S15",
        "S16",
        "S17",
        "S18",
        "S19",
        "S20",
        "S21",
        "S22",
        "S23",
        "S24",
        "S25",
    )
    assert "S06" in dependents_of("S03")
    assert dependents_of("S19") == () and dependents_of("S21") == () and dependents_of("S06") == ()


def test_every_rule_has_a_severity_a_source_a_title_and_a_step():
    for code, rule in RULES.items():
        assert rule.code == code
        assert rule.severity in ("E", "W", "W/E")
        assert rule.source and rule.title_zh
        assert rule.step in STEP_BY_CODE or code == "N-ORDER"
        assert rule.local == code.startswith("L-")


def test_rule_sets_are_versioned_data():
    assert [(rs.version, rs.effective) for rs in RULE_SETS] == [("2014", date(2014, 6, 10))]
    assert ruleset_for(date(2014, 6, 10)).version == "2014"
    assert ruleset_for(date(2014, 6, 9)) is None
    later = RuleSet("2026", date(2026, 9, 1), frozenset({"N-AGE-18"}), "test")
    sets = RULE_SETS + (later,)
    assert ruleset_for(date(2026, 9, 1), sets).version == "2026"
    assert ruleset_for(date(2026, 8, 31), sets).version == "2014"
    assert rule_applies("N-AGE-18", date(2026, 9, 1), sets)
    assert not rule_applies("N-TALK-1M", date(2026, 9, 1), sets)  # not in the (test) 2026 set
    assert not rule_applies("N-TALK-1M", date(2014, 6, 9))
    assert rule_applies("N-ORDER", date(2000, 1, 1))  # order applies whatever the date


def _procedure_md() -> Path | None:
    here = Path(__file__).resolve()
    for base in [*here.parents, Path("/work")]:
        candidate = base / "shared" / "domain" / "PROCEDURE.md"
        if candidate.exists():
            return candidate
    return None


def test_the_rule_table_matches_procedure_md():
    path = _procedure_md()
    if path is None:
        pytest.skip("shared/domain/PROCEDURE.md is not beside the repository")
    rows = re.findall(
        r"^\| ((?:N|Q|L)-[A-Z0-9-]+)(?: \((W)\))? \| ([^|]+) \|.*\| ([^|]+) \|$",
        path.read_text(encoding="utf-8"),
        flags=re.MULTILINE,
    )
    table = {code: (local_w, sev.strip(), source.strip()) for code, local_w, sev, source in rows}
    assert set(table) == set(RULES)
    for code, (local_w, sev, source) in table.items():
        rule = RULES[code]
        assert rule.source == source, code
        if code.startswith("L-"):
            assert rule.severity == ("W" if local_w else "E"), code
        else:
            assert rule.severity == sev, code
