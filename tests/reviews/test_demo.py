"""The demo county's reviews data (dangjian/demo/reviews.py): departments, the 25-item negative list, the demo
reviewer account, an overdue batch with a blocking reply, kinship reports and notices."""

from __future__ import annotations

import pytest
from django.test import Client

from dangjian.core import clock
from dangjian.demo.generate import DEMO_PASSWORD
from dangjian.development.models import Finding
from dangjian.orgs.models import User
from dangjian.reviews.models import Department, KinshipReport, NegativeItem, Notice, ReviewBatch
from dangjian.reviews.selectors import overdue_replies
from tests.support import demo_county


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with demo_county(django_db_blocker) as summary:
        yield summary


@pytest.fixture
def county(demo, db):
    return demo


def test_the_demo_county_has_its_review_set_up(county):
    assert Department.objects.count() == 7
    assert NegativeItem.objects.count() == 25
    assert ReviewBatch.objects.count() == 2
    admin = User.objects.get(username="county_admin")
    overdue = list(overdue_replies(user=admin, today=clock.today()))
    assert overdue and {r.department.name for r in overdue} == {"信访"}
    assert Finding.objects.filter(code="L-NEG-LIST").exists()
    assert set(KinshipReport.objects.values_list("state", flat=True)) == {"approved", "reported"}
    assert Notice.objects.exists() and Notice.objects.filter(feedback__isnull=False).exists()


def test_the_demo_police_reviewer_logs_in_and_sees_his_open_people(county):
    client = Client()
    assert client.post("/accounts/login/", {"username": "police_reviewer", "password": DEMO_PASSWORD}).status_code == 302
    page = client.get("/reviews/inbox/").content.decode()
    assert "公安 · 联审答复" in page and "待回复" in page and "没有待回复的人员" not in page
