"""Dossier pages: the timeline, a step form, refusals in Chinese, the due and findings lists; outsiders get 404."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.core import clock
from dangjian.core.audit import Actor
from dangjian.development.models import Dossier, StepRecord
from dangjian.development.services import StepInput, dossier_open, dossier_record_step

TODAY = dt.date(2025, 6, 30)


@pytest.fixture
def dossier(world):
    with clock.frozen(TODAY):
        d = dossier_open(actor=Actor(user=world.users["village_secretary"]), person_id=world.people["v1_applicant"].pk)
        dossier_record_step(actor=Actor(user=world.users["village_secretary"]), dossier_id=d.pk,
                            inp=StepInput(step="S01", date=dt.date(2025, 6, 1), data={}))
        yield d


def test_the_dossier_page_shows_the_timeline_and_the_talk_deadline(world, dossier):
    with clock.frozen(TODAY):
        r = world.client("village_secretary").get(f"/dossiers/{dossier.pk}/")
    body = r.content.decode()
    assert r.status_code == 200
    assert "S02 党组织派人谈话" in body and "期限：2025-07-01" in body
    assert "S25 材料归档" in body


def test_a_step_recorded_through_the_form_changes_the_status(world, dossier):
    c = world.client("village_secretary")
    with clock.frozen(TODAY):
        r = c.post(f"/dossiers/{dossier.pk}/steps/S02/", {"date": "2025-06-20", "talker": "王书记",
                                                          "talker_role": "secretary", "record_mode": "live"})
    assert r.status_code == 302
    assert StepRecord.objects.filter(dossier=dossier, step="S02").exists()


def test_a_live_record_that_breaks_a_rule_is_refused_with_the_reason(world, dossier):
    c = world.client("village_secretary")
    with clock.frozen(TODAY):
        # The talk must be held within a month of the application (细则第7条): 2025-06-01 → 2025-07-01 at the latest.
        r = c.post(f"/dossiers/{dossier.pk}/steps/S02/", {"date": "2025-05-20", "talker": "王书记",
                                                          "talker_role": "secretary", "record_mode": "live"})
    body = r.content.decode()
    assert r.status_code == 400
    assert "不能按时记录" in body
    assert not StepRecord.objects.filter(dossier=dossier, step="S02").exists()


def test_bad_form_input_is_named_in_chinese_and_nothing_is_saved(world, dossier):
    c = world.client("village_secretary")
    with clock.frozen(TODAY):
        r = c.post(f"/dossiers/{dossier.pk}/steps/S02/", {"date": "2025-13-01", "talker_role": "secretary",
                                                          "record_mode": "live"})
    body = r.content.decode()
    assert r.status_code == 400
    assert "谈话日期：不是有效日期" in body and "谈话人：必填" in body
    assert not StepRecord.objects.filter(dossier=dossier, step="S02").exists()


@pytest.mark.parametrize("url", ["/dossiers/{pk}/", "/dossiers/{pk}/steps/S02/"])
def test_another_township_gets_404_for_the_dossier(world, dossier, url):
    r = world.client("other_town_organizer").get(url.format(pk=dossier.pk))
    assert r.status_code == 404


def test_another_township_cannot_record_a_step(world, dossier):
    r = world.client("other_town_organizer").post(f"/dossiers/{dossier.pk}/steps/S02/", {
        "date": "2025-06-20", "talker": "x", "talker_role": "secretary", "record_mode": "live"})
    assert r.status_code == 404
    assert not StepRecord.objects.filter(dossier=dossier, step="S02").exists()


def test_the_due_list_shows_the_talk_and_exports_xlsx(world, dossier):
    import io

    from openpyxl import load_workbook

    c = world.client("town_organizer")
    with clock.frozen(TODAY):
        r = c.get("/dossiers/due/")
        x = c.get("/dossiers/due/?format=xlsx")
    assert "李小红" in r.content.decode() and "谈话" in r.content.decode()
    ws = load_workbook(io.BytesIO(b"".join(x.streaming_content))).active
    rows = list(ws.values)
    assert rows[0][:2] == ("期限", "事项")
    assert rows[1][0] == dt.datetime(2025, 7, 1) and rows[1][3] == "李小红"
    assert ws.freeze_panes == "A2"
    other = world.client("other_town_organizer").get("/dossiers/due/")
    assert "李小红" not in other.content.decode()


def test_the_findings_list_of_another_township_does_not_show_this_dossier(world, dossier):
    with clock.frozen(dt.date(2025, 8, 1)):
        from dangjian.development.services import dossier_recheck

        dossier_recheck(actor=Actor())
        mine = world.client("town_organizer").get("/dossiers/findings/")
        theirs = world.client("other_town_organizer").get("/dossiers/findings/")
    assert "N-TALK-1M" in mine.content.decode()
    assert "李小红" not in theirs.content.decode()


def test_a_person_page_offers_to_open_a_dossier_and_opening_it_works(world):
    c = world.client("village_secretary")
    p = world.people["v1_applicant"]
    assert "建立发展党员档案" in c.get(f"/people/{p.pk}/").content.decode()
    r = c.post(f"/dossiers/start/{p.pk}/")
    assert r.status_code == 302 and Dossier.objects.filter(person=p).exists()
    assert world.client("other_town_organizer").post(f"/dossiers/start/{world.people['v2_member'].pk}/").status_code == 404


def test_the_api_lists_and_records_within_scope(world, dossier):
    c = world.client("village_secretary")
    with clock.frozen(TODAY):
        lst = c.get("/api/dossiers").json()
        r = c.post(f"/api/dossiers/{dossier.pk}/steps", {"step": "S02", "date": "2025-06-20", "data": {
            "talker": "王书记", "talker_role": "secretary"}}, content_type="application/json")
        bad = c.post(f"/api/dossiers/{dossier.pk}/steps", {"step": "S03", "date": "2025-06-21", "data": {}},
                     content_type="application/json")
    assert lst["count"] == 1 and lst["items"][0]["id"] == dossier.pk
    assert r.status_code == 201 and any(x["step"] == "S02" for x in r.json()["records"])
    assert bad.status_code == 400 and "decided_by" in bad.json()["errors"]
    assert world.client("other_town_organizer").get(f"/api/dossiers/{dossier.pk}").status_code == 404
    assert world.client("other_town_organizer").get("/api/dossiers").json()["count"] == 0


def test_the_approval_form_keeps_its_own_mode_field_apart_from_the_record_mode(world, dossier):
    from dangjian.development.forms import StepForm

    form = StepForm("S17", {"date": "2025-06-20", "body_type": "township_committee", "mode": "collective_meeting",
                            "record_mode": "past"})
    assert form.is_valid(), form.errors
    assert form.step_data()["mode"] == "collective_meeting" and form.cleaned_data["record_mode"] == "past"


def test_a_repeatable_record_is_corrected_in_place_not_added(world, dossier):
    c = world.client("town_organizer")
    with clock.frozen(TODAY):
        page = c.get(f"/dossiers/{dossier.pk}/steps/S01/?seq=1")
        assert "修改第 1 条记录" in page.content.decode() and 'value="2025-06-01"' in page.content.decode()
        r = c.post(f"/dossiers/{dossier.pk}/steps/S01/?seq=1", {"date": "2025-06-02", "record_mode": "live"})
    assert r.status_code == 302
    assert list(StepRecord.objects.filter(dossier=dossier, step="S01").values_list("seq", "date")) == [
        (1, dt.date(2025, 6, 2))]
    assert world.client("town_organizer").get(f"/dossiers/{dossier.pk}/steps/S01/?seq=7").status_code == 404


def test_the_tier_feeds_the_tier_rule_and_outsiders_cannot_set_it(world, dossier):
    from dangjian.development.models import CountyConfig, Finding

    CountyConfig.objects.create(county=world.county, config={"tiers": True})
    c = world.client("village_secretary")
    with clock.frozen(TODAY):
        r = c.post(f"/dossiers/{dossier.pk}/profile/", {"tier": "near_term", "expected_departure": ""})
        foreign = world.client("other_town_organizer").post(f"/dossiers/{dossier.pk}/profile/", {"tier": "long_term"})
    dossier.refresh_from_db()
    assert r.status_code == 302 and dossier.tier == "near_term"
    assert foreign.status_code == 404
    assert not Finding.objects.filter(dossier=dossier, code="L-TIER").exists()  # not yet a candidate
