"""Opening an uploaded ledger: what the file really is, its header row, its data rows — or a Chinese reason.

.xlsx and .xls are read with python-calamine (Rust; ~6× faster than openpyxl and it reads the old .xls too),
.csv is decoded as UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text") or GB18030 (a superset of
GBK), whichever decodes. The format is decided by the file's bytes, never by its name, so a renamed program
is refused before any parser sees it. No Django here.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from dangjian.ledgers import biff, cells, columns
from dangjian.ledgers.cells import column_index, column_letter  # noqa: F401 (column_letter: reader's API)

HEADER_SCAN_ROWS = 30


class LedgerFileError(Exception):
    """The file as a whole cannot be read; the message is Chinese and says what to do."""


@dataclass(frozen=True)
class Limits:
    max_rows: int = 200_000
    max_uncompressed: int = 1024 * 1024 * 1024  # what an .xlsx may unpack to
    max_ratio: int = 200  # a zip member larger than 1 MB unpacking to more than 200× its size is a bomb


@dataclass
class Table:
    """One sheet (or the CSV), its header located. Row numbers are the ones Excel shows (1-based)."""

    format: str  # xlsx | xls | csv
    sheet: str
    header_row: int
    headers: list[str]
    title: str
    data_rows: int
    encoding: str = ""
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # (row1, col1, row2, col2), 1-based
    formulas: set[tuple[int, int]] = field(default_factory=set)  # (row, col index 0-based)
    hidden_rows: set[int] = field(default_factory=set)  # Excel row numbers (xlsx, xls)
    hidden_cols: set[int] = field(default_factory=set)  # column indexes, 0-based (xlsx, xls)
    other_sheets: list[str] = field(default_factory=list)
    _source: object = None
    _first_row: int = 1
    _first_col: int = 0

    def rows(self) -> Iterator[tuple[int, list]]:
        """(row number, cells) for every data row below the header, cells aligned with `headers`
        (longer rows keep their extra cells: they are reported as shifted)."""
        number = self._first_row - 1
        for raw in self._iter():
            number += 1
            if number <= self.header_row:
                continue
            if self._first_col:
                yield number, [""] * self._first_col + list(raw)
            else:
                yield number, raw if raw.__class__ is list else list(raw)  # each reader gives a new list per row

    def all_rows(self) -> Iterator[tuple[int, list]]:
        """Every row, the title rows and the header included (to rebuild the sheet cell for cell)."""
        number = self._first_row - 1
        for raw in self._iter():
            number += 1
            yield number, [""] * self._first_col + list(raw)

    def _iter(self):
        src = self._source
        if self.format == "csv":
            return csv.reader(io.StringIO(src[0]), dialect=src[1])
        return src.iter_rows()


def _kind_of_bytes(head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    if head.startswith(b"MZ") or head.startswith(b"\x7fELF") or head.startswith(b"\xca\xfe\xba\xbe") \
            or head[:4] in (b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe"):
        raise LedgerFileError("这不是表格文件：文件内容是一个可执行程序（只是改了扩展名）。"
                              "请上传 Excel（.xlsx、.xls）或 CSV 文件")
    if head.startswith(b"%PDF"):
        raise LedgerFileError("这是 PDF 文件，不是表格。请上传 Excel（.xlsx、.xls）或 CSV 文件")
    for magic, what in ((b"\x1f\x8b", "gzip 压缩包"), (b"Rar!", "RAR 压缩包"), (b"7z\xbc\xaf", "7z 压缩包"),
                        (b"\x89PNG", "图片"), (b"\xff\xd8\xff", "图片"), (b"GIF8", "图片")):
        if head.startswith(magic):
            raise LedgerFileError(f"这是{what}，不是表格。请上传 Excel（.xlsx、.xls）或 CSV 文件")
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith((b"<html", b"<!doctype", b"<table", b"<?xml", b"<meta")) or b"<table" in stripped[:2000]:
        raise LedgerFileError("这个文件实际上是网页（HTML）格式，只是扩展名为 .xls（很多系统这样“导出 Excel”）。"
                              "请用 Excel 或 WPS 打开，“另存为” .xlsx 后再上传")
    return "text"


def _check_zip(path: Path, limits: Limits) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise LedgerFileError("文件已损坏，无法作为 .xlsx 打开（压缩结构不完整）") from exc
    if "xl/workbook.xml" not in names:
        if "content.xml" in names:
            raise LedgerFileError("这是 OpenDocument（.ods）表格，请用 WPS 或 LibreOffice “另存为” .xlsx 后再上传")
        if "word/document.xml" in names:
            raise LedgerFileError("这是 Word 文档，不是表格。请上传 Excel（.xlsx、.xls）或 CSV 文件")
        raise LedgerFileError("这是一个压缩包，不是 Excel 表格。请上传 Excel（.xlsx、.xls）或 CSV 文件")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > 1024 * 1024 and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise LedgerFileError(f"文件异常：其中的 {info.filename} 解压后是压缩前的 "
                                  f"{info.file_size // max(info.compress_size, 1)} 倍（疑似“压缩炸弹”），已拒绝读取")
    if total > limits.max_uncompressed:
        raise LedgerFileError(f"文件解压后超过 {limits.max_uncompressed // (1024 * 1024)} MB，已拒绝读取；"
                              "请分成几个较小的文件")


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "UTF-8（带 BOM）"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "UTF-16"
    if b"\x00" in data[:4096]:
        raise LedgerFileError("这不是表格文件（内容是二进制数据）。请上传 Excel（.xlsx、.xls）或 CSV 文件")
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "GBK/GB18030"
    except UnicodeDecodeError as exc:
        raise LedgerFileError("无法识别 CSV 文件的编码（不是 UTF-8，也不是 GBK）。请用 Excel 或 WPS 另存为 "
                              "“CSV UTF-8” 或 .xlsx 后再上传") from exc


def _csv_dialect(sample: str):
    first = sample.splitlines()[:5]
    counts = {d: sum(line.count(d) for line in first) for d in (",", "\t", ";")}
    delim = max(counts, key=counts.get) if any(counts.values()) else ","

    class Dialect(csv.excel):
        delimiter = delim

    return Dialect


def _is_header_cell(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _find_header(rows: list[list]) -> int | None:
    """Index (0-based, within `rows`) of the header row: the row naming the most known columns, with the name
    or the ID number among them."""
    best, best_score = None, 1
    for i, row in enumerate(rows):
        keys = {columns.match_header(v) for v in row if _is_header_cell(v)}
        keys.discard(None)
        if not keys & {"name", "id_number"}:
            continue
        if len(keys) > best_score:
            best, best_score = i, len(keys)
    return best


def _xlsx_sheet_xml(zf: zipfile.ZipFile, sheet_index: int) -> str | None:
    wb = zf.read("xl/workbook.xml").decode("utf-8", "replace")
    rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace") if \
        "xl/_rels/workbook.xml.rels" in zf.namelist() else ""
    ids = re.findall(r"<(?:\w+:)?sheet\b[^>]*?\br:id=\"([^\"]+)\"", wb) or \
        re.findall(r"<(?:\w+:)?sheet\b[^>]*?\b\w+:id=\"([^\"]+)\"", wb)
    if sheet_index >= len(ids):
        return None
    m = re.search(r"<Relationship\b[^>]*?Id=\"" + re.escape(ids[sheet_index]) + r"\"[^>]*?Target=\"([^\"]+)\"", rels) \
        or re.search(r"<Relationship\b[^>]*?Target=\"([^\"]+)\"[^>]*?Id=\"" + re.escape(ids[sheet_index]) + "\"", rels)
    if not m:
        return None
    target = m.group(1)
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


_FACTS_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="ledger-facts")
_FORMULA_CELL = re.compile(rb"<c r=\"([A-Z]+)(\d+)\"[^>]*>\s*<f[\s>/]")
_HIDDEN_ROW = re.compile(rb"<row\b[^>]*?\bhidden=\"(?:1|true)\"[^>]*>")
_HIDDEN_COL = re.compile(rb"<col\b[^>]*?\bhidden=\"(?:1|true)\"[^>]*>")
_ATTR_R = re.compile(rb"\br=\"(\d+)\"")
_ATTR_MIN = re.compile(rb"\bmin=\"(\d+)\"")
_ATTR_MAX = re.compile(rb"\bmax=\"(\d+)\"")


def _xlsx_facts(path: Path, sheet_index: int) -> tuple[set[tuple[int, int]], set[int], set[int]]:
    """Cells holding a formula, hidden rows (Excel numbers) and hidden columns (0-based), found in the sheet
    XML: calamine gives only the cached values and says nothing about visibility."""
    formulas: set[tuple[int, int]] = set()
    rows: set[int] = set()
    cols: set[int] = set()
    with zipfile.ZipFile(path) as zf:
        name = _xlsx_sheet_xml(zf, sheet_index)
        if not name or name not in zf.namelist():
            return formulas, rows, cols
        tail = b""
        with zf.open(name) as fh:
            while chunk := fh.read(4 * 1024 * 1024):
                buf = tail + chunk
                if b"<f" in buf:
                    for m in _FORMULA_CELL.finditer(buf):
                        formulas.add((int(m.group(2)), column_index(m.group(1).decode())))
                if b"hidden=" in buf:
                    for m in _HIDDEN_ROW.finditer(buf):
                        r = _ATTR_R.search(m.group(0))
                        if r:
                            rows.add(int(r.group(1)))
                    for m in _HIDDEN_COL.finditer(buf):
                        lo, hi = _ATTR_MIN.search(m.group(0)), _ATTR_MAX.search(m.group(0))
                        if lo:
                            first = int(lo.group(1))
                            last = min(int(hi.group(1)) if hi else first, 16384)
                            cols.update(range(first - 1, last))
                tail = buf[-512:]
    return formulas, rows, cols


def open_table(path: Path | str, *, limits: Limits = Limits()) -> Table:
    """Open a ledger file and locate its header. LedgerFileError (Chinese) for anything unreadable."""
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise LedgerFileError("文件是空的（0 字节）")
    with open(path, "rb") as fh:
        head = fh.read(8192)
    kind = _kind_of_bytes(head)
    if kind == "text":
        return _open_csv(path, limits)
    if kind == "zip":
        _check_zip(path, limits)
    return _open_excel(path, "xlsx" if kind == "zip" else "xls", limits)


def _open_csv(path: Path, limits: Limits) -> Table:
    data = path.read_bytes()
    text, encoding = _decode(data)
    if not text.strip():
        raise LedgerFileError("文件是空的（没有任何内容）")
    dialect = _csv_dialect(text[:20000])
    try:
        head_rows = []
        for i, row in enumerate(csv.reader(io.StringIO(text), dialect=dialect)):
            if i >= HEADER_SCAN_ROWS:
                break
            head_rows.append(row)
        lines = sum(1 for _ in csv.reader(io.StringIO(text), dialect=dialect))
    except csv.Error as exc:
        raise LedgerFileError(f"CSV 文件格式有误（{exc}），请用 Excel 或 WPS 打开后另存为 .xlsx") from exc
    table = _locate(head_rows, fmt="csv", sheet="CSV", total_rows=lines, limits=limits)
    table.encoding = encoding
    table._source = (text, dialect)
    return table


def _open_excel(path: Path, fmt: str, limits: Limits) -> Table:
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError, SheetVisibleEnum

    try:
        wb = CalamineWorkbook.from_path(str(path))
        metas = wb.sheets_metadata
    except PasswordError as exc:
        raise LedgerFileError("文件设有打开密码，请取消密码后再上传") from exc
    except (CalamineError, Exception) as exc:  # calamine raises several types for broken files
        if fmt == "xls":
            raise LedgerFileError("文件无法作为 Excel 97–2003（.xls）打开：可能已损坏、设有密码，或不是表格") from exc
        raise LedgerFileError("文件无法作为 Excel（.xlsx）打开：可能已损坏") from exc
    hidden = [m.name for m in metas if m.visible != SheetVisibleEnum.Visible]
    if hidden:
        raise LedgerFileError(f"工作簿中有隐藏的工作表：{'、'.join(hidden)}。隐藏的内容既不会导入也不会检查，"
                              "为免遗漏，请在 Excel 中取消隐藏（或删除）这些工作表后再上传")
    visible = [i for i, m in enumerate(metas)]
    if not visible:
        raise LedgerFileError("工作簿中没有工作表")
    # The first sheet's formulas and hidden rows are looked for in a thread meanwhile: calamine lets go of the
    # GIL while it loads a sheet, and so does zlib while it inflates (100,000 rows: about 0.3 s off the read).
    facts = _FACTS_POOL.submit(_xlsx_facts, path, 0) if fmt == "xlsx" else None
    chosen = None
    for index in visible:
        try:
            sheet = wb.get_sheet_by_index(index)
        except Exception as exc:  # noqa: BLE001 — a broken sheet is reported, not raised
            raise LedgerFileError(f"工作表「{metas[index].name}」无法读取：文件可能已损坏") from exc
        if sheet.height == 0:
            continue
        head_rows = []
        for i, row in enumerate(sheet.iter_rows()):
            if i >= HEADER_SCAN_ROWS:
                break
            head_rows.append(row)
        if _find_header(head_rows) is not None or chosen is None:
            chosen = (index, sheet, head_rows)
            if _find_header(head_rows) is not None:
                break
    if chosen is None:
        raise LedgerFileError("文件是空的：工作表中没有任何内容")
    index, sheet, head_rows = chosen
    first_row, first_col = sheet.start[0] + 1, sheet.start[1]
    if first_col:
        head_rows = [[""] * first_col + list(r) for r in head_rows]
    table = _locate(head_rows, fmt=fmt, sheet=metas[index].name, total_rows=sheet.height, limits=limits,
                    first_row=first_row)
    table.other_sheets = [m.name for i, m in enumerate(metas) if i != index and m.name not in ("填写说明", "说明")]
    table._source, table._first_row, table._first_col = sheet, first_row, first_col
    for (r1, c1), (r2, c2) in sheet.merged_cell_ranges or []:
        if r2 + 1 >= table.header_row:
            table.merged.append((r1 + 1, c1 + 1, r2 + 1, c2 + 1))
    formulas: set[tuple[int, int]] = set()
    if fmt == "xlsx":
        try:
            found = facts.result() if index == 0 else _xlsx_facts(path, index)
            formulas, table.hidden_rows, table.hidden_cols = found
        except (zipfile.BadZipFile, KeyError, OSError):
            pass
    else:
        facts = biff.sheet_facts(path.read_bytes(), sheet_name=metas[index].name, sheet_index=index)
        if facts is not None:
            formulas, table.hidden_rows, table.hidden_cols = facts.formulas, facts.hidden_rows, facts.hidden_cols
    table.formulas = {(r, c) for r, c in formulas if r > table.header_row}
    table.hidden_rows = {r for r in table.hidden_rows if r > table.header_row}
    return table


def _locate(head_rows: list[list], *, fmt: str, sheet: str, total_rows: int, limits: Limits,
            first_row: int = 1) -> Table:
    if not any(not cells.is_empty(v) for row in head_rows for v in row):
        raise LedgerFileError("文件是空的：没有任何内容")
    at = _find_header(head_rows)
    if at is None:
        raise LedgerFileError(f"找不到表头行：前 {HEADER_SCAN_ROWS} 行中没有一行同时写有「姓名」或「公民身份号码」"
                              "和其他列名（如「性别」「出生日期」「所在党组织」「递交入党申请书时间」）。"
                              "请在数据上方加一行列名，或下载模板对照填写")
    header_row = first_row + at
    headers = [cells.display(v) if not cells.is_empty(v) else "" for v in head_rows[at]]
    while headers and not headers[-1]:
        headers.pop()
    title = " ".join(cells.display(v) for row in head_rows[:at] for v in row if not cells.is_empty(v))
    data_rows = max(total_rows - (at + 1), 0)
    if data_rows > limits.max_rows:
        raise LedgerFileError(f"文件有约 {data_rows} 行数据，超过一次导入的上限 {limits.max_rows} 行。"
                              "请分成几个文件分别导入")
    return Table(format=fmt, sheet=sheet, header_row=header_row, headers=headers, title=title, data_rows=data_rows)
