"""The written report: the .docx opens with python-docx and states the figures; the .xlsx holds the tables;
the JSON carries them; the CLI writes the same."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from docx import Document
from openpyxl import load_workbook

from dangjian import cli
from dangjian.core.models import AuditEntry
from dangjian.people.models import Person
from tests.conftest import add_person


@pytest.fixture
def admitted(world):
    # Two admissions in 2025 (one woman, rural, 35 or under), members as the world has them.
    p = add_person(world, "n1", world.v1, "新一", male=False, birth=dt.date(1995, 1, 1), party_status="probationary",
                   status_date=dt.date(2025, 3, 1), household_type="agricultural", education="college")
    q = add_person(world, "n2", world.w1, "新二", birth=dt.date(1970, 1, 1), party_status="probationary",
                   status_date=dt.date(2025, 6, 30))
    Person.objects.filter(pk=p.pk).update(joined_on=dt.date(2025, 1, 1))
    Person.objects.filter(pk=q.pk).update(joined_on=dt.date(2025, 6, 30))
    return world


def _text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        parts += [c.text for row in t.rows for c in row.cells]
    return "\n".join(parts)


def test_the_word_report_states_the_figures_in_words_and_tables_with_charts(admitted):
    r = admitted.client("county_admin").get("/stats/report/?org=T000&as_of=2025-12-31&start=2025-01-01"
                                            "&end=2025-06-30&format=docx")
    assert r.status_code == 200
    assert "attachment" in r["Content-Disposition"]
    doc = Document(io.BytesIO(r.content))
    text = _text(doc)
    members = Person.objects.filter(party_status__in=["probationary", "full_member"]).count()
    assert members == 5
    assert "测试县委党员队伍结构和发展党员情况统计报告" in doc.paragraphs[0].text
    assert "共有2个基层党（工）委，0个党总支，3个党支部，党员5人（其中预备党员2人）" in text
    assert "35岁及以下党员4人，占党员总数的80.00%" in text  # the three world members (1990) and 新一
    assert "2025年1月1日至2025年6月30日，共发展党员2名，其中农村党员1人，占党员发展数的50.00%" in text
    assert "女党员1名，占党员发展数的50.00%" in text
    assert len(doc.inline_shapes) == 3  # the charts, as pictures
    assert AuditEntry.objects.filter(action="stats.report", object_id="T000").exists()


def test_the_excel_report_holds_the_tables(admitted):
    r = admitted.client("town_organizer").get("/stats/report/?org=T100&as_of=2025-12-31&start=2025-01-01"
                                              "&end=2025-06-30&format=xlsx")
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["说明", "党组织", "队伍结构", "年龄", "学历", "历年发展"]
    rows = list(wb["队伍结构"].values)
    assert rows[1][:3] == ("党员", 3, 1)  # T100: 张三丰, 王建国, 新一 (rural)
    assert rows[2][:2] == ("期间发展党员", 1)


def test_a_foreign_organizations_report_is_not_found(admitted):
    assert admitted.client("town_organizer").get("/stats/report/?org=T200&format=docx").status_code == 404


def test_a_bad_period_is_refused_with_a_chinese_message(admitted):
    r = admitted.client("county_admin").get("/stats/report/?org=T000&start=2025-07-01&end=2025-06-30&format=docx")
    assert r.status_code == 400
    assert "发展党员期间自：2025-07-01 晚于截止日期 2025-06-30" in r.content.decode()


def test_the_cli_writes_the_report(admitted, tmp_path, capsys):
    out = tmp_path / "r.json"
    assert cli.main(["report", "structure", "--org", "T000", "--from", "2025-01-01", "--to", "2025-06-30",
                     "--as-of", "2025-12-31", "--format", "json", "-o", str(out)]) == 0
    body = json.loads(out.read_text())
    assert body["figures"]["admissions"]["total"] == 2
    assert body["figures"]["members"]["total"] == 5
    docx = tmp_path / "r.docx"
    assert cli.main(["report", "structure", "--org", "T100", "--format", "docx", "-o", str(docx),
                     "--user", "town_organizer"]) == 0
    assert "甲镇党委" in Document(str(docx)).paragraphs[0].text
    assert cli.main(["report", "structure", "--org", "T200", "--format", "docx", "-o", str(docx),
                     "--user", "town_organizer"]) == 2


def test_the_stats_cli_rebuilds_and_verifies(admitted, capsys):
    assert cli.main(["stats", "verify"]) == 0
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("INSERT INTO stats_rollupdelta (org_path, party_status, dim, val, n) "
                    "VALUES ('0001', 'full_member', 'all', '', 5)")
    assert cli.main(["stats", "verify"]) == 1
    assert cli.main(["stats", "rebuild"]) == 0
    assert cli.main(["stats", "verify"]) == 0
    assert cli.main(["stats", "compact"]) == 0
    assert cli.main(["stats", "verify"]) == 0
