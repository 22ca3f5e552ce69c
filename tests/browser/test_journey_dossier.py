"""Journey 1 and 2 of JOURNEYS.md through issue 3: a village secretary records one person from the application
to full membership step by step; he is refused when making her a candidate too early, with the earliest date
shown; the township organizer records the committee's approval and its conversion approval."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from dangjian.development.models import Dossier, Finding
from dangjian.people import idnumber
from dangjian.people.models import Person
from dangjian.rules import add_months, add_years
from tests.browser.pages import login

pytestmark = pytest.mark.browser

NAME = "司马秀英"


def _plan(today: dt.date) -> list[tuple[str, str, dt.date, dict]]:
    """(who, step, date, fields) for a record with no fault, ending well before today."""
    s01 = today - dt.timedelta(days=1000)
    a = s01 + dt.timedelta(days=100)
    d = add_years(a, 1) + dt.timedelta(days=10)
    m = d + dt.timedelta(days=60)
    p = m + dt.timedelta(days=20)
    end = add_years(m, 1)
    meeting = {"full_members": "20", "present_full": "16", "yes_full": "15", "ballot": "secret",
               "individually_voted": True, "candidates_on_agenda": "1"}
    vs, to = "village_secretary", "town_organizer"
    return [
        (vs, "S01", s01, {}),
        (vs, "S02", s01 + dt.timedelta(days=10), {"talker": "王书记", "talker_role": "secretary"}),
        (vs, "S03", a, {"decided_by": "branch_committee", "nomination": ["party_member", "mass_org"]}),
        (to, "S04", a + dt.timedelta(days=3), {}),
        (vs, "S05", a + dt.timedelta(days=3), {"mentor1_name": "甲", "mentor1_status": "full",
                                               "mentor2_name": "乙", "mentor2_status": "full"}),
        (vs, "S06", add_months(a, 6) - dt.timedelta(days=5), {"rating": "good"}),
        (vs, "S06", add_months(a, 12) - dt.timedelta(days=5), {"rating": "good"}),
        (vs, "S07", d, {"opinions_heard": (d - dt.timedelta(days=2)).isoformat()}),
        (to, "S08", d + dt.timedelta(days=5), {}),
        (vs, "S09", d + dt.timedelta(days=6), {"introducer1_name": "甲", "introducer1_status": "full",
                                               "introducer1_discipline": "none", "introducer2_name": "乙",
                                               "introducer2_status": "full", "introducer2_discipline": "none"}),
        (vs, "S10", d + dt.timedelta(days=20), {"result": "pass"}),
        (vs, "S11", d + dt.timedelta(days=32), {"start": (d + dt.timedelta(days=30)).isoformat(), "days": "3",
                                                "hours": "24", "organizer": "primary_committee"}),
        (vs, "S12", d + dt.timedelta(days=40), {}),
        (to, "S13", d + dt.timedelta(days=45), {"result": "pass", "written_notice": True}),
        (vs, "S14", d + dt.timedelta(days=48), {"issued": (d + dt.timedelta(days=46)).isoformat()}),
        (vs, "S15", m, meeting),
        (to, "S16", m + dt.timedelta(days=5), {"talker": "李组织员", "talker_role": "organizer"}),
        (to, "S17", p, {"body_type": "township_committee", "mode": "collective_meeting"}),
        (to, "S18", p + dt.timedelta(days=2), {}),
        (vs, "S19", p + dt.timedelta(days=3), {}),
        (vs, "S20", p + dt.timedelta(days=5), {}),
        (vs, "S21", p + dt.timedelta(days=100), {}),
        (vs, "S22", end - dt.timedelta(days=10), {}),
        (vs, "S23", end, {**meeting, "decision": "on_time", "recorded_full_member_date": end.isoformat()}),
        (to, "S24", end + dt.timedelta(days=15), {}),
        (vs, "S25", end + dt.timedelta(days=25), {"items": ["入党志愿书", "入党申请书", "政治审查材料", "转正申请书",
                                                            "培养教育考察材料"]}),
    ]


def _fill(page, fields: dict) -> None:
    for name, value in fields.items():
        loc = page.locator(f"[name={name}]")
        if isinstance(value, list):
            for v in value:
                page.locator(f"input[name={name}][value='{v}']").check()
        elif value is True:
            loc.check()
        elif loc.first.evaluate("e => e.tagName") == "SELECT":
            loc.select_option(value)
        else:
            loc.fill(value)


def _record(page, demo, dossier_id: int, step: str, date: dt.date, fields: dict) -> None:
    page.goto(f"{demo.url}/dossiers/{dossier_id}/steps/{step}/")
    page.locator("[name=date]").fill(date.isoformat())
    _fill(page, fields)
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    assert page.url == f"{demo.url}/dossiers/{dossier_id}/", f"{step} 未保存：{page.locator('main').inner_text()[:900]!r}"


def test_a_person_goes_from_application_to_full_membership(chromium, demo):
    today = dt.date.today()
    plan = _plan(today)
    number = idnumber.make("522730", dt.date(1998, 4, 9), 202)
    contexts = {u: chromium.new_context(locale="zh-CN") for u in ("village_secretary", "town_organizer")}
    pages = {u: c.new_page() for u, c in contexts.items()}
    for u, pg in pages.items():
        pg.set_default_timeout(15_000)
        login(pg, demo, u)

    # The secretary registers her and opens her dossier.
    vs = pages["village_secretary"]
    vs.goto(f"{demo.url}/people/new/")
    vs.get_by_label("姓名").fill(NAME)
    vs.get_by_label("公民身份号码").fill(number)
    with vs.expect_navigation():
        vs.get_by_role("button", name="保存").click()
    with vs.expect_navigation():
        vs.get_by_role("button", name="建立发展党员档案").click()
    dossier = Dossier.objects.get(person__name=NAME)

    for who, step, date, fields in plan:
        if step == "S07":
            # Too early first: refused, with the earliest date the rule accepts.
            early = date - dt.timedelta(days=30)
            vs.goto(f"{demo.url}/dossiers/{dossier.pk}/steps/S07/")
            vs.locator("[name=date]").fill(early.isoformat())
            _fill(vs, fields)
            vs.get_by_role("button", name="保存").click()
            alert = vs.locator(".alert-danger")
            expect(alert).to_contain_text("不能按时记录")
            expect(alert).to_contain_text(add_years(plan[2][2], 1).isoformat())
            assert Dossier.objects.get(pk=dossier.pk).status == "activist"
        _record(pages[who], demo, dossier.pk, step, date, fields)

    dossier.refresh_from_db()
    person = Person.objects.get(pk=dossier.person_id)
    assert dossier.status == "full_member" and person.party_status == "full_member"
    assert not Finding.objects.filter(dossier=dossier).exists(), list(Finding.objects.filter(dossier=dossier).values())
    vs.goto(f"{demo.url}/dossiers/{dossier.pk}/")
    expect(vs.locator("h1")).to_contain_text("正式党员")
    for c in contexts.values():
        c.close()
