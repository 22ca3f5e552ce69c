"""Logging in, the start page, and the demo banner on every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from dangjian.core.models import Installation
from dangjian.core.scope import subtree_q
from dangjian.people.models import Person
from tests.browser.pages import login

pytestmark = pytest.mark.browser


def _count(org, *statuses: str) -> int:
    return Person.objects.filter(subtree_q(org.path, "org_path"), party_status__in=statuses).count()


def test_a_wrong_password_is_refused_in_chinese(page, demo):
    login(page, demo, "town_organizer", "Wrong-2026")

    assert page.url.startswith(f"{demo.url}/accounts/login/")
    expect(page.locator(".alert-danger")).to_contain_text("用户名或密码错误")
    expect(page.locator("h1")).to_have_text("登录")


def test_a_township_organizer_lands_on_his_townships_start_page_with_its_counts(page, demo):
    login(page, demo, "town_organizer")

    assert page.url == f"{demo.url}/"
    expect(page.locator("h1")).to_have_text(demo.town.name)
    cards = {
        label: page.locator(".stat-card", has=page.get_by_text(label, exact=True)).locator(".value")
        for label in ("党员", "入党申请人", "入党积极分子", "发展对象", "预备党员", "正式党员")
    }
    expect(cards["党员"]).to_have_text(str(_count(demo.town, "full_member", "probationary")))
    expect(cards["入党申请人"]).to_have_text(str(_count(demo.town, "applicant")))
    expect(cards["入党积极分子"]).to_have_text(str(_count(demo.town, "activist")))
    expect(cards["正式党员"]).to_have_text(str(_count(demo.town, "full_member")))
    assert _count(demo.town, "full_member") > 0
    # The villages of the township are listed under it; another township is not.
    expect(page.locator("main")).not_to_contain_text(demo.other_town.name)


def test_every_page_of_a_demo_installation_shows_the_demo_banner(page, demo):
    person = Person.objects.filter(subtree_q(demo.town.path, "org_path")).order_by("id").first()
    village = demo.village
    banner = page.locator(".demo-banner")

    page.goto(f"{demo.url}/accounts/login/")
    expect(banner).to_contain_text("演示数据")
    login(page, demo, "town_organizer")
    for path in ("/", "/orgs/", f"/orgs/{village.code}/", "/people/", "/people/?q=wang", f"/people/{person.pk}/",
                 "/people/new/", f"/people/{person.pk}/edit/", "/accounts/password/",
                 f"/orgs/{demo.other_town.code}/"):
        page.goto(f"{demo.url}{path}")
        expect(banner, f"横幅缺失：{path}").to_contain_text("演示数据")


def test_the_banner_follows_the_installation_row(page, demo):
    Installation.objects.update(is_demo=False)
    login(page, demo, "town_organizer")

    expect(page.locator("h1")).to_have_text(demo.town.name)
    expect(page.locator(".demo-banner")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("演示数据")
