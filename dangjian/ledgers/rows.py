"""One data row of a ledger → typed values by column key, with every problem as an Issue. No Django models.

This is the parser the Hypothesis fuzz test drives: whatever a cell holds, `parse_row` returns a ParsedRow
(values and issues) and never raises.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dangjian.core.audit import scrub
from dangjian.ledgers import cells
from dangjian.ledgers.columns import COLUMNS
from dangjian.ledgers.reader import column_letter
from dangjian.people import idnumber


@dataclass
class Issue:
    """A problem at a row and column (both None for the file as a whole)."""

    row: int | None
    column: str | None
    value: str | None
    message: str
    col: int | None = None  # 0-based column index, for cell references

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message}

    @property
    def cell(self) -> str:
        return f"{column_letter(self.col)}{self.row}" if self.col is not None and self.row else ""


def shown(key: str | None, value: Any) -> str:
    """What an issue may show of a value: ID numbers masked (SECURITY.md D3), anything ID-shaped scrubbed."""
    text = cells.display(value)
    if key == "id_number" and len(idnumber.normalize(text)) == 18:
        return idnumber.mask(text)
    return scrub(text)[:200]


@dataclass
class ParsedRow:
    number: int
    values: dict[str, Any] = field(default_factory=dict)
    cols: dict[str, int] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    def header(self, key: str, headers: list[str]) -> str:
        i = self.cols.get(key)
        return headers[i] if i is not None and i < len(headers) else COLUMNS[key].label

    def error(self, key: str | None, message: str, headers: list[str]) -> None:
        self.errors.append(self._issue(key, message, headers))

    def warn(self, key: str | None, message: str, headers: list[str]) -> None:
        issue = self._issue(key, message, headers)
        if not any(w.message == issue.message and w.column == issue.column for w in self.warnings):
            self.warnings.append(issue)

    def _issue(self, key: str | None, message: str, headers: list[str]) -> Issue:
        if key is None:
            return Issue(self.number, None, None, message)
        return Issue(self.number, self.header(key, headers), shown(key, self.raw.get(key)), message,
                     self.cols.get(key))


_PARSERS: dict[str, Any] = {
    "text": lambda value, c: cells.text(value, max_length=200 if c.key == "remark" else 100),
    "org": lambda value, c: cells.text(value, max_length=100),
    "id": lambda value, c: cells.id_number(value),
    "date": lambda value, c: cells.date(value),
    "ym_date": lambda value, c: cells.year_month_or_date(value),
    "dates": lambda value, c: cells.date_list(value),
    "range": lambda value, c: cells.date_range(value),
    "int": lambda value, c: cells.integer(value),
    "names": lambda value, c: cells.names(value),
    "choice": lambda value, c: cells.choice(value, c.synonyms, c.label),
    "multi": lambda value, c: cells.multi_choice(value, c.synonyms, c.label),
}


def parse_row(number: int, row: list, mapping: dict[int, str], headers: list[str],
              formulas: set[tuple[int, int]] | frozenset = frozenset()) -> ParsedRow | None:
    """Typed values of the mapped columns. None for a blank row (nothing in any mapped column)."""
    out = ParsedRow(number)
    if not any(not cells.is_empty(row[i]) for i in mapping if i < len(row)
               and COLUMNS[mapping[i]].kind != "ignore"):
        return None
    width = len(headers)
    for i in range(width, len(row)):
        if not cells.is_empty(row[i]):
            out.errors.append(Issue(number, f"第{i + 1}列（{column_letter(i)}列，没有列名）", shown(None, row[i]),
                                    "表头以外的列有内容：这一行可能整体错位（多了或少了一格），请核对", i))
            break
    for i, key in mapping.items():
        col = COLUMNS[key]
        if col.kind == "ignore":
            continue
        value = row[i] if i < len(row) else None
        out.cols[key] = i
        out.raw[key] = value
        label = headers[i] if i < len(headers) and headers[i] else col.label
        if (number, i) in formulas or (isinstance(value, str) and "=" in value and cells.is_formula_text(value)):
            out.errors.append(Issue(number, label, shown(key, value),
                                    "单元格是公式，不是填写的值：请复制该列后“选择性粘贴→数值”，再导入", i))
            continue
        parser = _PARSERS.get(col.kind)
        try:
            parsed = None if parser is None else parser(value, col)
        except cells.CellError as exc:
            out.errors.append(Issue(number, label, shown(key, value), f"{col.label}：{exc}", i))
            continue
        except Exception:  # noqa: BLE001 — the parser must never crash an import; report the cell
            out.errors.append(Issue(number, label, shown(key, value), f"{col.label}：无法识别的内容", i))
            continue
        out.values[key] = parsed
    return out
