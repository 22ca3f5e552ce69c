"""The organization tree, and another township's page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from dangjian.core.scope import subtree_q
from dangjian.orgs.models import Organization
from dangjian.people.models import Person
from tests.browser.pages import login

pytestmark = pytest.mark.browser


def _members(org) -> int:
    return Person.objects.filter(subtree_q(org.path, "org_path"),
                                 party_status__in=("full_member", "probationary")).count()


def _node(page, name: str):
    """The <li> of one organization (its own link, not a descendant's)."""
    return page.locator(f"xpath=//li[a[normalize-space()='{name}'] or details/summary/a[normalize-space()='{name}']]")


def test_the_tree_shows_the_township_and_its_villages_with_member_counts(page, demo):
    children = list(Organization.objects.filter(parent=demo.town).order_by("path"))
    assert len(children) >= 20
    login(page, demo, "town_organizer")

    page.goto(f"{demo.url}/orgs/")

    root = _node(page, demo.town.name)
    expect(root).to_have_count(1)
    expect(root.locator(".counts").first).to_contain_text(f"党员 {_members(demo.town)}")
    for child in children:
        node = _node(page, child.name)
        expect(node).to_be_visible()
        expect(node.locator(".counts").first).to_contain_text(f"党员 {_members(child)}")
    assert sum(_members(c) for c in children) == _members(demo.town)
    expect(page.locator(".org-tree")).not_to_contain_text(demo.other_town.name)


def test_a_village_page_opens_from_the_tree(page, demo):
    village = demo.village
    login(page, demo, "town_organizer")
    page.goto(f"{demo.url}/orgs/")

    _node(page, village.name).get_by_role("link", name=village.name, exact=True).click()

    expect(page.locator("h1")).to_have_text(village.name)
    expect(page.locator(".stat-card", has=page.get_by_text("党员", exact=True)).locator(".value")).to_have_text(
        str(_members(village)))


def test_another_townships_page_answers_not_found(page, demo):
    login(page, demo, "town_organizer")

    response = page.goto(f"{demo.url}/orgs/{demo.other_town.code}/")

    assert response.status == 404
    expect(page.locator("h1")).to_have_text("未找到")
    expect(page.locator("body")).not_to_contain_text(demo.other_town.name)
