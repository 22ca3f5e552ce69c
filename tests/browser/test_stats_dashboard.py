"""Journey 3 (statistics part): the county officer opens the start page's dashboard, clicks a township in the
chart to drill down to its statistics, and downloads the report as a Word document."""

from __future__ import annotations

import pytest
from docx import Document
from playwright.sync_api import expect

from tests.browser.pages import login

pytestmark = pytest.mark.browser


def test_the_county_admin_drills_from_the_dashboard_into_a_township_and_downloads_the_report(page, demo, tmp_path):
    login(page, demo, "county_admin")
    page.goto(f"{demo.url}/")
    chart = page.locator("#chart-children")
    expect(chart.locator("canvas")).to_be_visible()
    expect(page.locator("#chart-funnel canvas")).to_be_visible()
    # The first township's column, found through ECharts itself (the chart is a canvas), once it is on screen
    # and its entry animation has ended.
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(1200)
    x, y = page.evaluate("""() => {
        const el = document.getElementById('chart-children');
        const c = echarts.getInstanceByDom(el);
        const v = c.getOption().series[0].data[0];
        const [px, py] = c.convertToPixel({xAxisIndex: 0, yAxisIndex: 0}, [0, v / 2]);
        const box = el.getBoundingClientRect();
        return [box.left + px, box.top + py];
    }""")
    with page.expect_navigation():
        page.mouse.click(x, y)
    town = demo.town
    assert f"org={town.code}" in page.url
    expect(page.get_by_role("heading", level=1)).to_contain_text(town.name)
    expect(page.locator("#summary-text")).to_contain_text("共有")
    with page.expect_download() as info:
        page.locator("#report-docx").click()
    path = tmp_path / "report.docx"
    info.value.save_as(path)
    doc = Document(str(path))
    assert town.name in doc.paragraphs[0].text
    assert any("党员" in p.text and "占党员总数" in p.text for p in doc.paragraphs)


def test_the_statistics_pages_fit_a_phone(phone, demo):
    from tests.browser.pages import no_horizontal_overflow

    login(phone, demo, "town_organizer")
    for path in ("/", "/stats/", "/stats/dormant/", "/stats/quotas/"):
        phone.goto(f"{demo.url}{path}")
        assert no_horizontal_overflow(phone), path


def test_the_dashboards_warning_counts_are_the_boards_and_lead_to_them(page, demo):
    login(page, demo, "county_admin")
    page.goto(f"{demo.url}/")
    counts = [int(t) for t in page.locator("#warn-dormant span").all_inner_texts()]
    rush = int(page.locator("#warn-rush").inner_text())
    with page.expect_navigation():
        page.get_by_role("link", name="长期未发展党员的村").first.click()
    assert "/stats/dormant/" in page.url
    rows = page.locator("#board tbody tr")
    per_colour = [sum(int(rows.nth(i).locator("td").nth(c).inner_text()) for i in range(rows.count()))
                  for c in (1, 2, 3)]
    assert per_colour == counts
    page.goto(f"{demo.url}/")
    with page.expect_navigation():
        page.get_by_role("link", name="今年突击发展提示").click()
    assert page.locator(".card .badge").count() == rush
