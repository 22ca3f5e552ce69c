"""Every kind of file users bring: .xlsx and .xls as office suites write them, CSVs in UTF-8, UTF-8 with BOM and
GBK; and the bad ones — a renamed program, a zip bomb, an empty file, no header row, merged cells, formulas,
hidden sheets, too many rows — each refused with a Chinese reason, nothing written, no crash."""

from __future__ import annotations

import datetime as dt
import zipfile

import pytest

from dangjian.core.audit import Actor
from dangjian.ledgers import reader
from dangjian.ledgers.services import ledger_import, limits
from tests.ledgers.conftest import activist_rows
from tests.ledgers.files import spreadsheet, write_csv, write_xls, write_xlsx
from tests.support import people_fingerprint, row_counts


def _header(path):
    t = reader.open_table(path)
    return t, [r for _, r in t.rows()]


@pytest.mark.parametrize("suffix", ["xlsx", "xls"])
def test_office_files_are_read_with_ids_as_text_and_dates_as_dates(tmp_path, suffix):
    rows, ids = activist_rows(2)
    rows[1][5] = dt.date(2023, 3, 1)
    path = spreadsheet(tmp_path / f"a.{suffix}", rows)
    table, data = _header(path)
    assert table.format == suffix and table.header_row == 1 and table.headers[3] == "身份证号"
    assert data[0][3] == ids[0]
    assert data[0][5] == dt.date(2023, 3, 1)


@pytest.mark.parametrize("encoding, label", [("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8（带 BOM）"),
                                             ("gbk", "GBK/GB18030"), ("gb18030", "GBK/GB18030"),
                                             ("utf-16", "UTF-16")])
def test_csv_encodings_are_detected(tmp_path, encoding, label):
    rows, ids = activist_rows(2)
    path = write_csv(tmp_path / "a.csv", rows, encoding=encoding)
    table, data = _header(path)
    assert table.encoding == label
    assert table.headers[1] == "姓名" and data[1][1] == rows[2][1] and data[1][3] == ids[1]


def test_a_title_row_above_the_header_is_skipped_and_names_the_kind(tmp_path):
    rows, _ = activist_rows(1)
    path = write_xlsx(tmp_path / "t.xlsx", [["甲镇入党积极分子台账"], [], *rows])
    table, data = _header(path)
    assert table.header_row == 3 and "积极分子" in table.title and len(data) == 1


def test_a_tab_separated_file_is_read_too(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("姓名\t身份证号\t申请入党时间\n张三\t1\t2023-01-01\n", encoding="utf-8")
    table, data = _header(path)
    assert table.headers == ["姓名", "身份证号", "申请入党时间"] and data[0][0] == "张三"


# --- bad files: a Chinese reason, nothing written ---------------------------------------------------------
def _refused(world, path, match: str):
    before = row_counts(), people_fingerprint()
    with pytest.raises(reader.LedgerFileError, match=match):
        reader.open_table(path, limits=limits())
    summary = ledger_import(actor=Actor(user=world.users["town_organizer"]), path=path, commit=True)
    assert not summary.valid and not summary.committed
    assert summary.errors[0].row is None and match in summary.errors[0].message
    assert (row_counts(), people_fingerprint()) == before
    return summary


def test_a_renamed_executable_is_refused(world, tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(b"MZ\x90\x00\x03" + b"\x00" * 200 + b"This program cannot be run in DOS mode")
    _refused(world, path, "可执行程序")
    elf = tmp_path / "台账.xls"
    elf.write_bytes(b"\x7fELF\x02\x01\x01" + b"\x00" * 100)
    _refused(world, elf, "可执行程序")


def test_a_zip_bomb_is_refused_before_it_is_unpacked(world, tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            chunk = b"0" * (1024 * 1024)
            for _ in range(60):  # 60 MB of zeros, about 60 KB compressed
                fh.write(chunk)
    assert path.stat().st_size < 2 * 1024 * 1024
    _refused(world, path, "压缩炸弹")


def test_an_empty_file_is_refused(world, tmp_path):
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    _refused(world, empty, "空的")
    blank = tmp_path / "blank.csv"
    blank.write_text("\r\n\r\n", encoding="utf-8")
    _refused(world, blank, "空的")
    sheet = write_xlsx(tmp_path / "nothing.xlsx", [])
    _refused(world, sheet, "空的")


def test_a_file_without_a_header_row_is_refused(world, tmp_path):
    rows, _ = activist_rows(3)
    path = write_xlsx(tmp_path / "noheader.xlsx", rows[1:])
    summary = _refused(world, path, "找不到表头行")
    assert "姓名" in summary.errors[0].message


def test_hidden_sheets_are_refused_rather_than_silently_skipped(world, tmp_path):
    from openpyxl import Workbook

    rows, _ = activist_rows(2)
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    hidden = wb.create_sheet("往年数据")
    hidden.append(rows[0])
    hidden.sheet_state = "hidden"
    path = tmp_path / "hidden.xlsx"
    wb.save(path)
    _refused(world, path, "隐藏的工作表：往年数据")


def test_an_html_page_saved_as_xls_says_so(world, tmp_path):
    path = tmp_path / "export.xls"
    path.write_text("<html><body><table><tr><td>姓名</td></tr></table></body></html>", encoding="utf-8")
    _refused(world, path, "网页")


def test_a_broken_xlsx_is_refused(world, tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 300)
    _refused(world, path, "损坏")


def test_more_rows_than_the_limit_are_refused(world, tmp_path, settings):
    settings.LEDGER_MAX_ROWS = 5
    rows, _ = activist_rows(8)
    _refused(world, write_xlsx(tmp_path / "big.xlsx", rows), "超过一次导入的上限 5 行")
    _refused(world, write_csv(tmp_path / "big.csv", rows), "超过一次导入的上限 5 行")


def test_merged_cells_in_the_data_are_errors_naming_the_range(world, today, tmp_path):
    from openpyxl import Workbook

    rows, _ = activist_rows(3)
    wb = Workbook()
    ws = wb.active
    ws.append(["甲镇入党积极分子台账"])
    ws.merge_cells("A1:J1")  # a merged title above the header is fine
    for r in rows:
        ws.append(r)
    ws.merge_cells("E3:E4")  # 所在党支部 merged over two people
    path = tmp_path / "merged.xlsx"
    wb.save(path)
    before = row_counts(), people_fingerprint()
    s = ledger_import(actor=Actor(user=world.users["town_organizer"]), path=path, commit=True)
    assert not s.committed
    merged = [e for e in s.errors if "合并单元格" in e.message]
    assert len(merged) == 1 and "E3:E4" in merged[0].message and merged[0].row == 3
    assert (row_counts(), people_fingerprint()) == before


def test_formulas_in_imported_columns_are_errors(world, today, tmp_path):
    from openpyxl import Workbook

    rows, _ = activist_rows(2)
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    ws["F3"] = "=DATE(2023,3,1)"  # 申请入党时间 of the second person
    ws["K1"] = "年龄"
    ws["K2"] = "=2025-1995"  # a formula in a column that is not imported: fine
    path = tmp_path / "formula.xlsx"
    wb.save(path)
    before = row_counts(), people_fingerprint()
    s = ledger_import(actor=Actor(user=world.users["town_organizer"]), path=path, commit=True)
    assert not s.committed
    assert [(e.row, e.column) for e in s.errors if "公式" in e.message] == [(3, "申请入党时间")]
    assert (row_counts(), people_fingerprint()) == before


def test_a_formula_in_a_csv_cell_is_an_error_too(world, today, tmp_path):
    rows, _ = activist_rows(1)
    rows[1][5] = "=1+1"
    s = ledger_import(actor=Actor(user=world.users["town_organizer"]), path=write_csv(tmp_path / "f.csv", rows))
    assert any("公式" in e.message and e.row == 2 for e in s.errors)


def test_an_xls_written_by_the_old_writer_library_keeps_its_dates(tmp_path):
    path = write_xls(tmp_path / "old.xls", [["姓名", "身份证号", "申请入党时间"], ["张三", "1", dt.date(2020, 1, 2)]])
    table, data = _header(path)
    assert data[0][2] == dt.date(2020, 1, 2)


def _hidden_xlsx(path, rows):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    ws.row_dimensions[3].hidden = True  # the second and third people: filtered out of sight
    ws.row_dimensions[4].hidden = True
    ws.row_dimensions[7].hidden = True  # an empty hidden row says nothing
    ws.column_dimensions["F"].hidden = True  # 申请入党时间: read, yet unseen
    ws.column_dimensions["K"].hidden = True  # not a ledger column: not read, nothing to say
    wb.save(path)
    return path


def _hidden_xls(path, rows):
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("台账")
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            if v is not None:
                ws.write(i, j, v)
    for i in (2, 3, 6):
        ws.row(i).hidden = True
    ws.col(5).hidden = True
    ws.col(10).hidden = True
    wb.save(str(path))
    return path


@pytest.mark.parametrize("make", [_hidden_xlsx, _hidden_xls], ids=["xlsx", "xls"])
def test_hidden_rows_and_columns_are_named_in_a_warning_and_import_as_usual(world, today, tmp_path, make):
    rows, _ = activist_rows(4)
    rows[0].append("备用")
    path = make(tmp_path / f"hidden.{make.__name__[-4:]}", rows)
    table = reader.open_table(path)
    assert table.hidden_rows == {3, 4, 7} and {5, 10} <= table.hidden_cols
    s = ledger_import(actor=Actor(user=world.users["town_organizer"]), path=path)
    assert s.valid and s.rows == 4
    hidden = [w for w in s.warnings if "隐藏" in w.message]
    assert [(w.row, w.column) for w in hidden] == [(None, None), (None, "申请入党时间")]
    assert hidden[0].message.startswith("第 3–4 行（共 2 行）在 Excel 中是隐藏的")
    assert "列「申请入党时间」（F 列）在 Excel 中是隐藏的" in hidden[1].message
    done = ledger_import(actor=Actor(user=world.users["town_organizer"]), path=path, commit=True)
    assert done.committed and done.created == 4  # a warning: the rows are imported, the user was told


def test_hidden_rows_are_named_by_the_check_up_too(world, today, tmp_path):
    from dangjian.ledgers.checkup import ledger_check

    rows, _ = activist_rows(4)
    result, _ = ledger_check(path=_hidden_xlsx(tmp_path / "h.xlsx", rows), as_of=today)
    assert any(w.message.startswith("第 3–4 行（共 2 行）在 Excel 中是隐藏的") and "照常检查" in w.message
               for w in result.warnings)


def test_formulas_in_an_xls_are_errors_as_in_an_xlsx(world, today, tmp_path):
    import xlwt

    rows, _ = activist_rows(2)
    rows[0].append("年龄")
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("台账")
    rows[2][5] = xlwt.Formula("\"2023/3/1\"")  # 申请入党时间 of the second person
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            ws.write(i, j, v)
    ws.write(1, 10, xlwt.Formula("2025-1995"))  # not imported: fine
    path = tmp_path / "formula.xls"
    wb.save(str(path))
    assert reader.open_table(path).formulas == {(2, 10), (3, 5)}  # the unread column is not reported below
    before = row_counts(), people_fingerprint()
    s = ledger_import(actor=Actor(user=world.users["town_organizer"]), path=path, commit=True)
    assert not s.committed
    assert [(e.row, e.column) for e in s.errors if "公式" in e.message] == [(3, "申请入党时间")]
    assert (row_counts(), people_fingerprint()) == before


def test_an_xls_whose_structure_cannot_be_followed_still_reads_without_the_extra_checks():
    from dangjian.ledgers import biff

    assert biff.sheet_facts(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\xff" * 600, sheet_name="x", sheet_index=0) is None


def _compound_file_with_a_mini_stream(workbook: bytes) -> bytes:
    """A minimal OLE compound file (version 3, 512-byte sectors) whose Workbook stream is smaller than the
    4096-byte cut-off, so it lives in the mini stream — as some writers other than Excel and xlwt leave it."""
    import struct

    end, free, fat_sector = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    mini = workbook + b"\0" * (-len(workbook) % 64)
    n_mini = len(mini) // 64
    ministream = mini + b"\0" * (-len(mini) % 512)
    n_data = len(ministream) // 512
    fat = [fat_sector, end, end] + [3 + i + 1 for i in range(n_data - 1)] + [end]
    fat += [free] * (128 - len(fat))
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 0x2C, 1, 1, 0, 4096, 2, 1, end, 0, 0)
    struct.pack_into("<108I", header, 0x50, *([free] * 108))

    def entry(name: str, kind: int, start: int, size: int, child: int = free) -> bytes:
        e = bytearray(128)
        raw = (name + "\0").encode("utf-16-le")
        e[0:len(raw)] = raw
        struct.pack_into("<HBB", e, 64, len(raw), kind, 1)
        struct.pack_into("<III", e, 68, free, free, child)
        struct.pack_into("<II", e, 116, start, size)
        return bytes(e)

    directory = entry("Root Entry", 5, 3, len(mini), child=1) + entry("Workbook", 2, 0, len(workbook))
    directory += bytes(128) * 2
    minifat = [i + 1 for i in range(n_mini - 1)] + [end]
    minifat += [free] * (128 - len(minifat))
    return bytes(header) + struct.pack("<128I", *fat) + directory + struct.pack("<128I", *minifat) + ministream


def test_an_xls_whose_workbook_sits_in_the_mini_stream_is_read_too(tmp_path):
    import xlwt

    from dangjian.ledgers import biff

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("台账")
    ws.write(0, 0, "姓名")
    ws.write(1, 0, xlwt.Formula("1+1"))
    ws.row(1).hidden = True
    ws.col(2).hidden = True
    wb.save(str(tmp_path / "s.xls"))
    stream = biff._workbook_stream((tmp_path / "s.xls").read_bytes()).rstrip(b"\0")
    assert len(stream) < 4096
    facts = biff.sheet_facts(_compound_file_with_a_mini_stream(stream), sheet_name="台账", sheet_index=0)
    assert facts is not None
    assert (facts.formulas, facts.hidden_rows, facts.hidden_cols) == ({(2, 0)}, {2}, {2})
