"""Services of the reviews app, and the rule engine receiving what they record (L-JOINT-REVIEW, L-NEG-LIST,
L-KIN-COUNTY, L-3-LEVEL-REVIEW, L-PUBLICITY)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from dangjian.core import clock
from dangjian.core.audit import Actor
from dangjian.core.errors import NotAllowed, OutOfScope
from dangjian.core.models import AuditEntry
from dangjian.development import engine
from dangjian.development.models import Dossier, Finding
from dangjian.development.services import dossier_recheck
from dangjian.reviews import services as svc
from dangjian.reviews.models import KinshipReport, Notice, ReviewBatch
from tests.reviews.helpers import (
    TODAY,
    D,
    admin,
    dossier_at,
    item,
    joint_review_setup,
    reply_of,
    set_config,
)


@pytest.fixture(autouse=True)
def frozen():
    with clock.frozen(TODAY):
        yield


def codes(dossier: Dossier, code: str) -> list[tuple[str, str]]:
    return list(Finding.objects.filter(dossier_id=dossier.pk, code=code).values_list("severity", "message"))


def answer(world, username, reply, finding, date="2024-06-20", hits=(), note=""):
    return svc.reply_answer(actor=Actor(user=world.users[username]), reply_id=reply.pk, inp=svc.ReplyInput(
        finding=finding, replied_on=D(date), note=note, hits={item(c).pk: "" for c in hits}))


def send(world, dossiers, stage="activist", sent="2024-06-10", due="2024-06-25"):
    return svc.batch_create(actor=admin(world), title="2024年联审", stage=stage, sent_on=D(sent), due_on=D(due),
                            dossier_ids=[d.pk for d in dossiers])


# --- the engine hook -------------------------------------------------------------------------------------
def test_a_fact_provider_merges_into_saved_dossiers_only_and_in_one_call_per_batch(world):
    calls = []

    def provider(ids):
        calls.append(ids)
        return {i: {"person": {"near_relative_of_cadre": True}, "county_review": {"date": "2025-01-01",
                                                                                  "result": "pass"}} for i in ids}

    engine.register_facts(provider)
    try:
        docs = [{"id": "7", "person": {"birth_date": "1990-01-01", "tier": None}}, {"id": "None", "person": {}}]
        engine.apply_facts(docs)
    finally:
        engine._PROVIDERS.remove(provider)
    assert calls == [[7]]
    assert docs[0]["person"] == {"birth_date": "1990-01-01", "tier": None, "near_relative_of_cadre": True}
    assert docs[0]["county_review"] == {"date": "2025-01-01", "result": "pass"}
    assert "county_review" not in docs[1]


def test_a_notice_overrides_the_step_forms_own_dates_and_a_conversion_notice_needs_a_meeting():
    doc = {"candidate": {"date": "2024-07-01", "publicity": {"start": "2024-06-01", "end": "2024-06-07"}},
           "conversions": [{"meeting": None}]}
    engine._merge(doc, {"candidate": {"publicity": {"start": "2024-06-20", "end": "2024-06-26"}},
                        "conversions": [{"meeting": {"publicity": {"start": "x", "end": "y"}}}]})
    assert doc["candidate"] == {"date": "2024-07-01", "publicity": {"start": "2024-06-20", "end": "2024-06-26"}}
    assert doc["conversions"] == [{"meeting": None}]


# --- 联审 ---------------------------------------------------------------------------------------------------
def test_a_blocking_reply_gives_the_finding_and_clearing_it_removes_it(world):
    setup = joint_review_setup(world)
    set_config(world, joint_review_departments=["公安", "法院"], joint_review_gate="candidate")
    d = dossier_at(world, "v1_applicant", "activist")
    batch = send(world, [d])
    answer(world, "police_reviewer", reply_of(batch, d, setup["police"]), "blocking", note="有涉黑前科")
    assert [s for s, _ in codes(d, "L-JOINT-REVIEW")] == ["E"]
    assert "公安" in codes(d, "L-JOINT-REVIEW")[0][1]
    answer(world, "police_reviewer", reply_of(batch, d, setup["police"]), "cleared", note="经核实系重名")
    assert codes(d, "L-JOINT-REVIEW") == []


def test_a_department_that_has_not_replied_by_the_gate_is_named(world):
    setup = joint_review_setup(world)
    set_config(world, joint_review_departments=["公安", "法院"], joint_review_gate="candidate")
    d = dossier_at(world, "v1_applicant", "activist")
    batch = send(world, [d])
    answer(world, "police_reviewer", reply_of(batch, d, setup["police"]), "none")
    from tests.reviews.helpers import CANDIDATE_STEPS, record

    record(world, d, CANDIDATE_STEPS)  # made a candidate on 2024-07-01 with 法院 still silent
    messages = [m for _, m in codes(d, "L-JOINT-REVIEW")]
    assert len(messages) == 1 and "法院（未回复）" in messages[0] and "公安" not in messages[0]
    answer(world, "court_reviewer", reply_of(batch, d, setup["court"]), "none", date="2024-06-28")
    assert codes(d, "L-JOINT-REVIEW") == []


@pytest.mark.parametrize("hits, finding, expected", [
    (["NL01"], "blocking", [("E", "NL01")]),     # block item hit: 不得发展
    ([], "none", []),                            # nothing hit
    (["NL01"], "cleared", []),                   # the department cleared it: the hit no longer counts
])
def test_negative_list_hits_follow_the_items_effect(world, hits, finding, expected):
    setup = joint_review_setup(world)
    d = dossier_at(world, "v1_applicant", "activist")
    batch = send(world, [d])
    answer(world, "police_reviewer", reply_of(batch, d, setup["police"]), finding, hits=hits, note="说明")
    got = [(s, "NL01" if "NL01" in m else m) for s, m in codes(d, "L-NEG-LIST")]
    assert got == expected


def test_a_refer_item_hit_is_a_warning(world):
    setup = joint_review_setup(world)
    d = dossier_at(world, "v1_applicant", "candidate")
    batch = send(world, [d], stage="candidate", sent="2024-07-02", due="2024-07-20")
    answer(world, "police_reviewer", reply_of(batch, d, setup["police"]), "blocking", date="2024-07-10",
           hits=["NL02"])
    assert [s for s, _ in codes(d, "L-NEG-LIST")] == ["W"]


@pytest.mark.parametrize("finding, date, hits, note, field", [
    ("", "2024-06-20", [], "", "finding"),
    ("none", None, [], "", "replied_on"),
    ("none", "2025-07-01", [], "", "replied_on"),      # after today
    ("none", "2024-06-01", [], "", "replied_on"),      # before the batch was sent
    ("none", "2024-06-20", ["NL01"], "", "finding"),   # a hit cannot be "no problem"
    ("blocking", "2024-06-20", [], "", "note"),        # blocking without a hit needs a note
    ("none", "2024-06-20", ["NL03"], "", "hits"),      # another department's item
])
def test_a_bad_reply_names_the_field_and_writes_nothing(world, finding, date, hits, note, field):
    setup = joint_review_setup(world)
    d = dossier_at(world, "v1_applicant", "activist")
    batch = send(world, [d])
    reply = reply_of(batch, d, setup["police"])
    with pytest.raises(ValidationError) as exc:
        svc.reply_answer(actor=Actor(user=world.users["police_reviewer"]), reply_id=reply.pk, inp=svc.ReplyInput(
            finding=finding, replied_on=D(date) if date else None, note=note, hits={item(c).pk: "" for c in hits}))
    assert field in exc.value.message_dict
    reply.refresh_from_db()
    assert reply.finding == "" and reply.answers.count() == 0


def test_a_reviewer_cannot_answer_for_another_department_and_nobody_else_can_answer(world):
    setup = joint_review_setup(world)
    d = dossier_at(world, "v1_applicant", "activist")
    batch = send(world, [d])
    court_reply = reply_of(batch, d, setup["court"])
    for who in ("police_reviewer", "county_admin", "town_organizer"):
        with pytest.raises(OutOfScope):
            answer(world, who, court_reply, "none")


def test_a_batch_takes_only_people_of_its_stage_in_the_county(world):
    joint_review_setup(world)
    d = dossier_at(world, "v1_applicant", "activist")
    with pytest.raises(ValidationError) as exc:
        send(world, [d], stage="candidate")
    assert "李小红 不是发展对象" in exc.value.message_dict["dossiers"][0]
    with pytest.raises(NotAllowed):
        svc.batch_create(actor=Actor(user=world.users["town_organizer"]), title="x", stage="activist",
                         sent_on=D("2024-06-10"), due_on=D("2024-06-20"), dossier_ids=[d.pk])
    assert ReviewBatch.objects.count() == 0


def test_a_batch_makes_one_reply_per_person_and_department_and_is_audited(world):
    joint_review_setup(world)
    d1 = dossier_at(world, "v1_applicant", "activist")
    d2 = dossier_at(world, "w1_activist", "activist")
    batch = send(world, [d1, d2])
    assert batch.subjects.count() == 2
    assert sum(s.replies.count() for s in batch.subjects.all()) == 4
    assert AuditEntry.objects.filter(action="reviews.batch_create", object_id=str(batch.pk)).exists()


def test_overdue_replies_are_those_past_due_and_unanswered(world):
    from dangjian.reviews.selectors import overdue_replies

    setup = joint_review_setup(world)
    d = dossier_at(world, "v1_applicant", "activist")
    batch = send(world, [d], due="2024-06-25")
    answer(world, "police_reviewer", reply_of(batch, d, setup["police"]), "none")
    overdue = list(overdue_replies(user=world.users["county_admin"], today=TODAY))
    assert [r.department.name for r in overdue] == ["法院"]
    assert list(overdue_replies(user=world.users["county_admin"], today=D("2024-06-25"))) == []
    assert list(overdue_replies(user=world.users["town_organizer"], today=TODAY)) == []


# --- 近亲属 -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("decision, decided_on, expected", [
    (None, None, "前未经县委组织部审批"),             # reported, not decided
    ("approve", "2024-06-20", None),                # approved before the gate (S07 2024-07-01)
    ("approve", "2024-07-01", None),                # on the gate day
    ("approve", "2024-07-02", "晚于"),               # approved too late
    ("refuse", "2024-06-20", "前未经县委组织部审批"),  # refused
])
def test_the_near_relative_gate_follows_the_countys_decision(world, decision, decided_on, expected):
    set_config(world, kinship_gate="candidate")
    d = dossier_at(world, "v1_applicant", "candidate")
    assert codes(d, "L-KIN-COUNTY") == []
    report = svc.kinship_report(actor=Actor(user=world.users["village_secretary"]), dossier_id=d.pk,
                                cadre_name="李建设", cadre_post="村党支部书记", relation="parent",
                                reported_on=D("2024-06-01"))
    svc.kinship_forward(actor=Actor(user=world.users["town_organizer"]), report_id=report.pk, opinion="情况属实",
                        forwarded_on=D("2024-06-05"))
    if decision:
        svc.kinship_decide(actor=admin(world), report_id=report.pk, approve=decision == "approve",
                           decided_on=D(decided_on), document_no="县组通〔2024〕12号")
    found = codes(d, "L-KIN-COUNTY")
    if expected is None:
        assert found == []
    else:
        assert len(found) == 1 and expected in found[0][1]


def test_only_the_county_decides_and_only_the_township_or_county_forwards(world):
    d = dossier_at(world, "v1_applicant", "candidate")
    report = svc.kinship_report(actor=Actor(user=world.users["village_secretary"]), dossier_id=d.pk,
                                cadre_name="李建设", cadre_post="村委会主任", relation="sibling",
                                reported_on=D("2024-06-01"))
    with pytest.raises(NotAllowed):
        svc.kinship_forward(actor=Actor(user=world.users["village_secretary"]), report_id=report.pk, opinion="x",
                            forwarded_on=D("2024-06-02"))
    with pytest.raises(NotAllowed):
        svc.kinship_decide(actor=Actor(user=world.users["town_organizer"]), report_id=report.pk, approve=True,
                           decided_on=D("2024-06-02"), document_no="1")
    with pytest.raises(OutOfScope):
        svc.kinship_forward(actor=Actor(user=world.users["other_town_organizer"]), report_id=report.pk,
                            opinion="x", forwarded_on=D("2024-06-02"))
    with pytest.raises(ValidationError) as exc:
        svc.kinship_decide(actor=admin(world), report_id=report.pk, approve=True, decided_on=D("2024-06-02"),
                           document_no=" ")
    assert "document_no" in exc.value.message_dict
    assert KinshipReport.objects.get(pk=report.pk).state == "reported"


def test_a_kinship_report_names_each_missing_field(world):
    d = dossier_at(world, "v1_applicant", "activist")
    with pytest.raises(ValidationError) as exc:
        svc.kinship_report(actor=Actor(user=world.users["village_secretary"]), dossier_id=d.pk, cadre_name="",
                           cadre_post="", relation="cousin", reported_on=None)
    assert set(exc.value.message_dict) == {"cadre_name", "cadre_post", "relation", "reported_on"}
    assert exc.value.message_dict["cadre_name"] == ["村干部姓名：必填"]
    assert KinshipReport.objects.count() == 0


# --- 县级复审 -----------------------------------------------------------------------------------------------
def test_the_county_re_review_feeds_the_three_level_rule(world):
    from dangjian.reviews.selectors import county_review_queue

    set_config(world, county_review_gate="admission")
    d = dossier_at(world, "v1_applicant", "pre_reviewed")
    assert list(county_review_queue(user=world.users["county_admin"])) == [d]
    assert list(county_review_queue(user=world.users["other_town_organizer"])) == []
    svc.county_review_record(actor=admin(world), dossier_id=d.pk, reviewed_on=D("2024-09-02"), result="fail",
                             opinion="政审材料不全", reviewer="县委组织部 刘")
    assert ["E"] == [s for s, _ in codes(d, "L-3-LEVEL-REVIEW")]
    assert list(county_review_queue(user=world.users["county_admin"])) == []
    svc.county_review_record(actor=admin(world), dossier_id=d.pk, reviewed_on=D("2024-09-10"), result="pass",
                             opinion="材料已补齐", reviewer="县委组织部 刘")
    assert codes(d, "L-3-LEVEL-REVIEW") == []


@pytest.mark.parametrize("kwargs, field", [
    ({"reviewed_on": "2024-08-27"}, "reviewed_on"),   # before the township's pre-review
    ({"result": "maybe"}, "result"),
    ({"opinion": ""}, "opinion"),
    ({"reviewer": ""}, "reviewer"),
])
def test_a_bad_county_review_names_the_field(world, kwargs, field):
    d = dossier_at(world, "v1_applicant", "pre_reviewed")
    args = {"reviewed_on": "2024-09-02", "result": "pass", "opinion": "同意", "reviewer": "刘"} | kwargs
    with pytest.raises(ValidationError) as exc:
        svc.county_review_record(actor=admin(world), dossier_id=d.pk, reviewed_on=D(args["reviewed_on"]),
                                 result=args["result"], opinion=args["opinion"], reviewer=args["reviewer"])
    assert field in exc.value.message_dict


def test_only_the_county_re_reviews_and_not_before_the_pre_review(world):
    d = dossier_at(world, "v1_applicant", "candidate")
    with pytest.raises(NotAllowed):
        svc.county_review_record(actor=Actor(user=world.users["town_organizer"]), dossier_id=d.pk,
                                 reviewed_on=D("2024-09-02"), result="pass", opinion="同意", reviewer="刘")
    with pytest.raises(ValidationError) as exc:
        svc.county_review_record(actor=admin(world), dossier_id=d.pk, reviewed_on=D("2024-09-02"), result="pass",
                                 opinion="同意", reviewer="刘")
    assert "预审" in exc.value.message_dict["__all__"][0]


# --- 公示 ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("start, days, end", [
    ("2024-06-24", 5, "2024-06-28"),   # Monday to Friday
    ("2024-06-22", 5, "2024-06-28"),   # starts on a Saturday: counted from Monday
    ("2025-09-29", 5, "2025-10-11"),   # National Day holiday skipped; Saturday 10-11 is a make-up working day
    ("2024-09-30", 5, "2024-10-11"),
])
def test_a_notice_ends_after_its_working_days_by_the_official_calendar(start, days, end):
    assert svc.notice_end(D(start), days) == (D(end), False)


@pytest.mark.parametrize("start, expected", [
    (None, "未公示"),                   # no notice, and S08 recorded
    ("2024-06-24", None),              # 06-24..06-28, filed 07-05: fine
    ("2024-07-01", "不在发展对象公示结束"),  # 07-01..07-05: filed on the last day
])
def test_a_notice_feeds_the_publicity_rule(world, start, expected):
    set_config(world, publicity_at=["candidate"], publicity_working_days=5)
    d = dossier_at(world, "v1_applicant", "candidate")
    if start:
        svc.notice_create(actor=Actor(user=world.users["village_secretary"]), inp=svc.NoticeInput(
            org_code="T101", point="candidate", start=D(start), working_days=None, contact_phone="0851-1234567",
            feedback_address="甲镇党委组织办", dossier_ids=[d.pk]))
    found = codes(d, "L-PUBLICITY")
    if expected is None:
        assert found == []
    else:
        assert len(found) == 1 and expected in found[0][1]


def test_a_notice_refuses_people_of_another_organization_and_needs_its_days(world):
    d = dossier_at(world, "v1_applicant", "candidate")
    inp = svc.NoticeInput(org_code="T102", point="candidate", start=D("2024-06-24"), working_days=None,
                          contact_phone="1", feedback_address="x", dossier_ids=[d.pk])
    with pytest.raises(ValidationError) as exc:
        svc.notice_create(actor=Actor(user=world.users["town_organizer"]), inp=inp)
    assert "不属于西村党支部" in exc.value.message_dict["dossiers"][0]
    assert "working_days" in exc.value.message_dict  # the county set no default
    with pytest.raises(OutOfScope):
        svc.notice_create(actor=Actor(user=world.users["other_town_organizer"]), inp=inp)
    assert Notice.objects.count() == 0


def test_feedback_during_a_notice_is_recorded_and_the_recheck_keeps_the_notice(world):
    set_config(world, publicity_at=["candidate"], publicity_working_days=5)
    d = dossier_at(world, "v1_applicant", "candidate")
    notice = svc.notice_create(actor=Actor(user=world.users["town_organizer"]), inp=svc.NoticeInput(
        org_code="T100", point="candidate", start=D("2024-06-24"), working_days=None, contact_phone="1",
        feedback_address="x", dossier_ids=[d.pk]))
    assert notice.end == D("2024-06-28") and notice.working_days == 5
    svc.notice_add_feedback(actor=Actor(user=world.users["town_organizer"]), notice_id=notice.pk,
                            received_on=D("2024-06-25"), channel="phone", content="反映其曾拖欠集体承包费",
                            handling="经核实已结清")
    with pytest.raises(ValidationError) as exc:
        svc.notice_add_feedback(actor=Actor(user=world.users["town_organizer"]), notice_id=notice.pk,
                                received_on=D("2024-06-20"), channel="phone", content="x")
    assert "received_on" in exc.value.message_dict
    assert notice.feedback.count() == 1
    dossier_recheck(actor=admin(world))
    assert codes(d, "L-PUBLICITY") == []


def test_the_provider_costs_one_query_for_dossiers_without_review_data(world, django_assert_num_queries):
    from dangjian.reviews.facts import review_facts

    joint_review_setup(world)
    quiet = dossier_at(world, "v1_applicant", "activist")
    busy = dossier_at(world, "w1_activist", "activist")
    with django_assert_num_queries(1):
        assert review_facts([quiet.pk]) == {}
    send(world, [busy])
    with django_assert_num_queries(3):  # which have data; then the replies and the hits of those only
        facts = review_facts([quiet.pk, busy.pk])
    assert facts == {}  # sent, not answered yet: nothing for the rules


@pytest.mark.parametrize("data, shown", [({"result": "fail", "written_notice": True}, "未通过"),
                                         ({"written_notice": True}, "未记录")])
def test_the_county_does_not_re_review_when_the_pre_review_did_not_pass(world, data, shown):
    from dangjian.development.models import StepRecord
    from dangjian.reviews.models import CountyReview

    d = dossier_at(world, "v1_applicant", "pre_reviewed")
    StepRecord.objects.filter(dossier=d, step="S13").update(data=data)
    with pytest.raises(ValidationError) as exc:
        svc.county_review_record(actor=admin(world), dossier_id=d.pk, reviewed_on=D("2024-09-02"), result="pass",
                                 opinion="同意", reviewer="刘")
    assert exc.value.message_dict["__all__"] == [f"乡镇党委预审（S13）结论为“{shown}”，预审通过后才能由县委组织部复审"]
    assert not CountyReview.objects.exists()


def test_editing_an_item_is_scoped_to_the_admins_county_and_audited(world):
    from dangjian.orgs.models import User
    from tests.urlmap import add_outer_county

    setup = joint_review_setup(world)
    nl01 = setup["items"]["NL01"]
    add_outer_county(world)
    outer = Actor(user=User.objects.get(username="outer_admin"))
    data = svc.ItemData(code="NL01", text="改", category="x", stage="activist", department_id=setup["police"].pk,
                        effect="block")
    with pytest.raises(OutOfScope):
        svc.negative_item_save(actor=outer, data=data, item_id=nl01.pk)
    with pytest.raises(OutOfScope):
        svc.department_save(actor=outer, name="改", department_id=setup["police"].pk)
    with pytest.raises(NotAllowed):
        svc.negative_item_save(actor=Actor(user=world.users["town_organizer"]), data=data, item_id=nl01.pk)
    item = svc.negative_item_save(actor=admin(world), data=data, item_id=nl01.pk)
    assert item.text == "改"
    entry = AuditEntry.objects.filter(action="reviews.item_save", object_id=str(nl01.pk)).latest("id")
    assert (entry.before["text"], entry.after["text"]) == ("条目NL01", "改")
