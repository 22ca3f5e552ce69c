"""Registering a person: a wrong check digit is refused in Chinese and writes nothing; a valid one is created."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from dangjian.core import crypto
from dangjian.core.models import AuditEntry
from dangjian.people import idnumber
from dangjian.people.models import Person
from tests.browser.pages import login

pytestmark = pytest.mark.browser

NAME = "欧阳明远"


def _numbers() -> tuple[str, str]:
    valid = idnumber.make("522730", dt.date(1996, 3, 12), 123)
    wrong = valid[:17] + next(c for c in "0123456789X" if c != valid[17])
    return valid, wrong


def _fill(page, demo, number: str) -> None:
    page.get_by_label("姓名").fill(NAME)
    page.get_by_label("公民身份号码").fill(number)
    page.get_by_label("所在党组织").select_option(demo.village.code)
    page.get_by_label("联系电话").fill("13800138000")


def test_a_wrong_check_digit_is_refused_and_nothing_is_written(page, demo):
    valid, wrong = _numbers()
    people_before = Person.objects.count()
    login(page, demo, "town_organizer")
    page.goto(f"{demo.url}/people/new/")
    audit_before = AuditEntry.objects.count()  # after the login, which is audited

    _fill(page, demo, wrong)
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="保存").click()

    assert posted.value.status == 400
    error = page.locator(".text-danger[role=alert]")
    expect(error).to_contain_text("公民身份号码")
    expect(error).to_contain_text("校验位")
    assert page.url == f"{demo.url}/people/new/"
    assert Person.objects.count() == people_before
    assert not Person.objects.filter(name=NAME).exists()
    assert not AuditEntry.objects.filter(action="person.create").exists()
    assert AuditEntry.objects.count() == audit_before


def test_a_valid_person_is_created_and_opens_on_its_page(page, demo):
    valid, _ = _numbers()
    login(page, demo, "town_organizer")
    page.goto(f"{demo.url}/people/new/")

    _fill(page, demo, valid)
    page.get_by_role("button", name="保存").click()

    expect(page.locator("h1")).to_contain_text(NAME)
    person = Person.objects.get(id_number_hash=crypto.blind_index(valid))
    assert page.url == f"{demo.url}/people/{person.pk}/"
    expect(page.locator(".alert")).to_contain_text(f"已登记：{NAME}")
    assert person.name == NAME and person.organization_id == demo.village.pk
    # Birth date and gender came from the number.
    assert person.birth_date == dt.date(1996, 3, 12) and person.gender == "male"
    expect(page.locator("main")).to_contain_text(idnumber.mask(valid))
    assert valid not in page.content()
