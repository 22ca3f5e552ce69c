"""Journey 4: a township brings its history in — uploads an old .xls ledger, corrects the column mapping, reads
the preview with every problem by row, commits, and sees the historical faults flagged, not refused. The jobs run
in a thread of the live server, as on a development server: the page polls their progress as it would in
production (a subprocess would open the project's database, not the test database)."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from dangjian.development.models import Dossier, Finding
from dangjian.people import idnumber
from dangjian.people.models import Person
from tests.browser.pages import login
from tests.ledgers.files import spreadsheet

pytestmark = pytest.mark.browser

NAMES = ["欧阳台账", "司徒台账", "上官台账"]


def _ledger(tmp_path, branch_code: str):
    header = ["序号", "姓名", "性别", "身份证号", "所在党支部", "申请日", "谈话时间", "谈话人", "确定为入党积极分子时间"]
    rows = [header]
    for i, name in enumerate(NAMES):
        number = idnumber.make("522731", dt.date(1996, 3, 3 + i), 201 + 2 * i)
        talk = "2022-05-20" if i == 0 else "2022.3.15"  # the first talk came too late (N-TALK-1M), years ago
        rows.append([i + 1, name, "男", number, branch_code, "2022/3/1", talk, "王书记", "2022年9月5日"])
    return spreadsheet(tmp_path / "旧台账.xls", rows)


def test_a_township_uploads_an_old_xls_fixes_the_mapping_previews_and_commits(page, demo, tmp_path, settings):
    settings.LEDGER_JOB_RUNNER = "thread"
    settings.LEDGER_DIR = tmp_path / "ledgers"
    path = _ledger(tmp_path, demo.village.code)
    login(page, demo, "town_organizer")
    page.goto(f"{demo.url}/ledgers/")
    page.get_by_role("link", name="导入台账").click()
    page.set_input_files("#id_file", str(path))
    page.get_by_role("button", name="上传").click()

    expect(page.get_by_text("确认各列的对应关系")).to_be_visible(timeout=30_000)
    expect(page.locator("select[name=col_5]")).to_have_value("")  # "申请日" is not a known header
    expect(page.locator("select[name=col_3]")).to_have_value("id_number")
    page.select_option("select[name=col_5]", "S01")
    page.select_option("select[name=kind]", "activist")
    page.get_by_role("button", name="确认列，开始检查").click()

    expect(page.locator("#count-created")).to_have_text("3", timeout=30_000)
    expect(page.locator("#preview-errors")).to_have_count(0)
    expect(page.get_by_text("N-TALK-1M").first).to_be_attached()
    assert Person.objects.filter(name__in=NAMES).count() == 0  # the preview wrote nothing

    page.locator("#commit").click()
    expect(page.locator("#import-done")).to_be_visible(timeout=30_000)
    people = Person.objects.filter(name__in=NAMES)
    assert people.count() == 3 and {p.party_status for p in people} == {"activist"}
    late = Dossier.objects.get(person__name=NAMES[0])
    assert Finding.objects.filter(dossier=late, code="N-TALK-1M", severity="E").exists()
    assert late.records.filter(step="S02", mode="past").exists()
