"""The stats pages: the start page's dashboard (charts from json_script, no inline script), drill-down, the
dormant board and its export, quotas (refused posts write nothing), rush, settings, the API."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from dangjian.core import clock
from dangjian.people.models import Person
from dangjian.stats.models import Quota, StatsSettings
from tests.conftest import add_person


@pytest.fixture
def admitted(world):
    p = add_person(world, "n1", world.v1, "新一", birth=dt.date(1995, 1, 1), party_status="probationary",
                   status_date=dt.date(2025, 3, 1))
    Person.objects.filter(pk=p.pk).update(joined_on=dt.date(2025, 3, 1))
    return world


@pytest.mark.parametrize("persona, shown", [("county_admin", True), ("town_organizer", True), ("readonly", True),
                                            ("village_secretary", False)])
def test_the_start_page_shows_the_dashboard_to_county_and_township_users(admitted, persona, shown):
    page = admitted.client(persona).get("/").content.decode()
    assert ('id="dashboard-data"' in page) == shown
    if shown:
        assert "vendor/echarts/echarts.min.js" in page and "stats/dashboard.js" in page
        # CSP script-src 'self': no inline script besides the JSON data block
        assert not re.search(r"<script(?![^>]*(src=|application/json))[^>]*>", page)


def test_the_dashboard_data_drills_down_to_the_children(admitted):
    page = admitted.client("county_admin").get("/").content.decode()
    data = json.loads(re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', page,
                                re.S).group(1))
    assert [c["code"] for c in data["children"]] == ["T100", "T200"]
    assert data["children"][0]["members"] == 3 and data["children"][1]["members"] == 1
    assert dict(data["funnel"]) == {"入党申请人": 1, "入党积极分子": 1, "发展对象": 0, "预备党员": 1}
    assert data["drill"] == "/stats/?org="
    drilled = admitted.client("county_admin").get(data["drill"] + "T100").content.decode()
    assert "甲镇党委 · 党员队伍结构统计" in drilled
    assert "东村党支部" in drilled and "南村党支部" not in drilled


def test_the_dashboard_costs_a_fixed_number_of_queries(admitted):
    client = admitted.client("county_admin")
    client.get("/")
    with CaptureQueriesContext(connection) as small:
        client.get("/")
    for i in range(20):
        add_person(admitted, f"x{i}", admitted.w1 if i % 2 else admitted.v2, "加一", birth=dt.date(1980, 1, 1 + i),
                   party_status="full_member", status_date=dt.date(2010, 1, 1))
    with CaptureQueriesContext(connection) as large:
        client.get("/")
    assert len(large) == len(small)


def test_the_statistics_page_states_the_figures_and_offers_the_report(admitted):
    page = admitted.client("county_admin").get("/stats/?org=T000&as_of=2025-12-31&start=2025-01-01&end=2025-12-31")
    text = page.content.decode()
    assert page.status_code == 200
    assert "党员4人（其中预备党员1人）" in text
    assert "2025年1月1日至2025年12月31日，共发展党员1名" in text
    assert "/stats/report/?org=T000" in text and "format=docx" in text


def test_a_bad_date_names_the_field(admitted):
    r = admitted.client("county_admin").get("/stats/?org=T000&as_of=2025-13-01")
    assert r.status_code == 400
    assert "统计截至：不是有效日期" in r.content.decode()


def test_the_dormant_board_and_its_export(admitted):
    client = admitted.client("town_organizer")
    page = client.get("/stats/dormant/?org=T100").content.decode()
    assert "东村党支部" in page and "西村党支部" in page and "南村党支部" not in page
    r = client.get("/stats/dormant/?org=T100&format=xlsx")
    rows = list(load_workbook(io.BytesIO(b"".join(r.streaming_content))).active.values)
    assert rows[0][:4] == ("乡镇", "村", "最近发展党员（入党时间）", "状态")
    by_village = {row[1]: row for row in rows[1:]}
    assert by_village["西村党支部"][3] == "红"
    assert by_village["东村党支部"][2] == dt.datetime(2025, 3, 1)


def test_a_township_sets_a_village_quota_on_the_page(admitted):
    client = admitted.client("town_organizer")
    r = client.post("/stats/quotas/", {"org": "T101", "parent": "T100", "year": "2026", "total": "2", "young": "1"})
    assert r.status_code == 302
    assert Quota.objects.get().total == 2
    page = client.get("/stats/quotas/?org=T100&year=2026").content.decode()
    assert "东村党支部" in page


@pytest.mark.parametrize("persona, body, status, message", [
    ("town_organizer", {"org": "T101", "parent": "T100", "year": "2026", "total": "1", "young": "2"}, 400,
     "其中35岁及以下：2 超过发展指标 1"),
    ("town_organizer", {"org": "T101", "parent": "T100", "year": "2026", "total": "x", "young": "0"}, 400,
     "发展指标：应为整数"),
    ("town_organizer", {"org": "T201", "parent": "T100", "year": "2026", "total": "1", "young": "0"}, 404, ""),
    ("town_organizer", {"org": "T100", "parent": "T100", "year": "2026", "total": "1", "young": "0"}, 403, ""),
    ("village_secretary", {"org": "T101", "parent": "T101", "year": "2026", "total": "1", "young": "0"}, 403, ""),
    ("readonly", {"org": "T101", "parent": "T100", "year": "2026", "total": "1", "young": "0"}, 403, ""),
])
def test_a_refused_quota_post_writes_nothing(admitted, persona, body, status, message):
    r = admitted.client(persona).post("/stats/quotas/", body)
    assert r.status_code == status
    assert message in r.content.decode()
    assert not Quota.objects.exists()


def test_the_county_admin_changes_the_settings_and_bad_values_are_named(admitted):
    client = admitted.client("county_admin")
    bad = client.post("/stats/settings/", {"dormant_years": "2", "warn_years": "2", "warn_months": "12",
                                           "soon_months": "6", "rush_ratio": "1.5", "rush_days": "7",
                                           "rush_count": "3", "rush_town_count": "10"})
    assert bad.status_code == 400 and "预警（年）：应少于长期未发展（年）" in bad.content.decode()
    assert not StatsSettings.objects.exists()
    ok = client.post("/stats/settings/", {"dormant_years": "3", "warn_years": "1", "warn_months": "6",
                                          "soon_months": "4", "rush_ratio": "2", "rush_days": "5", "rush_count": "4",
                                          "rush_town_count": "8"})
    assert ok.status_code == 302
    row = StatsSettings.objects.get()
    assert (row.warn_years, row.soon_months, row.rush_town_count) == (1, 4, 8)
    bad = client.post("/stats/settings/", {"dormant_years": "3", "warn_years": "1", "warn_months": "6",
                                           "soon_months": "0", "rush_ratio": "2", "rush_days": "5", "rush_count": "4",
                                           "rush_town_count": "1"})
    assert bad.status_code == 400
    assert "应在 1 至 36 之间" in bad.content.decode() and "应在 2 至 500 之间" in bad.content.decode()
    assert StatsSettings.objects.get().soon_months == 4


def test_the_rush_page_lists_flags_with_links_to_the_dossiers(admitted):
    for i in range(3):
        p = add_person(admitted, f"r{i}", admitted.w1, f"突击{'甲乙丙'[i]}", birth=dt.date(1990, 1, 1 + i),
                       party_status="probationary", status_date=dt.date(2025, 5, 1))
        Person.objects.filter(pk=p.pk).update(joined_on=dt.date(2025, 5, 1 + i))
    page = admitted.client("other_town_organizer").get("/stats/rush/?org=T200&year=2025").content.decode()
    assert "集中发展" in page and "突击甲" in page and "突击丙" in page
    assert "突击甲" not in admitted.client("town_organizer").get("/stats/rush/?org=T100&year=2025").content.decode()


def test_the_api_gives_the_same_figures(admitted):
    body = admitted.client("town_organizer").get("/api/stats/T100?as_of=2025-12-31&start=2025-01-01").json()
    assert body["figures"]["members"]["total"] == 3
    assert body["figures"]["admissions"]["total"] == 1
    assert admitted.client("town_organizer").get("/api/stats/T200").status_code == 404


def _children_table(page: str) -> dict[str, tuple[int, int, int]]:
    table = re.search(r'<table[^>]*id="children-table".*?</table>', page, re.S).group(0)
    return {name: (int(a), int(b), int(c)) for name, a, b, c in re.findall(
        r'<a href="[^"]*">([^<]+)</a></td><td class="text-end">(\d+)</td><td class="text-end">(\d+)</td>'
        r'<td class="text-end">(\d+)</td>', table)}


def test_the_childrens_table_counts_as_at_the_report_date_like_the_summary(admitted):
    client = admitted.client("county_admin")
    past = client.get("/stats/?org=T000&as_of=2025-02-28&start=2025-01-01&end=2025-12-31").content.decode()
    # 新一 was admitted on 2025-03-01 (no dossier: in no stage on 2025-02-28); the summary says the same.
    assert "党员3人" in past
    assert _children_table(past) == {"甲镇党委": (2, 1, 1), "乙镇党委": (1, 1, 0)}
    now = client.get("/stats/?org=T000&start=2025-01-01&end=2025-12-31").content.decode()
    assert _children_table(now) == {"甲镇党委": (3, 2, 1), "乙镇党委": (1, 1, 0)}


def test_the_dashboard_counts_dormant_villages_and_rush_admissions_among_the_warnings(admitted):
    for i in range(3):
        p = add_person(admitted, f"r{i}", admitted.w1, f"突击{'甲乙丙'[i]}", birth=dt.date(1990, 1, 1 + i),
                       party_status="probationary", status_date=dt.date(2026, 5, 1))
        Person.objects.filter(pk=p.pk).update(joined_on=dt.date(2026, 5, 1 + i))
    with clock.frozen(dt.date(2026, 6, 30)):
        page = admitted.client("county_admin").get("/").content.decode()
        mine = admitted.client("town_organizer").get("/").content.decode()
    # 东村 last admitted 2025-03-01: yellow; 西村 never: red; 南村 2026: green, with a burst of three.
    assert re.search(r'id="warn-dormant"><span[^>]*>1</span> / <span[^>]*>0</span> / <span[^>]*>1</span>', page)
    assert re.search(r'id="warn-rush">1<', page) and "支部集中 1" in page
    assert re.search(r'id="warn-rush">0<', mine)


def test_a_provinces_start_page_leaves_the_warning_counts_to_the_boards(admitted):
    from dangjian.core.audit import Actor
    from dangjian.orgs.models import OrgKind, Role
    from dangjian.orgs.services import org_create, user_create
    from tests.conftest import PASSWORD

    prov = org_create(actor=Actor(), code="P000", name="测试省委", kind=OrgKind.PROVINCE, check_scope=False)
    admitted.users["province"] = user_create(actor=Actor(), username="province", password=PASSWORD,
                                             organization=prov, role=Role.READONLY, must_change_password=False)
    page = admitted.client("province").get("/").content.decode()
    assert 'id="dashboard-data"' in page and 'id="warn-dormant"' not in page
    assert 'id="warn-dormant"' in admitted.client("readonly").get("/").content.decode()
