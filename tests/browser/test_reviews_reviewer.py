"""Journey 5 of JOURNEYS.md: a department reviewer (公安) logs in on his phone, sees only the people sent to his
department, answers one of them item by item, and cannot open anything else."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from dangjian.development.models import Dossier
from dangjian.reviews.models import DepartmentReply
from tests.browser.pages import MASKED_ID, login, no_horizontal_overflow

pytestmark = pytest.mark.browser


def test_a_department_reviewer_answers_and_sees_nothing_else(phone, demo):
    page = phone
    login(page, demo, "police_reviewer")
    expect(page.get_by_text("您是联审部门审查人")).to_be_visible()
    page.goto(f"{demo.url}/reviews/inbox/")
    expect(page.get_by_role("heading", name="公安 · 联审答复")).to_be_visible()
    assert no_horizontal_overflow(page)
    open_replies = DepartmentReply.objects.filter(department__name="公安", finding="").select_related(
        "subject__dossier__person")
    reply = open_replies.order_by("id").first()
    name = reply.subject.dossier.person.name
    masked = reply.subject.dossier.person.id_number_masked
    assert MASKED_ID.match(masked)
    expect(page.get_by_text(masked).first).to_be_visible()
    page.goto(f"{demo.url}/reviews/inbox/{reply.pk}/")
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    # Tick the first item as hit, with a note; give the department's finding and the date.
    page.locator("input[type=checkbox][name^=hit_]").first.check()
    page.locator("input[name^=note_]").first.fill("2023年因寻衅滋事被行政拘留五日")
    page.get_by_label("经核实已排除").check()
    with page.expect_navigation():
        page.get_by_role("button", name="提交回复").click()
    expect(page.get_by_text(f"已回复：{name}")).to_be_visible()
    reply.refresh_from_db()
    assert reply.finding == "cleared" and reply.answers.filter(hit=True).count() == 1
    # Nothing else: another department's reply, the person's dossier and the people list.
    other = DepartmentReply.objects.exclude(department__name="公安").first()
    dossier = Dossier.objects.get(pk=reply.subject.dossier_id)
    for url in (f"/reviews/inbox/{other.pk}/", f"/dossiers/{dossier.pk}/", f"/people/{dossier.person_id}/"):
        response = page.goto(f"{demo.url}{url}")
        assert response.status == 404, url
    page.goto(f"{demo.url}/people/")
    expect(page.get_by_text(name)).to_have_count(0)
