"""Ledger files for the tests, written the way users' files are: by LibreOffice headless where it is installed,
else by the writer libraries (openpyxl for .xlsx, xlwt for .xls), and CSVs in UTF-8, UTF-8 with BOM and GBK."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
import tempfile
from pathlib import Path

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def write_xlsx(path: Path, rows: list[list], *, title: str = "台账", text_columns: set[int] = frozenset()) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, dt.date):
                c.number_format = "yyyy-mm-dd"
            if c.column - 1 in text_columns:
                c.number_format = "@"
    wb.save(path)
    return path


def write_xls(path: Path, rows: list[list]) -> Path:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("台账")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            if isinstance(v, dt.date):
                ws.write(i, j, v, date_style)
            elif v is not None:
                ws.write(i, j, v)
    wb.save(str(path))
    return path


def write_csv(path: Path, rows: list[list], *, encoding: str = "utf-8") -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    for r in rows:
        w.writerow(["" if v is None else (v.isoformat() if isinstance(v, dt.date) else v) for v in r])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def via_libreoffice(src: Path, fmt: str) -> Path | None:
    """Convert with LibreOffice headless (xlsx or xls); None when LibreOffice is not installed."""
    if not SOFFICE:
        return None
    out = Path(tempfile.mkdtemp(prefix="lo-"))
    filt = {"xlsx": "xlsx:Calc MS Excel 2007 XML", "xls": "xls:MS Excel 97"}[fmt]
    subprocess.run([SOFFICE, "--headless", "--convert-to", filt, "--outdir", str(out), str(src)], check=True,
                   capture_output=True, timeout=120)
    made = out / (src.stem + "." + fmt)
    return made if made.exists() else None



def spreadsheet(path: Path, rows: list[list]) -> Path:
    """An .xlsx or .xls as an office suite writes it: LibreOffice when installed, else the writer library."""
    fmt = path.suffix.lstrip(".")
    if SOFFICE:
        # From an .xlsx whose cells keep their types (IDs as text), so LibreOffice re-types nothing.
        src = write_xlsx(Path(tempfile.mkdtemp(prefix="lo-src-")) / (path.stem + "-src.xlsx"), rows)
        made = via_libreoffice(src, fmt)
        if made:
            shutil.move(made, path)
            return path
    return write_xlsx(path, rows) if fmt == "xlsx" else write_xls(path, rows)
