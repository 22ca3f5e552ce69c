"""The check-up (体检): every rule finding of every person in a ledger of step dates, with the exact cells
involved — without importing anything. The same rule engine as the dossiers (dangjian.rules), fed the same
§5 document the dossier pages assemble (stepdefs.assemble), one chunk of rows at a time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from dangjian import rules
from dangjian.development.stepdefs import RecordView, assemble
from dangjian.ledgers import columns, reader
from dangjian.ledgers.rows import Issue, ParsedRow, RowParser
from dangjian.ledgers.services import (
    PersonData,
    Progress,
    RowPlan,
    build_steps,
    file_issue,
    hidden_issues,
    limits,
)
from dangjian.people import idnumber

CHUNK = 500
# Besides the step a finding is about, the columns each rule reads (the cells a reader should look at).
RULE_COLUMNS: dict[str, tuple[str, ...]] = {
    "N-AGE-18": ("id_number", "birth_date", "S01"),
    "N-TALK-1M": ("S01", "S02"),
    "N-ACT-ORDER": ("S01", "S02", "S03"),
    "N-ACT-DECIDER": ("S03.decided_by", "S03"),
    "N-ACT-NOMINATION": ("S03.nomination", "S03"),
    "N-ACT-FILE": ("S03", "S04"),
    "N-MENTOR-COUNT": ("S05.mentors", "S05"),
    "N-MENTOR-FULL": ("S05.mentors", "S05", "S03"),
    "N-HALFYEAR-ASSESS": ("S03", "S06", "S07"),
    "N-ACT-1Y": ("S03", "S07"),
    "N-DEV-OPINIONS": ("S07.opinions_heard", "S07"),
    "N-DEV-FILE": ("S07", "S08", "S13"),
    "N-INTRODUCER": ("S09.introducers", "S09"),
    "N-POLREV": ("S10", "S10.result", "S12"),
    "Q-POLREV-1Y": ("S10", "S15"),
    "N-TRAINING": ("S11", "S11.start", "S11.days", "S11.hours", "S07", "S15"),
    "N-BRANCH-REVIEW": ("S12", "S13"),
    "N-PREREVIEW": ("S13", "S14", "S14.issued", "S15"),
    "N-COMMITTEE-TALK": ("S15", "S16", "S17"),
    "N-APPROVE-3M": ("S15", "S17"),
    "N-APPROVE-FILE": ("S17", "S18"),
    "N-OATH": ("S17", "S20"),
    "L-APPLY-6M": ("S01", "S03"),
    "L-SIX-NO": ("S03", "S15"),
}
_NAME_COLUMNS = ("name", "id_number")


@dataclass
class PersonFindings:
    row: int
    name: str
    id_masked: str
    status: str = ""
    findings: list[dict] = field(default_factory=list)  # code, severity, step, message, source, cells


@dataclass
class CheckResult:
    rows: int = 0
    people: list[PersonFindings] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: {"E": 0, "W": 0})

    def as_json(self, cap: int | None = None) -> dict:
        people = self.people if cap is None else self.people[:cap]
        return {"rows": self.rows, "people_with_findings": sum(1 for p in self.people if p.findings),
                "findings": self.counts,
                "people": [{"row": p.row, "name": p.name, "id_number": p.id_masked, "status": p.status,
                            "findings": p.findings} for p in people if p.findings],
                "errors": [e.as_dict() for e in self.errors], "warnings": [w.as_dict() for w in self.warnings]}


def _cells(code: str, step: str | None, row: ParsedRow) -> list[str]:
    keys = [k for k in (step, *RULE_COLUMNS.get(code, ())) if k]
    if code == "N-ORDER" and step in rules.STEP_BY_CODE:
        keys += list(rules.STEP_BY_CODE[step].depends_on)
    refs = [f"{reader.column_letter(row.cols[k])}{row.number}" for k in dict.fromkeys(keys) if k in row.cols]
    if not refs:  # a step the ledger has no column for: point at the person
        refs = [f"{reader.column_letter(row.cols[k])}{row.number}" for k in _NAME_COLUMNS if k in row.cols][:1]
    return refs


def ledger_check(*, path: Path | str, mapping: dict[int, str] | None = None, config: dict | None = None,
                 as_of: dt.date, progress: Progress | None = None) -> tuple[CheckResult, reader.Table | None]:
    """Check a ledger of step dates against the rules. Writes nothing."""
    result = CheckResult()
    try:
        table = reader.open_table(path, limits=limits())
    except reader.LedgerFileError as exc:
        result.errors.append(file_issue(str(exc)))
        return result, None
    if mapping is None:
        mapping = columns.guess_mapping(table.headers, "probationary")
    keys = set(mapping.values())
    if "id_number" not in keys and "birth_date" not in keys:
        result.errors.append(file_issue("缺少「公民身份号码」列（或「出生日期」列）：年龄规则需要出生日期"))
    if not any(k.startswith("S") for k in keys):
        result.errors.append(file_issue("文件中没有任何步骤日期列（如「递交入党申请书时间」「确定为入党积极分子时间」），"
                                        "无可检查的内容"))
    if result.errors:
        return result, table
    for r1, c1, r2, c2 in table.merged:
        result.warnings.append(Issue(r1, None, None, f"合并单元格 {reader.column_letter(c1 - 1)}{r1}:"
                                                     f"{reader.column_letter(c2 - 1)}{r2}：只按第一格的内容检查"))
    chunk: list[ParsedRow] = []
    hidden: list[int] = []
    parse = RowParser(mapping, table.headers, table.formulas).parse
    for number, raw in table.rows():
        row = parse(number, raw)
        if row is None:
            continue
        if number in table.hidden_rows:
            hidden.append(number)
        result.rows += 1
        chunk.append(row)
        if len(chunk) >= CHUNK:
            _check_chunk(chunk, table, config or {}, as_of, result)
            chunk = []
            if progress:
                progress(result.rows, table.data_rows, "检查")
    if chunk:
        _check_chunk(chunk, table, config or {}, as_of, result)
    result.warnings[:0] = hidden_issues(table, mapping, hidden, doing="检查")
    if progress:
        progress(result.rows, table.data_rows, "检查")
    return result, table


def _birth(row: ParsedRow) -> dt.date | None:
    if row.values.get("id_number"):
        return idnumber.parse(row.values["id_number"]).birth_date
    b = row.values.get("birth_date")
    if b and b[2] is not None:
        return dt.date(*b)
    return None


def _check_chunk(rows: list[ParsedRow], table: reader.Table, config: dict, as_of: dt.date,
                 result: CheckResult) -> None:
    docs, people = [], []
    for row in rows:
        plan = RowPlan(row=row, data=PersonData(name="", id_number="", organization=None), info=None, keys={})
        build_steps(plan, table.headers, as_of)
        result.errors += row.errors
        result.warnings += row.warnings
        person = PersonFindings(row=row.number, name=str(row.values.get("name") or ""),
                                id_masked=idnumber.mask(row.values["id_number"]) if row.values.get("id_number") else "")
        result.people.append(person)
        if not plan.steps:
            continue
        records = [RecordView(step=s.step, seq=s.seq or 1, date=s.date.isoformat(), data=s.data)
                   for s in _numbered(plan)]
        birth = _birth(row)
        docs.append(assemble(str(row.number), {"birth_date": birth.isoformat() if birth else None,
                                               "near_relative_of_cadre": False, "tier": None,
                                               "expected_departure": None}, records))
        people.append((person, row))
    if not docs:
        return
    out = rules.check_document({"as_of": as_of.isoformat(), "config": config, "dossiers": docs})
    for (person, row), res in zip(people, out["results"], strict=True):
        person.status = res.get("status", "")
        for f in res.get("findings", []):
            result.counts[f["severity"]] = result.counts.get(f["severity"], 0) + 1
            person.findings.append({"code": f["code"], "severity": f["severity"], "step": f.get("step") or "",
                                    "message": f["message"], "source": f.get("source", ""),
                                    "cells": _cells(f["code"], f.get("step"), row)})


def _numbered(plan: RowPlan) -> list:
    """Repeatable steps (assessments) numbered 1, 2, … in date order."""
    seqs: dict[str, int] = {}
    out = []
    for s in sorted(plan.steps, key=lambda s: (s.step, s.date)):
        seqs[s.step] = seqs.get(s.step, 0) + 1
        s.seq = seqs[s.step]
        out.append(s)
    return out


def annotate(table: reader.Table, source: Path, result: CheckResult, out: Path) -> None:
    """The same workbook with every cell a finding involves filled (red: violation, yellow: needs explanation)
    and a comment naming the rule and the reason. An .xlsx is annotated in place (formatting kept); an .xls or
    a CSV is rebuilt cell for cell as an .xlsx."""
    from openpyxl import Workbook, load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    if table.format == "xlsx":
        with open(source, "rb") as fh:  # a file object: openpyxl judges a path by its extension (".upload")
            wb = load_workbook(fh)
        ws = wb[table.sheet]
    else:
        wb = Workbook()
        ws = wb.active
        ws.title = table.sheet[:31] or "台账"
        for number, raw in table.all_rows():
            for j, v in enumerate(raw):
                if v not in (None, ""):
                    c = ws.cell(row=number, column=j + 1, value=v)
                    if isinstance(v, dt.date):
                        c.number_format = "yyyy-mm-dd"
    red = PatternFill("solid", fgColor="FFC7CE")
    yellow = PatternFill("solid", fgColor="FFEB9C")
    notes: dict[str, list[tuple[str, str]]] = {}
    for p in result.people:
        for f in p.findings:
            for ref in f["cells"]:
                notes.setdefault(ref, []).append((f["severity"], f"{f['code']}（{f['source']}）：{f['message']}"))
    for e in result.errors:
        if e.row and e.col is not None:
            notes.setdefault(f"{reader.column_letter(e.col)}{e.row}", []).append(("E", e.message))
    for ref, items in notes.items():
        cell = ws[ref]
        cell.fill = red if any(sev == "E" for sev, _ in items) else yellow
        text = "\n".join(("违规 " if sev == "E" else "提示 ") + msg for sev, msg in items)
        cell.comment = Comment(text[:30000], "dangjian 体检", width=360, height=40 + 40 * len(items))
    ws.freeze_panes = ws.cell(row=table.header_row + 1, column=1)
    wb.save(out)

