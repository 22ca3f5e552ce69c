"""A streaming .xlsx writer for large exports: the sheet XML is written row by row straight into the zip, so
memory stays flat whatever the row count (openpyxl's write-only mode builds a cell object per value and is
~8× slower; xlsxwriter keeps shared strings). Header row bold and frozen, column widths, dates as real dates
(serial numbers with a date format), text as inline strings. No Django.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import IO
from xml.sax.saxutils import escape

_EPOCH = dt.date(1899, 12, 30)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0
_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>"""
_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>"""
_WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"""
# Style 0: default; 1: bold header; 2: date yyyy-mm-dd; 3: text (@), for ID numbers and phone numbers.
_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/></numFmts><fonts count="2"><font><sz val="11"/><name val="等线"/></font><font><b/><sz val="11"/><name val="等线"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"""


def _col(i: int) -> str:
    out, n = "", i + 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _width(label: str) -> float:
    # CJK characters are about two Latin characters wide.
    return max(10.0, sum(2 if ord(ch) > 0x2E80 else 1 for ch in label) + 4)


def write_xlsx(fh: IO[bytes], title: str, header: Sequence[str], rows: Iterable[Sequence],
               widths: Sequence[float] | None = None) -> int:
    """Write one sheet to the binary file `fh`; returns the number of data rows written."""
    widths = widths or [_width(h) for h in header]
    n = 0
    with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("docProps/core.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
                    'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>dangjian</dc:creator>'
                    '</cp:coreProperties>')
        zf.writestr("xl/workbook.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
                    f'<sheet name="{escape(title[:31], {chr(34): "&quot;"})}" sheetId="1" r:id="rId1"/></sheets></workbook>')
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        zf.writestr("xl/styles.xml", _STYLES)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            cols = "".join(f'<col min="{i + 1}" max="{i + 1}" width="{w:.1f}" customWidth="1"/>'
                           for i, w in enumerate(widths))
            head = "".join(f'<c r="{_col(i)}1" t="inlineStr" s="1"><is><t>{escape(str(h))}</t></is></c>'
                           for i, h in enumerate(header))
            out.write(('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                       '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                       '<sheetViews><sheetView workbookViewId="0">'
                       '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                       '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
                       f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>'
                       f'<row r="1">{head}</row>').encode())
            refs = [_col(i) for i in range(len(header))]
            buf: list[str] = []
            for n, row in enumerate(rows, start=1):
                r = n + 1
                parts = [f'<row r="{r}">']
                for ref, v in zip(refs, row, strict=False):
                    if v is None or v == "":
                        continue
                    if isinstance(v, dt.date):
                        parts.append(f'<c r="{ref}{r}" s="2"><v>{(v - _EPOCH).days}</v></c>')
                    elif isinstance(v, bool):
                        parts.append(f'<c r="{ref}{r}" t="b"><v>{int(v)}</v></c>')
                    elif isinstance(v, int | float):
                        parts.append(f'<c r="{ref}{r}"><v>{v}</v></c>')
                    else:
                        s = escape(_CONTROL.sub("", str(v)))
                        # Text that looks like a number (ID numbers, phone numbers) stays text in Excel.
                        style = ' s="3"' if s[:1].isdigit() else ""
                        parts.append(f'<c r="{ref}{r}" t="inlineStr"{style}><is><t>{s}</t></is></c>')
                parts.append("</row>")
                buf.append("".join(parts))
                if len(buf) >= 2000:
                    out.write("".join(buf).encode())
                    buf = []
            if buf:
                out.write("".join(buf).encode())
            out.write(b"</sheetData></worksheet>")
    return n
