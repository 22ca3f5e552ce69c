"""Small .xlsx writer for list exports: header row frozen, column widths, dates as dates, streamed from a
write-only workbook (bounded memory). IDs must already be masked by the caller."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterable, Sequence
from urllib.parse import quote

from django.http import FileResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter


def write_xlsx(fh, title: str, header: Sequence[str], rows: Iterable[Sequence]) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31])
    ws.freeze_panes = "A2"
    for i, name in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, len(name) * 2 + 4)
    bold = Font(bold=True)
    head = []
    for name in header:
        c = WriteOnlyCell(ws, value=name)
        c.font = bold
        head.append(c)
    ws.append(head)
    for row in rows:
        cells = []
        for v in row:
            c = WriteOnlyCell(ws, value=v)
            if isinstance(v, dt.date):
                c.number_format = "yyyy-mm-dd"
            cells.append(c)
        ws.append(cells)
    wb.save(fh)


def xlsx_response(title: str, header: Sequence[str], rows: Iterable[Sequence], *, filename: str) -> FileResponse:
    # A temporary file deleted on close (SECURITY.md D5: temporary export files are deleted).
    fh = tempfile.TemporaryFile()
    write_xlsx(fh, title, header, rows)
    fh.seek(0)
    resp = FileResponse(fh, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return resp
