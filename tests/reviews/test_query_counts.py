"""The reviews list pages make a number of queries that does not grow with the people on them (STYLE.md)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.core import clock
from dangjian.core.audit import Actor
from dangjian.reviews import services as svc
from tests.conftest import add_person
from tests.reviews.helpers import TODAY, D, admin, dossier_at, joint_review_setup


@pytest.fixture(autouse=True)
def frozen():
    with clock.frozen(TODAY):
        yield


def _fill(world, keys):
    """Activists sent to 联审, reported as near relatives and put on a notice."""
    dossiers = [dossier_at(world, k, "activist") for k in keys]
    svc.batch_create(actor=admin(world), title=f"联审{len(keys)}", stage="activist", sent_on=D("2024-06-10"),
                     due_on=D("2024-06-25"), dossier_ids=[d.pk for d in dossiers])
    for d in dossiers:
        svc.kinship_report(actor=admin(world), dossier_id=d.pk, cadre_name="李", cadre_post="村委会主任",
                           relation="parent", reported_on=D("2024-06-01"))
    svc.notice_create(actor=Actor(user=world.users["county_admin"]), inp=svc.NoticeInput(
        org_code="T000", point="activist", start=D("2024-06-03"), working_days=5, contact_phone="1",
        feedback_address="x", dossier_ids=[d.pk for d in dossiers]))


def _count(client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


URLS = {"county_admin": ["/reviews/", "/reviews/batches/", "/reviews/kinship/", "/reviews/notices/",
                         "/reviews/county-review/", "/reviews/items/", "/reviews/departments/"],
        "police_reviewer": ["/reviews/inbox/"]}


def test_the_review_pages_do_not_grow_with_the_people_on_them(world):
    joint_review_setup(world)
    _fill(world, ["v1_applicant"])
    from dangjian.reviews.models import ReviewBatch

    small = {url: _count(world.client(p), url) for p, urls in URLS.items() for url in urls}
    small["batch"] = _count(world.client("county_admin"), f"/reviews/batches/{ReviewBatch.objects.get().pk}/")
    for i in range(3):
        add_person(world, f"more{i}", world.v2, f"孙{'一二三'[i]}", party_status="applicant",
                   status_date=D("2023-01-10"))
    _fill(world, ["w1_activist", "more0", "more1", "more2"])
    big = {url: _count(world.client(p), url) for p, urls in URLS.items() for url in urls}
    big["batch"] = _count(world.client("county_admin"),
                          f"/reviews/batches/{ReviewBatch.objects.order_by('-id').first().pk}/")
    assert big == small
    assert max(small.values()) <= 20


def test_the_county_re_review_page_does_not_grow_with_the_reviews_on_it(world):
    # 三级审查: S12, S13 and every county re-review on one page, in a fixed number of queries.
    d = dossier_at(world, "v1_applicant", "pre_reviewed")
    url = f"/reviews/county-review/{d.pk}/"
    client = world.client("county_admin")
    svc.county_review_record(actor=admin(world), dossier_id=d.pk, reviewed_on=D("2024-09-02"), result="fail",
                             opinion="政审材料不全", reviewer="县委组织部 刘")
    one = _count(client, url)
    for day in ("2024-09-05", "2024-09-08", "2024-09-10"):
        svc.county_review_record(actor=admin(world), dossier_id=d.pk, reviewed_on=D(day), result="pass",
                                 opinion="材料已补齐", reviewer="县委组织部 刘")
    assert _count(client, url) == one
    assert one <= 20, one
