"""The reviews pages: a department reviewer sees only what was sent to his department and nothing else;
townships see only their subtree; the printable notice; the county config shows the review gates."""

from __future__ import annotations

import io

import pytest
from docx import Document

from dangjian.core import clock
from dangjian.core.audit import Actor
from dangjian.core.models import AuditEntry
from dangjian.development.models import CountyConfig
from dangjian.reviews import services as svc
from dangjian.reviews.models import DepartmentReply, KinshipReport, NoticeFeedback
from tests.reviews.helpers import TODAY, D, admin, dossier_at, joint_review_setup, outsider_reviewer, reply_of


@pytest.fixture(autouse=True)
def frozen():
    with clock.frozen(TODAY):
        yield


@pytest.fixture
def sent(world):
    """A batch with v1's and w1's activists sent to 公安 and 法院."""
    setup = joint_review_setup(world)
    d1 = dossier_at(world, "v1_applicant", "activist")
    d2 = dossier_at(world, "w1_activist", "activist")
    batch = svc.batch_create(actor=admin(world), title="2024年上半年联审", stage="activist", sent_on=D("2024-06-10"),
                             due_on=D("2024-06-25"), dossier_ids=[d1.pk, d2.pk])
    return {**setup, "batch": batch, "d1": d1, "d2": d2}


def test_a_department_reviewer_sees_only_the_people_sent_to_his_department(world, sent):
    client = world.client("police_reviewer")
    page = client.get("/reviews/inbox/").content.decode()
    assert "李小红" in page and "曾国华" in page
    assert world.people["v1_applicant"].id_number_masked in page
    assert world.id_numbers["v1_applicant"] not in page
    assert AuditEntry.objects.filter(action="reviews.inbox_view", username="police_reviewer").exists()
    mine = reply_of(sent["batch"], sent["d1"], sent["police"])
    theirs = reply_of(sent["batch"], sent["d1"], sent["court"])
    assert client.get(f"/reviews/inbox/{mine.pk}/").status_code == 200
    page = client.get(f"/reviews/inbox/{mine.pk}/").content.decode()
    assert "NL01" in page and "NL03" not in page and "NL02" not in page  # his items, at this stage only
    assert client.get(f"/reviews/inbox/{theirs.pk}/").status_code == 404
    assert client.post(f"/reviews/inbox/{theirs.pk}/", {"finding": "none", "replied_on": "2024-06-20"}
                       ).status_code == 404
    assert DepartmentReply.objects.get(pk=theirs.pk).finding == ""


def test_a_department_reviewer_gets_nothing_else_in_the_system(world, sent):
    client = world.client("police_reviewer")
    person = world.people["v1_applicant"]
    for url in (f"/people/{person.pk}/", f"/dossiers/{sent['d1'].pk}/", f"/reviews/dossier/{sent['d1'].pk}/",
                f"/reviews/batches/{sent['batch'].pk}/", "/orgs/T000/", f"/api/people/{person.pk}"):
        assert client.get(url).status_code == 404, url
    for url in ("/reviews/batches/", "/reviews/departments/", "/reviews/county-review/", "/dossiers/config/"):
        assert client.get(url).status_code == 403, url
    assert client.get("/api/people").json()["count"] == 0
    people = client.get("/people/").content.decode()
    assert "李小红" not in people and "曾国华" not in people
    assert "李小红" not in client.get("/reviews/kinship/").content.decode()
    home = client.get("/").content.decode()
    assert "联审部门审查人" in home and "/reviews/inbox/" in home
    assert 'href="/people/"' not in home  # the nav offers only his own pages
    assert client.get("/reviews/").status_code == 302


def test_a_reviewer_without_a_department_sees_no_inbox(world, sent):
    from django.test import Client

    client = Client()
    client.force_login(outsider_reviewer(world))
    assert client.get("/reviews/inbox/").status_code == 403
    reply = reply_of(sent["batch"], sent["d1"], sent["police"])
    assert client.get(f"/reviews/inbox/{reply.pk}/").status_code == 404


def test_a_reviewer_answers_with_a_hit_and_the_dossier_shows_it(world, sent):
    from tests.reviews.helpers import item

    reply = reply_of(sent["batch"], sent["d1"], sent["police"])
    nl01 = item("NL01")
    response = world.client("police_reviewer").post(f"/reviews/inbox/{reply.pk}/", {
        "finding": "blocking", "replied_on": "2024-06-20", "note": "", f"hit_{nl01.pk}": "on",
        f"note_{nl01.pk}": "2019年因寻衅滋事被行政拘留"})
    assert response.status_code == 302
    reply.refresh_from_db()
    assert reply.finding == "blocking" and reply.answered_by == world.users["police_reviewer"]
    page = world.client("town_organizer").get(f"/reviews/dossier/{sent['d1'].pk}/").content.decode()
    assert "命中 NL01" in page and "寻衅滋事" in page
    detail = world.client("town_organizer").get(f"/dossiers/{sent['d1'].pk}/").content.decode()
    assert "L-NEG-LIST" in detail and f"/reviews/dossier/{sent['d1'].pk}/" in detail


def test_a_bad_reply_on_the_page_names_the_field(world, sent):
    reply = reply_of(sent["batch"], sent["d1"], sent["police"])
    response = world.client("police_reviewer").post(f"/reviews/inbox/{reply.pk}/", {"finding": "none",
                                                                                    "replied_on": "2024-06-01"})
    assert response.status_code == 400
    assert "回复日期：早于发送日期 2024-06-10" in response.content.decode()
    assert DepartmentReply.objects.get(pk=reply.pk).finding == ""


def test_the_county_sees_overdue_replies_and_the_batch_grid(world, sent):
    client = world.client("county_admin")
    page = client.get("/reviews/batches/").content.decode()
    assert "逾期未回复（4）" in page
    grid = client.get(f"/reviews/batches/{sent['batch'].pk}/").content.decode()
    assert grid.count("逾期未回复") == 4
    assert world.client("town_organizer").get(f"/reviews/batches/{sent['batch'].pk}/").status_code == 404


def test_townships_see_only_their_own_kinship_reports_and_notices(world):
    d1 = dossier_at(world, "v1_applicant", "candidate")
    d2 = dossier_at(world, "w1_activist", "candidate")
    for d, persona in ((d1, "village_secretary"), (d2, "other_town_organizer")):
        svc.kinship_report(actor=Actor(user=world.users[persona]), dossier_id=d.pk, cadre_name="李建设",
                           cadre_post="村委会主任", relation="parent", reported_on=D("2024-06-01"))
    svc.notice_create(actor=Actor(user=world.users["other_town_organizer"]), inp=svc.NoticeInput(
        org_code="T201", point="candidate", start=D("2024-06-24"), working_days=5, contact_phone="1",
        feedback_address="乙镇", dossier_ids=[d2.pk]))
    page = world.client("town_organizer").get("/reviews/kinship/").content.decode()
    assert "李小红" in page and "曾国华" not in page
    assert "南村党支部" not in world.client("town_organizer").get("/reviews/notices/").content.decode()
    assert "南村党支部" in world.client("county_admin").get("/reviews/notices/").content.decode()


def test_the_township_forwards_and_the_county_approves_on_the_pages(world):
    d = dossier_at(world, "v1_applicant", "candidate")
    response = world.client("village_secretary").post(f"/reviews/kinship/new/{d.pk}/", {
        "cadre_name": "李建设", "cadre_post": "村党支部书记", "relation": "parent", "reported_on": "2024-06-01"})
    assert response.status_code == 302
    report = KinshipReport.objects.get(dossier=d)
    assert world.client("village_secretary").post(f"/reviews/kinship/{report.pk}/forward/", {
        "township_opinion": "属实", "forwarded_on": "2024-06-03"}).status_code == 403
    world.client("town_organizer").post(f"/reviews/kinship/{report.pk}/forward/", {
        "township_opinion": "情况属实，同意上报", "forwarded_on": "2024-06-03"})
    report.refresh_from_db()
    assert report.state == "forwarded" and report.township_opinion == "情况属实，同意上报"
    world.client("county_admin").post(f"/reviews/kinship/{report.pk}/decide/", {
        "decision": "approve", "decided_on": "2024-06-20", "document_no": "县组通〔2024〕12号"})
    report.refresh_from_db()
    assert (report.state, report.decided_on, report.document_no) == ("approved", D("2024-06-20"), "县组通〔2024〕12号")


def test_a_kinship_report_with_a_missing_field_is_refused_on_the_page(world):
    d = dossier_at(world, "v1_applicant", "candidate")
    response = world.client("village_secretary").post(f"/reviews/kinship/new/{d.pk}/", {
        "cadre_name": "", "cadre_post": "村委会主任", "relation": "parent", "reported_on": "2024-06-01"})
    assert response.status_code == 400
    assert "村干部姓名：必填" in response.content.decode()
    assert KinshipReport.objects.count() == 0


def test_the_printable_notice_names_the_people_the_period_and_the_contacts(world):
    d = dossier_at(world, "v1_applicant", "candidate")
    notice = svc.notice_create(actor=Actor(user=world.users["town_organizer"]), inp=svc.NoticeInput(
        org_code="T101", point="candidate", start=D("2025-09-29"), working_days=5, contact_phone="0531-8765432",
        feedback_address="甲镇党委组织办（镇政府二楼）", dossier_ids=[d.pk]))
    response = world.client("village_secretary").get(f"/reviews/notices/{notice.pk}/docx/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    doc = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in doc.paragraphs) + "\n".join(c.text for t in doc.tables for r in t.rows
                                                                 for c in r.cells)
    assert "关于李小红同志拟确定为发展对象的公示" in text
    assert "2025年09月29日至2025年10月11日（5个工作日）" in text
    assert "0531-8765432" in text and "甲镇党委组织办（镇政府二楼）" in text and "东村党支部" in text
    assert AuditEntry.objects.filter(action="reviews.notice_view", object_id=str(notice.pk),
                                     detail__channel="docx").exists()
    assert world.client("other_town_organizer").get(f"/reviews/notices/{notice.pk}/docx/").status_code == 404


def test_feedback_is_recorded_on_the_page_and_a_bad_one_writes_nothing(world):
    d = dossier_at(world, "v1_applicant", "candidate")
    notice = svc.notice_create(actor=Actor(user=world.users["town_organizer"]), inp=svc.NoticeInput(
        org_code="T101", point="candidate", start=D("2024-06-24"), working_days=5, contact_phone="1",
        feedback_address="x", dossier_ids=[d.pk]))
    client = world.client("village_secretary")
    client.post(f"/reviews/notices/{notice.pk}/feedback/", {"received_on": "2024-06-20", "channel": "phone",
                                                            "content": "x"})
    assert NoticeFeedback.objects.count() == 0
    client.post(f"/reviews/notices/{notice.pk}/feedback/", {"received_on": "2024-06-25", "channel": "visit",
                                                            "content": "群众来访反映其赡养老人情况良好"})
    assert NoticeFeedback.objects.get().channel == "visit"
    assert world.client("readonly").post(f"/reviews/notices/{notice.pk}/feedback/", {
        "received_on": "2024-06-25", "channel": "visit", "content": "y"}).status_code == 403
    assert NoticeFeedback.objects.count() == 1


def test_the_county_config_offers_the_review_gates_and_saves_the_departments(world):
    client = world.client("county_admin")
    page = client.get("/dossiers/config/").content.decode()
    for label in ("须回复的联审部门", "村干部近亲属须经县委组织部审批", "县委组织部复审（三级审查）"):
        assert label in page
    response = client.post("/dossiers/config/", {"candidate_date": "committee", "late_entry_days": "30",
                                                 "joint_review_departments": "公安、法院，信访",
                                                 "joint_review_gate": "candidate", "kinship_gate": "candidate",
                                                 "county_review_gate": "admission"})
    assert response.status_code == 302
    config = CountyConfig.objects.get(county=world.county).config
    assert config["joint_review_departments"] == ["公安", "法院", "信访"]
    assert (config["kinship_gate"], config["county_review_gate"]) == ("candidate", "admission")
    assert "公安、法院、信访" in client.get("/dossiers/config/").content.decode()


def test_the_county_re_reviews_from_its_queue(world):
    d = dossier_at(world, "v1_applicant", "pre_reviewed")
    client = world.client("county_admin")
    link = f'href="/reviews/county-review/{d.pk}/"'
    assert link in client.get("/reviews/county-review/").content.decode()
    response = client.post(f"/reviews/county-review/{d.pk}/", {"result": "pass", "reviewed_on": "2024-09-02",
                                                               "reviewer": "刘组织员", "opinion": "材料齐全，同意"})
    assert response.status_code == 302
    assert link not in client.get("/reviews/county-review/").content.decode()
    assert "材料齐全，同意" in client.get(f"/reviews/dossier/{d.pk}/").content.decode()


def test_the_county_switches_an_item_off_and_a_department_out_of_new_batches(world):
    from dangjian.reviews.models import Department, NegativeItem, ReviewBatch

    setup = joint_review_setup(world)
    client = world.client("county_admin")
    nl01 = NegativeItem.objects.get(code="NL01")
    assert client.post(f"/reviews/items/{nl01.pk}/toggle/").status_code == 302
    assert NegativeItem.objects.get(pk=nl01.pk).active is False
    assert client.post(f"/reviews/departments/{setup['court'].pk}/toggle/").status_code == 302
    assert Department.objects.get(pk=setup["court"].pk).active is False
    assert world.client("town_organizer").post(f"/reviews/items/{nl01.pk}/toggle/").status_code == 403
    assert NegativeItem.objects.get(pk=nl01.pk).active is False
    d = dossier_at(world, "v1_applicant", "activist")
    batch = svc.batch_create(actor=admin(world), title="联审", stage="activist", sent_on=D("2024-06-10"),
                             due_on=D("2024-06-25"), dossier_ids=[d.pk])
    assert [r.department.name for r in DepartmentReply.objects.filter(subject__batch=batch)] == ["公安"]
    page = world.client("police_reviewer").get(f"/reviews/inbox/{reply_of(batch, d, setup['police']).pk}/")
    assert "NL01" not in page.content.decode()
    assert ReviewBatch.objects.count() == 1


# --- editing departments and negative-list items (issue 6 audit) -----------------------------------------------
def test_the_county_renames_a_department_and_switches_it_on_its_edit_page(world):
    from dangjian.reviews.models import Department

    setup = joint_review_setup(world)
    client = world.client("county_admin")
    court = setup["court"]
    assert f"/reviews/departments/{court.pk}/edit/" in client.get("/reviews/departments/").content.decode()
    page = client.get(f"/reviews/departments/{court.pk}/edit/").content.decode()
    assert 'value="法院"' in page
    response = client.post(f"/reviews/departments/{court.pk}/edit/", {"name": "县人民法院"})
    assert response.status_code == 302
    court.refresh_from_db()
    assert (court.name, court.active) == ("县人民法院", False)  # the box left unticked: out of new batches
    entry = AuditEntry.objects.filter(action="reviews.department_save", object_id=str(court.pk)).latest("id")
    assert entry.before == {"name": "法院", "active": True}
    assert entry.after == {"name": "县人民法院", "active": False}
    assert client.post(f"/reviews/departments/{court.pk}/edit/", {"name": "县人民法院", "active": "on"}
                       ).status_code == 302
    assert Department.objects.get(pk=court.pk).active is True


@pytest.mark.parametrize("name, message", [("", "部门名称：必填"), ("公安", "部门名称：公安 已存在")])
def test_a_bad_department_edit_names_the_field_in_chinese_and_changes_nothing(world, name, message):
    from dangjian.reviews.models import Department

    setup = joint_review_setup(world)
    response = world.client("county_admin").post(f"/reviews/departments/{setup['court'].pk}/edit/",
                                                 {"name": name, "active": "on"})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Department.objects.get(pk=setup["court"].pk).name == "法院"


def test_only_the_county_admin_edits_departments_and_items(world):
    from dangjian.reviews.models import Department, NegativeItem

    setup = joint_review_setup(world)
    nl01 = NegativeItem.objects.get(code="NL01")
    for persona in ("town_organizer", "village_secretary", "readonly", "police_reviewer"):
        client = world.client(persona)
        assert client.get(f"/reviews/departments/{setup['court'].pk}/edit/").status_code == 403, persona
        assert client.post(f"/reviews/departments/{setup['court'].pk}/edit/", {"name": "改"}).status_code == 403
        assert client.get(f"/reviews/items/{nl01.pk}/edit/").status_code == 403, persona
        assert client.post(f"/reviews/items/{nl01.pk}/edit/", {"code": "NL01", "text": "改"}).status_code == 403
    assert Department.objects.get(pk=setup["court"].pk).name == "法院"
    assert NegativeItem.objects.get(pk=nl01.pk).text == "条目NL01"


def test_the_county_edits_a_negative_list_item(world):
    from dangjian.reviews.models import NegativeItem

    setup = joint_review_setup(world)
    nl01 = NegativeItem.objects.get(code="NL01")
    client = world.client("county_admin")
    assert f"/reviews/items/{nl01.pk}/edit/" in client.get("/reviews/items/").content.decode()
    assert "条目NL01" in client.get(f"/reviews/items/{nl01.pk}/edit/").content.decode()
    response = client.post(f"/reviews/items/{nl01.pk}/edit/", {
        "code": "NL01", "text": "受过刑事处罚", "category": "违法犯罪", "stage": "candidate",
        "department": str(setup["court"].pk), "effect": "refer"})
    assert response.status_code == 302
    nl01.refresh_from_db()
    assert (nl01.text, nl01.stage, nl01.department_id, nl01.effect) == ("受过刑事处罚", "candidate",
                                                                         setup["court"].pk, "refer")
    entry = AuditEntry.objects.filter(action="reviews.item_save", object_id=str(nl01.pk)).latest("id")
    assert entry.before["text"] == "条目NL01" and entry.before["department"] == "公安"
    assert entry.after["text"] == "受过刑事处罚" and entry.after["department"] == "法院"


def test_a_bad_item_edit_names_the_field_in_chinese_and_changes_nothing(world):
    from dangjian.reviews.models import NegativeItem

    setup = joint_review_setup(world)
    nl01 = NegativeItem.objects.get(code="NL01")
    response = world.client("county_admin").post(f"/reviews/items/{nl01.pk}/edit/", {
        "code": "NL02", "text": "", "category": "违法犯罪", "stage": "activist",
        "department": str(setup["police"].pk), "effect": "block"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "内容：必填" in body
    response = world.client("county_admin").post(f"/reviews/items/{nl01.pk}/edit/", {
        "code": "NL02", "text": "x", "category": "违法犯罪", "stage": "activist",
        "department": str(setup["police"].pk), "effect": "block"})
    assert response.status_code == 400
    assert "编号：NL02 已存在" in response.content.decode()
    nl01.refresh_from_db()
    assert (nl01.code, nl01.text) == ("NL01", "条目NL01")


def test_an_item_or_department_of_another_county_is_not_found(world):
    from dangjian.orgs.models import User
    from dangjian.reviews.models import NegativeItem
    from tests.urlmap import add_outer_county

    setup = joint_review_setup(world)
    add_outer_county(world)
    outer = world.client("anonymous")
    outer.force_login(User.objects.get(username="outer_admin"))
    nl01 = NegativeItem.objects.get(code="NL01")
    assert outer.get(f"/reviews/items/{nl01.pk}/edit/").status_code == 404
    assert outer.post(f"/reviews/items/{nl01.pk}/edit/", {
        "code": "NL01", "text": "改", "category": "x", "stage": "activist", "department": str(setup["police"].pk),
        "effect": "block"}).status_code == 404
    assert outer.get(f"/reviews/departments/{setup['police'].pk}/edit/").status_code == 404
    assert outer.post(f"/reviews/departments/{setup['police'].pk}/edit/", {"name": "改"}).status_code == 404
    assert NegativeItem.objects.get(pk=nl01.pk).text == "条目NL01"


# --- 三级审查 on the county re-review page -------------------------------------------------------------------
def test_the_county_review_page_shows_the_branch_review_and_the_township_pre_review(world):
    from dangjian.development.models import StepRecord

    d = dossier_at(world, "v1_applicant", "pre_reviewed")
    StepRecord.objects.filter(dossier=d, step="S12").update(responsible_name="王支书", responsible_role="党支部书记")
    StepRecord.objects.filter(dossier=d, step="S13").update(responsible_name="陈委员", responsible_role="组织委员")
    page = world.client("county_admin").get(f"/reviews/county-review/{d.pk}/").content.decode()
    assert 'id="review-levels"' in page
    levels = page[page.index('id="review-levels"'):page.index("</table>", page.index('id="review-levels"'))]
    assert "支部委员会审查（S12）</td><td>2024-08-20</td><td>—</td><td>王支书（党支部书记）</td>" in levels
    assert "乡镇党委预审（S13）</td><td>2024-08-28</td><td>通过</td><td>陈委员（组织委员）</td>" in levels
    assert "已书面通知党支部" in levels and "补录" in levels
    svc.county_review_record(actor=admin(world), dossier_id=d.pk, reviewed_on=D("2024-09-02"), result="pass",
                             opinion="材料齐全，同意", reviewer="刘组织员")
    page = world.client("county_admin").get(f"/reviews/county-review/{d.pk}/").content.decode()
    assert "县委组织部复审</td><td>2024-09-02</td><td>同意（通过）</td><td>刘组织员</td><td>材料齐全，同意</td>" in page


def test_the_county_review_page_refuses_a_re_review_after_a_failed_pre_review(world):
    from dangjian.development.models import StepRecord
    from dangjian.reviews.models import CountyReview

    d = dossier_at(world, "v1_applicant", "pre_reviewed")
    StepRecord.objects.filter(dossier=d, step="S13").update(data={"result": "fail", "written_notice": True})
    client = world.client("county_admin")
    page = client.get(f"/reviews/county-review/{d.pk}/").content.decode()
    assert "<td>未通过</td>" in page and 'class="table-danger"' in page
    response = client.post(f"/reviews/county-review/{d.pk}/", {"result": "pass", "reviewed_on": "2024-09-02",
                                                               "reviewer": "刘组织员", "opinion": "同意"})
    assert response.status_code == 400
    assert "乡镇党委预审（S13）结论为“未通过”，预审通过后才能由县委组织部复审" in response.content.decode()
    assert not CountyReview.objects.exists()


# --- the start page and the notice form read through selectors --------------------------------------------
def test_the_start_page_counts_what_waits_for_the_county_and_the_township(world):
    d = dossier_at(world, "v1_applicant", "pre_reviewed")
    d2 = dossier_at(world, "w1_activist", "candidate")
    for dossier in (d, d2):
        svc.kinship_report(actor=admin(world), dossier_id=dossier.pk, cadre_name="李", cadre_post="村委会主任",
                           relation="parent", reported_on=D("2024-06-01"))
    county = world.client("county_admin").get("/reviews/").context
    assert (county["queue"], county["kinship_open"]) == (1, 2)
    town = world.client("town_organizer").get("/reviews/").context
    assert (town["county"], town["queue"], town["kinship_open"]) == (None, 0, 1)


def test_the_notice_form_offers_the_people_at_the_point_in_scope(world):
    from tests.conftest import add_person

    add_person(world, "v2_new", world.v2, "孙候选", party_status="applicant", status_date=D("2023-01-10"))
    d_act = dossier_at(world, "v1_applicant", "activist")
    d_cand = dossier_at(world, "v2_new", "candidate")
    other = dossier_at(world, "w1_activist", "activist")
    form = world.client("town_organizer").get("/reviews/notices/new/?point=candidate").context["form"]
    offered = {pk for pk, _ in form.fields["dossiers"].choices}
    assert {d_act.pk, d_cand.pk} <= offered and other.pk not in offered
    orgs = {code for code, _ in form.fields["organization"].choices}
    assert "T100" in orgs and "T200" not in orgs
    form = world.client("town_organizer").get("/reviews/notices/new/?point=conversion").context["form"]
    assert not {d_act.pk, d_cand.pk} & {pk for pk, _ in form.fields["dossiers"].choices}
