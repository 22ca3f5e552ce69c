"""A village secretary on a phone: log in, find a person by pinyin initials, open the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from dangjian.core import crypto
from dangjian.core.scope import subtree_q
from dangjian.people.models import Person
from dangjian.people.selectors import PersonFilter, person_list
from tests.browser.pages import MASKED_ID, login, no_horizontal_overflow

pytestmark = pytest.mark.browser


def _person_to_find(demo) -> tuple[Person, str]:
    """A person of the secretary's village whose name is unique there, and his first initials key."""
    people = list(Person.objects.filter(subtree_q(demo.village.path, "org_path")).order_by("id"))
    names = [p.name for p in people]
    person = next(p for p in people if names.count(p.name) == 1 and len(p.name) == 3)
    return person, person.name_initials.split()[0]


def test_a_village_secretary_finds_a_person_by_initials_on_a_phone(phone, demo):
    person, initials = _person_to_find(demo)
    expected = person_list(user=demo.users["village_secretary"], filters=PersonFilter(q=initials)).count()
    full_number = crypto.decrypt(person.id_number_enc)

    login(phone, demo, "village_secretary")
    expect(phone.locator("h1")).to_have_text(demo.village.name)
    assert no_horizontal_overflow(phone)

    phone.get_by_placeholder("查找人员").fill(initials)
    with phone.expect_navigation():
        phone.get_by_role("button", name="查找").click()

    assert f"q={initials}" in phone.url
    expect(phone.locator("#results")).to_contain_text(f"共 {expected} 人")
    assert no_horizontal_overflow(phone)
    phone.locator("#results").get_by_role("link", name=person.name, exact=True).click()

    expect(phone.locator("h1")).to_contain_text(person.name)
    shown = phone.locator("dt:text-is('公民身份号码') + dd").inner_text().split()[0]
    assert MASKED_ID.match(shown), shown
    assert shown == person.id_number_masked
    assert full_number not in phone.content()
    # A village secretary may not reveal the full number.
    expect(phone.get_by_role("button", name="显示完整号码")).to_have_count(0)
    assert no_horizontal_overflow(phone)


def test_a_village_secretary_sees_only_his_village_in_the_list(phone, demo):
    outsider = Person.objects.exclude(subtree_q(demo.village.path, "org_path")).order_by("id").first()
    login(phone, demo, "village_secretary")

    response = phone.goto(f"{demo.url}/people/{outsider.pk}/")

    assert response.status == 404
    expect(phone.locator("h1")).to_have_text("未找到")
    assert no_horizontal_overflow(phone)
