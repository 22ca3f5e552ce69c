"""Journey 3 of JOURNEYS.md, the archive audit (issue 6 part B): the county admin opens a round, draws the
sample with a recorded seed and records a problem; the township organizer rectifies with a photo from his
phone; the county re-checks and closes it, then closes the round."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from dangjian.archives import samples
from dangjian.archives.models import AuditProblem, AuditRound
from tests.browser.conftest import PHONE, _context
from tests.browser.pages import login, no_horizontal_overflow

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _archive_dir(settings, tmp_path):
    settings.ARCHIVE_DIR = tmp_path / "archives"


def test_the_county_audits_archives_the_township_rectifies_and_the_county_closes(page, chromium, demo):
    login(page, demo, "county_admin")
    page.goto(f"{demo.url}/archives/audits/")
    page.fill("#id_name", "浏览器测试档案审查")
    # Issue 6: at least 20 per township (the browser keeps fewer from being sent; the server refuses it too,
    # tests/archives/test_audits.py).
    expect(page.locator("#id_per_township")).to_have_attribute("min", "20")
    page.fill("#id_per_township", "20")
    with page.expect_navigation():
        page.get_by_role("button", name="开始审查").click()
    expect(page.get_by_role("heading", name="浏览器测试档案审查")).to_be_visible()
    page.fill("#id_seed", "20260630")
    with page.expect_navigation():
        page.get_by_role("button", name="抽取档案").click()
    expect(page.locator("#round-summary")).to_contain_text("发现问题0个，已整改0个")
    rnd = AuditRound.objects.get(name="浏览器测试档案审查")
    assert rnd.seed == 20260630
    expect(page.get_by_text("随机种子 20260630")).to_be_visible()
    town = demo.town.name
    page.locator("summary", has_text=town).locator("xpath=..").locator("a").first.click()
    page.wait_for_url("**/archives/samples/**")
    page.select_option("#id_problem_type", "unsigned")
    page.select_option("#id_step", "S07")
    page.fill("#id_note", "支委会会议记录无记录人签名")
    with page.expect_navigation():
        page.get_by_role("button", name="记录问题", exact=True).click()
    expect(page.get_by_text("已记录问题。")).to_be_visible()
    problem = AuditProblem.objects.get(round=rnd, note="支委会会议记录无记录人签名")
    assert problem.township.name == town

    # The township organizer, on his phone, finds it among his problems and answers with a photo.
    context = _context(chromium, **PHONE)
    phone = context.new_page()
    login(phone, demo, "town_organizer")
    phone.goto(f"{demo.url}/archives/problems/?status=open")
    phone.locator(f"a[href='/archives/problems/{problem.pk}/']").click()
    phone.fill("#id_answer", "已请记录人补签并注明日期")
    phone.set_input_files("#id_file", files=[{"name": "photo.png", "mimeType": "image/png",
                                              "buffer": samples.png_bytes()}])
    with phone.expect_navigation():
        phone.get_by_role("button", name="提交整改").click()
    expect(phone.locator("#problem-status")).to_have_text("已整改待复核")
    expect(phone.get_by_text("整改材料（PNG 图片）")).to_be_visible()
    assert no_horizontal_overflow(phone)
    # The dossier page loads its archive block (checklist, completeness, the upload form with the camera).
    phone.goto(f"{demo.url}/dossiers/{problem.sample.dossier_id}/")
    expect(phone.locator("#archive-block")).to_contain_text("完整率")
    expect(phone.locator("#archive-block input[type=file][capture=environment]")).to_have_count(1)
    context.close()

    # The county re-checks and closes it; the round's sentence counts it as rectified.
    page.goto(f"{demo.url}/archives/problems/{problem.pk}/")
    page.get_by_label("整改到位，销号").check()
    with page.expect_navigation():
        page.get_by_role("button", name="提交复核结论").click()
    expect(page.locator("#problem-status")).to_have_text("已销号")
    page.goto(f"{demo.url}/archives/audits/{rnd.pk}/")
    expect(page.locator("#round-summary")).to_contain_text("发现问题1个，已整改1个")

    # Every problem is closed: the county closes the round, which then reads as closed with its sentence.
    archives = rnd.samples.count()
    with page.expect_navigation():
        page.get_by_role("button", name="结束本轮审查").click()
    expect(page.get_by_text("本轮审查已结束。")).to_be_visible()
    expect(page.locator("#round-status")).to_have_text("已结束")
    expect(page.locator("#round-summary")).to_contain_text(f"审查档案{archives}份，发现问题1个，已整改1个")
    expect(page.get_by_role("button", name="结束本轮审查")).to_have_count(0)
    rnd.refresh_from_db()
    assert rnd.status == "closed" and rnd.closed_at is not None
    page.goto(f"{demo.url}/archives/audits/")
    item = page.locator("a.list-group-item", has_text="浏览器测试档案审查")
    expect(item).to_contain_text("已结束")
    expect(item).to_contain_text(f"审查档案{archives}份，发现问题1个，已整改1个")
