"""Cell parsing (no database): the date forms users type, ID numbers as text, Excel's mangled numbers; and a
Hypothesis fuzz test of the row parser and the CSV reader — whatever a cell holds, no crash."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.ledgers import cells, columns, reader
from dangjian.ledgers.rows import RowParser, parse_row
from dangjian.people import idnumber
from tests.support import full_ids_in

VALID_ID = idnumber.make("522730", dt.date(1990, 5, 17), 123)


@pytest.mark.parametrize("raw", ["2023-03-01", "2023/3/1", "2023.3.1", "2023年3月1日", "20230301", "2023-3-1 00:00:00",
                                 "２０２３年３月１日", " 2023.03.01 ", 44986, 44986.0, 20230301,
                                 dt.date(2023, 3, 1), dt.datetime(2023, 3, 1, 8, 30)])
def test_every_date_form_users_type_reads_as_the_same_date(raw):
    assert cells.date(raw) == dt.date(2023, 3, 1)


@pytest.mark.parametrize("raw, reason", [
    ("2023-02-30", "日期不存在"), ("2023.3", "只有年月"), ("3/1/2023", "年份应在前"), ("明年春天", "不是有效日期"),
    (9999999, "超出了 Excel 日期的范围"), ("1850-01-01", "年份 1850 不合理")])
def test_a_bad_date_says_why_in_chinese(raw, reason):
    with pytest.raises(cells.CellError, match=reason):
        cells.date(raw)


def test_empty_cells_are_none_not_errors():
    assert cells.date("") is None and cells.date(None) is None and cells.date("  ") is None


def test_an_id_number_is_read_as_text_and_validated():
    assert cells.id_number(VALID_ID) == VALID_ID
    assert cells.id_number(VALID_ID[:-1] + VALID_ID[-1].lower()) == VALID_ID
    assert cells.id_number("'" + VALID_ID) == VALID_ID  # the apostrophe users type to force text


@pytest.mark.parametrize("raw", [5.22731199001011e17, 522731199001011234, "5.22731E+17", "5.22731e+17"])
def test_an_id_number_mangled_by_excel_is_reported_as_such_not_guessed(raw):
    with pytest.raises(cells.CellError, match="无法还原") as exc:
        cells.id_number(raw)
    if isinstance(raw, float):
        assert "5.22731E+17" in str(exc.value)


def test_a_15_digit_old_id_number_is_refused_with_the_reason():
    with pytest.raises(cells.CellError, match="15 位"):
        cells.id_number("522730900517123")


def test_numbers_in_text_columns_lose_the_float_tail():
    assert cells.text(13800000000.0) == "13800000000"
    assert cells.display(5.227311990010113e17) == "5.22731E+17"


def test_lists_ranges_and_counts():
    assert cells.date_list("2023-03-01、2023.9.1，2024/3/1") == [dt.date(2023, 3, 1), dt.date(2023, 9, 1),
                                                               dt.date(2024, 3, 1)]
    assert cells.date_range("2023.10.16-2023.10.18") == (dt.date(2023, 10, 16), dt.date(2023, 10, 18))
    assert cells.date_range("2023-10-16至2023-10-18") == (dt.date(2023, 10, 16), dt.date(2023, 10, 18))
    assert cells.date_range("2023-10-18") == (None, dt.date(2023, 10, 18))
    assert cells.integer("24学时") == 24 and cells.integer(3.0) == 3
    assert cells.names("张三、李四") == ["张三", "李四"]
    assert cells.year_month_or_date("1990.05") == (1990, 5, None)
    assert cells.year_month_or_date(1990.05) == (1990, 5, None)


def test_headers_match_the_standard_names_and_their_variants():
    for text, key in [("公民身份号码", "id_number"), ("身份证号", "id_number"), ("身份证号码", "id_number"),
                      ("递交入党申请书时间", "S01"), ("申请入党时间", "S01"), ("递交入党申请书日期", "S01"),
                      ("* 姓 名（必填）", "name"), ("确定为入党积极分子\n时间", "S03"), ("出生年月", "birth_date")]:
        assert columns.match_header(text) == key, text


# --- fuzz ------------------------------------------------------------------------------------------------
cell_values = st.one_of(
    st.none(), st.text(max_size=30), st.integers(min_value=-10**20, max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.dates(), st.datetimes(),
    st.sampled_from(["2023-02-30", "5.22731E+17", VALID_ID, "=SUM(A1:A3)", "男", "党支部书记", "2023.3",
                     "２０２３年３月１日", "0", "-1", "１２"]))
HEADERS = [c.label for c in columns.TEMPLATES["probationary"]] + ["党员类别", "入党时间", "转正时间"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(cell_values, max_size=len(HEADERS) + 3), min_size=1, max_size=5))
def test_the_row_parser_never_crashes_whatever_the_cells_hold(rows):
    mapping = {i: columns.match_header(h) for i, h in enumerate(HEADERS) if columns.match_header(h)}
    for n, row in enumerate(rows, start=2):
        parsed = parse_row(n, row, mapping, HEADERS, formulas={(2, 0)})
        if parsed is None:
            continue
        for issue in parsed.errors + parsed.warnings:
            assert issue.message and issue.row == n
            assert not full_ids_in(issue.value or "")  # a valid ID number is always shown masked
        assert set(parsed.values) <= set(columns.COLUMNS)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(cell_values, max_size=len(HEADERS) + 3), min_size=1, max_size=8))
def test_one_parser_for_a_whole_file_gives_what_parsing_each_row_afresh_gives(rows):
    # RowParser remembers each column's parsed values across rows (imports read 100,000 rows with one).
    mapping = {i: columns.match_header(h) for i, h in enumerate(HEADERS) if columns.match_header(h)}
    parser = RowParser(mapping, HEADERS, formulas={(2, 0)})
    for n, row in enumerate(rows + rows, start=2):  # every value twice: the second time it is remembered
        once, afresh = parser.parse(n, row), parse_row(n, row, mapping, HEADERS, formulas={(2, 0)})
        if afresh is None:
            assert once is None
            continue
        assert (once.values, once.cols, once.errors, once.warnings) == \
            (afresh.values, afresh.cols, afresh.errors, afresh.warnings)
        for value in once.values.values():  # a remembered list is the row's own copy
            if isinstance(value, list):
                value.append("changed")
        assert parser.parse(n, row).values == afresh.values


csv_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(csv_text, min_size=3, max_size=3), min_size=1, max_size=6),
       st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
def test_the_csv_reader_reads_back_what_was_written_or_refuses_with_a_message(tmp_path_factory, body, encoding):
    import csv

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["姓名", "身份证号", "申请入党时间"])
    writer.writerows(body)
    path = tmp_path_factory.mktemp("fuzz") / "x.csv"
    try:
        path.write_bytes(buf.getvalue().encode(encoding))
    except UnicodeEncodeError:
        return
    try:
        table = reader.open_table(path)
    except reader.LedgerFileError as exc:
        assert str(exc)
        return
    assert table.headers[:3] == ["姓名", "身份证号", "申请入党时间"]
    got = [row for _, row in table.rows()]
    mapping = columns.guess_mapping(table.headers)
    for n, row in enumerate(got, start=2):
        parse_row(n, row, mapping, table.headers)


@given(st.integers(min_value=0, max_value=16_383))
def test_column_letters_and_indexes_are_inverse(index):
    from dangjian.ledgers.cells import column_index, column_letter

    assert column_index(column_letter(index)) == index
    assert column_index(column_letter(index).lower()) == index


def test_column_letters_at_their_boundaries():
    from dangjian.ledgers.cells import column_index, column_letter

    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
    assert column_index("XFD") == 16_383
