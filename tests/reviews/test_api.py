"""/api/reviews: a department reviewer reads his inbox and answers through the API; nobody else can."""

from __future__ import annotations

import json

import pytest

from dangjian.core import clock
from dangjian.reviews import services as svc
from dangjian.reviews.models import DepartmentReply
from tests.reviews.helpers import TODAY, D, admin, dossier_at, item, joint_review_setup, reply_of


@pytest.fixture(autouse=True)
def frozen():
    with clock.frozen(TODAY):
        yield


@pytest.fixture
def sent(world):
    setup = joint_review_setup(world)
    d = dossier_at(world, "v1_applicant", "activist")
    batch = svc.batch_create(actor=admin(world), title="联审", stage="activist", sent_on=D("2024-06-10"),
                             due_on=D("2024-06-25"), dossier_ids=[d.pk])
    return {**setup, "batch": batch, "d": d}


def test_the_reviewer_reads_his_inbox_with_masked_ids_and_his_items_only(world, sent):
    body = world.client("police_reviewer").get("/api/reviews/inbox").json()
    assert [r["name"] for r in body] == ["李小红"]
    assert body[0]["id_number_masked"] == world.people["v1_applicant"].id_number_masked
    assert [i["code"] for i in body[0]["items"]] == ["NL01"]
    assert world.client("county_admin").get("/api/reviews/inbox").status_code == 403


def test_the_reviewer_answers_through_the_api_and_a_bad_answer_names_the_field(world, sent):
    client = world.client("police_reviewer")
    reply = reply_of(sent["batch"], sent["d"], sent["police"])
    bad = client.post(f"/api/reviews/replies/{reply.pk}", data=json.dumps(
        {"finding": "none", "replied_on": "2024-06-20", "hits": {str(item("NL01").pk): "x"}}),
        content_type="application/json")
    assert bad.status_code == 400 and "finding" in bad.json()["errors"]
    assert DepartmentReply.objects.get(pk=reply.pk).finding == ""
    ok = client.post(f"/api/reviews/replies/{reply.pk}", data=json.dumps(
        {"finding": "blocking", "replied_on": "2024-06-20", "hits": {str(item("NL01").pk): "前科"}}),
        content_type="application/json")
    assert ok.status_code == 200
    assert ok.json()["finding"] == "blocking" and ok.json()["items"][0]["hit"] is True
    court = reply_of(sent["batch"], sent["d"], sent["court"])
    assert client.post(f"/api/reviews/replies/{court.pk}", data=json.dumps(
        {"finding": "none", "replied_on": "2024-06-20"}), content_type="application/json").status_code == 404
