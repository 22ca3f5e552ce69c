"""One data row of a ledger → typed values by column key, with every problem as an Issue. No Django models.

This is the parser the Hypothesis fuzz test drives: whatever a cell holds, `parse_row` returns a ParsedRow
(values and issues) and never raises.
"""

from __future__ import annotations

from collections.abc import Mapping
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
    raw: Mapping[str, Any] = field(default_factory=dict)  # the cells as read, by column key
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
    return RowParser(mapping, headers, formulas).parse(number, row)


_MEMO_CAP = 10_000  # distinct values remembered per column (a ledger's choices, organizations, dates repeat)


class _Cells(Mapping):
    """A row's raw cells by column key (`ParsedRow.raw`), read from the row only when an issue shows one."""

    __slots__ = ("_row", "_cols")

    def __init__(self, row: list, cols: dict[str, int]) -> None:
        self._row, self._cols = row, cols

    def __getitem__(self, key: str) -> Any:
        i = self._cols[key]
        return self._row[i] if i < len(self._row) else None

    def __iter__(self):
        return iter(self._cols)

    def __len__(self) -> int:
        return len(self._cols)


class RowParser:
    """`parse_row` for every row of one file: the mapped columns, their labels and parsers are worked out once,
    and each distinct value of a column is parsed once (a 100,000-row roster holds a few dozen sexes, schools and
    organizations and a few thousand dates). The parsers are pure functions of the value, so a remembered
    result (or its error message) is what parsing again would give. ID numbers are never remembered.
    Every row's `cols` is the same (read-only) dict."""

    def __init__(self, mapping: dict[int, str], headers: list[str],
                 formulas: set[tuple[int, int]] | frozenset = frozenset()) -> None:
        self.width = len(headers)
        self.formulas = formulas
        self.columns: list[tuple[int, str, Any, str, Any, dict | None]] = []
        self.cols: dict[str, int] = {}
        for i, key in mapping.items():
            col = COLUMNS[key]
            if col.kind == "ignore":
                continue
            label = headers[i] if i < len(headers) and headers[i] else col.label
            parser = _PARSERS.get(col.kind)
            self.columns.append((i, key, col, label, parser, None if col.kind == "id" else {}))
            self.cols[key] = i
        self.read = [c[0] for c in self.columns]

    def parse(self, number: int, row: list) -> ParsedRow | None:
        n = len(row)
        for i in self.read:
            if i < n and not cells.is_empty(row[i]):
                break
        else:
            return None  # blank: nothing in any mapped column
        values: dict[str, Any] = {}
        out = ParsedRow(number, values, self.cols, _Cells(row, self.cols))
        for i in range(self.width, n):
            if not cells.is_empty(row[i]):
                out.errors.append(Issue(number, f"第{i + 1}列（{column_letter(i)}列，没有列名）", shown(None, row[i]),
                                        "表头以外的列有内容：这一行可能整体错位（多了或少了一格），请核对", i))
                break
        formulas = self.formulas
        for i, key, col, label, parser, memo in self.columns:
            value = row[i] if i < n else None
            cls = value.__class__
            formula = isinstance(value, str) and "=" in value and cells.is_formula_text(value)
            memo_key: Any = value if cls is str else (cls, value)  # 1, 1.0 and True are equal keys: not so
            if formula or (formulas and (number, i) in formulas):
                out.errors.append(Issue(number, label, shown(key, value),
                                        "单元格是公式，不是填写的值：请复制该列后“选择性粘贴→数值”，再导入", i))
                continue
            if parser is None:
                values[key] = None
                continue
            got = None
            if memo is not None:
                try:
                    got = memo.get(memo_key)
                except TypeError:  # an unhashable cell (never from the readers): parse it
                    memo = None
            if got is None:
                got = _parse_cell(parser, value, col)
                if memo is not None and len(memo) < _MEMO_CAP:
                    memo[memo_key] = got
            ok, parsed = got
            if ok:
                # A list (dates, names, choices) is the row's own: a remembered one is shared.
                values[key] = parsed.copy() if parsed.__class__ is list else parsed
            else:
                out.errors.append(Issue(number, label, shown(key, value), parsed, i))
        return out


def _parse_cell(parser: Any, value: Any, col: Any) -> tuple[bool, Any]:
    """(True, the typed value) or (False, the message)."""
    try:
        return True, parser(value, col)
    except cells.CellError as exc:
        return False, f"{col.label}：{exc}"
    except Exception:  # noqa: BLE001 — the parser must never crash an import; report the cell
        return False, f"{col.label}：无法识别的内容"
