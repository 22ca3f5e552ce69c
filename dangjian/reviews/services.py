"""Writes of the reviews app. One transaction each, audited here; after every write the rules read (a reply, a
kinship decision, a county re-review, a notice) the dossiers concerned are re-derived in the same transaction
(development.services.dossier_refresh)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from dangjian.core import clock
from dangjian.core.audit import Actor, audit_log
from dangjian.core.errors import NotAllowed, OutOfScope
from dangjian.core.scope import path_visible, visible_to
from dangjian.development import engine
from dangjian.development.models import Dossier, DossierStatus, StepRecord
from dangjian.development.services import dossier_refresh
from dangjian.orgs.models import Organization, Role
from dangjian.reviews.models import (
    CountyReview,
    Department,
    DepartmentReply,
    DepartmentReviewer,
    Effect,
    ItemAnswer,
    KinshipReport,
    KinshipState,
    NegativeItem,
    Notice,
    NoticeFeedback,
    Relation,
    ReplyFinding,
    ReviewBatch,
    ReviewResult,
    ReviewSubject,
    Stage,
)
from dangjian.reviews.selectors import batch_items, reviewer_department
from dangjian.rules import workdays


def _fail(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _county_of_admin(actor: Actor) -> Organization:
    """The county a county admin works for (his organization must be the county itself)."""
    user = actor.user
    org = getattr(user, "organization", None)
    if user is None or getattr(user, "role", "") != Role.COUNTY_ADMIN or org is None:
        raise NotAllowed("只有县委组织部管理员可以办理")
    county = engine.county_of(org.path)
    if county is None or county.path != org.path:
        raise NotAllowed("只有县委组织部管理员可以办理")
    return county


def _check_date(errors: dict, name: str, label: str, value: dt.date | None, *, today: dt.date,
                required: bool = True) -> None:
    if value is None:
        if required:
            errors.setdefault(name, []).append(f"{label}：必填")
    elif value > today:
        errors.setdefault(name, []).append(f"{label}：{value.isoformat()} 晚于今天")


def _writable_dossier(actor: Actor, dossier_id: int, *, lock: bool = True) -> Dossier:
    qs = Dossier.objects.select_related("person", "organization")
    dossier = (qs.select_for_update() if lock else qs).filter(pk=dossier_id).first()
    if dossier is None or not path_visible(actor.user, dossier.org_path):
        raise OutOfScope()
    if not actor.user.can_write:
        raise NotAllowed("只读用户不能办理")
    return dossier


# --- departments, reviewers and the negative list ---------------------------------------------------------
@transaction.atomic
def department_save(*, actor: Actor, name: str, active: bool = True, department_id: int | None = None) -> Department:
    """Add (or rename, switch on/off) a 联审 department of the admin's county."""
    county = _county_of_admin(actor)
    name = (name or "").strip()
    if not name:
        _fail({"name": ["部门名称：必填"]})
    if department_id is None:
        dept = Department(county=county, org_path=county.path)
    else:
        dept = Department.objects.select_for_update().filter(pk=department_id, county=county).first()
        if dept is None:
            raise OutOfScope()
    if Department.objects.filter(county=county, name=name).exclude(pk=dept.pk).exists():
        _fail({"name": [f"部门名称：{name} 已存在"]})
    before = {"name": dept.name, "active": dept.active} if dept.pk else None
    dept.name, dept.active = name, active
    dept.save()
    audit_log(actor=actor, action="reviews.department_save", obj_type="review_department", obj_id=dept.pk,
              before=before, after={"name": name, "active": active})
    return dept


@transaction.atomic
def reviewer_create(*, actor: Actor, department_id: int, username: str, full_name: str, password: str,
                    password_hash: str | None = None):
    """Create a department reviewer's account (role dept_reviewer, outside the org tree) linked to a department.
    `password_hash`: the same password hashed once, for bulk set-up (the demo)."""
    from dangjian.orgs.services import user_create

    county = _county_of_admin(actor)
    dept = Department.objects.filter(pk=department_id, county=county).first()
    if dept is None:
        raise OutOfScope()
    errors: dict[str, list[str]] = {}
    if not (username or "").strip():
        errors["username"] = ["用户名：必填"]
    if not (full_name or "").strip():
        errors["full_name"] = ["姓名：必填"]
    _fail(errors)
    try:
        user = user_create(actor=actor, username=username.strip(), password=password, organization=None,
                           role=Role.DEPT_REVIEWER, full_name=full_name.strip(), must_change_password=True,
                           password_hash=password_hash)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise
        raise ValidationError({"password": [f"初始密码：{m}" for m in exc.messages]}) from exc
    DepartmentReviewer.objects.create(user=user, department=dept)
    audit_log(actor=actor, action="reviews.reviewer_create", obj_type="user", obj_id=user.username,
              after={"department": dept.name})
    return user


@dataclass(frozen=True)
class ItemData:
    code: str
    text: str
    category: str
    stage: str
    department_id: int | None
    effect: str


@transaction.atomic
def negative_item_save(*, actor: Actor, data: ItemData, item_id: int | None = None) -> NegativeItem:
    """Add or change an item of the county's negative list."""
    county = _county_of_admin(actor)
    errors: dict[str, list[str]] = {}
    code, text, category = data.code.strip(), data.text.strip(), data.category.strip()
    for name, label, value in (("code", "编号", code), ("text", "内容", text), ("category", "类别", category)):
        if not value:
            errors[name] = [f"{label}：必填"]
    if data.stage not in Stage.values:
        errors["stage"] = ["审查阶段：无效的选项"]
    if data.effect not in Effect.values:
        errors["effect"] = ["处理方式：无效的选项"]
    dept = Department.objects.filter(pk=data.department_id, county=county).first() if data.department_id else None
    if dept is None:
        errors["department"] = ["核查部门：请选择本县的联审部门"]
    if item_id is None:
        item = NegativeItem(county=county, org_path=county.path)
    else:
        item = NegativeItem.objects.select_for_update().filter(pk=item_id, county=county).first()
        if item is None:
            raise OutOfScope()
    if code and NegativeItem.objects.filter(county=county, code=code).exclude(pk=item.pk).exists():
        errors.setdefault("code", []).append(f"编号：{code} 已存在")
    _fail(errors)
    before = ({"code": item.code, "text": item.text, "category": item.category, "stage": item.stage,
               "department": item.department.name, "effect": item.effect} if item.pk else None)
    item.code, item.text, item.category, item.stage, item.department, item.effect = (
        code, text, category, data.stage, dept, data.effect)
    item.save()
    audit_log(actor=actor, action="reviews.item_save", obj_type="negative_item", obj_id=item.pk, before=before,
              after={"code": code, "text": text, "category": category, "stage": data.stage,
                     "department": dept.name, "effect": data.effect})
    return item


@transaction.atomic
def negative_item_set_active(*, actor: Actor, item_id: int, active: bool) -> NegativeItem:
    """Switch an item of the negative list off (no longer asked in new answers) or on again."""
    county = _county_of_admin(actor)
    item = NegativeItem.objects.select_for_update().filter(pk=item_id, county=county).first()
    if item is None:
        raise OutOfScope()
    before = item.active
    item.active = active
    item.save(update_fields=["active"])
    audit_log(actor=actor, action="reviews.item_active", obj_type="negative_item", obj_id=item.pk,
              before={"active": before}, after={"active": active})
    return item


# --- 联审 batches and replies ------------------------------------------------------------------------------
STAGE_STATUS = {Stage.ACTIVIST: DossierStatus.ACTIVIST, Stage.CANDIDATE: DossierStatus.CANDIDATE}


@transaction.atomic
def batch_create(*, actor: Actor, title: str, stage: str, sent_on: dt.date | None, due_on: dt.date | None,
                 dossier_ids: list[int]) -> ReviewBatch:
    """Send activists or candidates of the county to 联审: one reply to fill per person and active department."""
    county = _county_of_admin(actor)
    today = clock.today()
    errors: dict[str, list[str]] = {}
    if not (title or "").strip():
        errors["title"] = ["批次名称：必填"]
    if stage not in STAGE_STATUS:
        errors["stage"] = ["审查阶段：只能是入党积极分子或发展对象"]
    _check_date(errors, "sent_on", "发送日期", sent_on, today=today)
    if due_on is None:
        errors["due_on"] = ["回复期限：必填"]
    elif sent_on and due_on < sent_on:
        errors["due_on"] = [f"回复期限：{due_on.isoformat()} 早于发送日期"]
    departments = list(Department.objects.filter(county=county, active=True))
    if not departments:
        errors.setdefault("__all__", []).append("尚未设置联审部门，请先在“联审部门”中添加")
    ids = sorted(set(dossier_ids))
    dossiers = list(visible_to(actor.user, Dossier).select_related("person").filter(pk__in=ids))
    if not ids:
        errors["dossiers"] = ["审查对象：请至少选择一人"]
    elif len(dossiers) != len(ids):
        raise OutOfScope()
    if stage in STAGE_STATUS:
        wrong = [d.person.name for d in dossiers if d.status != STAGE_STATUS[stage]]
        if wrong:
            errors["dossiers"] = [f"审查对象：{'、'.join(wrong)} 不是{Stage(stage).label}"]
    _fail(errors)
    batch = ReviewBatch.objects.create(county=county, org_path=county.path, title=title.strip(), stage=stage,
                                       sent_on=sent_on, due_on=due_on, created_by=actor.user)
    subjects = ReviewSubject.objects.bulk_create(
        [ReviewSubject(batch=batch, dossier=d, org_path=d.org_path) for d in dossiers])
    DepartmentReply.objects.bulk_create([DepartmentReply(subject=s, department=dept)
                                         for s in subjects for dept in departments])
    audit_log(actor=actor, action="reviews.batch_create", obj_type="review_batch", obj_id=batch.pk,
              after={"title": batch.title, "stage": stage, "sent_on": sent_on, "due_on": due_on, "dossiers": ids,
                     "departments": [d.name for d in departments]})
    return batch


@dataclass(frozen=True)
class ReplyInput:
    finding: str
    replied_on: dt.date | None
    note: str = ""
    hits: dict[int, str] = field(default_factory=dict)  # item id → note, for the items that apply


@transaction.atomic
def reply_answer(*, actor: Actor, reply_id: int, inp: ReplyInput) -> DepartmentReply:
    """A department reviewer answers for one person: hit or not per item, and the department's finding."""
    dept = reviewer_department(actor.user)
    reply = (DepartmentReply.objects.select_for_update().select_related("subject__batch", "subject__dossier")
             .filter(pk=reply_id).first())
    if dept is None or reply is None or reply.department_id != dept.pk:
        raise OutOfScope()
    batch = reply.subject.batch
    items = {i.pk: i for i in batch_items(batch, dept)}
    errors: dict[str, list[str]] = {}
    if inp.finding not in ReplyFinding.values:
        errors["finding"] = ["部门意见：请选择"]
    _check_date(errors, "replied_on", "回复日期", inp.replied_on, today=clock.today())
    if inp.replied_on and inp.replied_on < batch.sent_on:
        errors.setdefault("replied_on", []).append(f"回复日期：早于发送日期 {batch.sent_on.isoformat()}")
    unknown = set(inp.hits) - set(items)
    if unknown:
        errors["hits"] = ["命中条目：含有不属于本部门本阶段的条目"]
    if inp.hits and inp.finding == ReplyFinding.NONE:
        errors.setdefault("finding", []).append("部门意见：有命中的负面清单条目时，不能选“未发现问题”")
    if inp.finding == ReplyFinding.BLOCKING and not inp.note.strip() and not inp.hits:
        errors.setdefault("note", []).append("说明：存在否决情形时，请勾选命中条目或写明情况")
    _fail(errors)
    before = {"finding": reply.finding, "replied_on": reply.replied_on}
    reply.finding, reply.replied_on, reply.note = inp.finding, inp.replied_on, inp.note.strip()
    reply.answered_by, reply.answered_at = actor.user, clock.now()
    reply.save()
    reply.answers.all().delete()
    ItemAnswer.objects.bulk_create([ItemAnswer(reply=reply, item=items[pk], hit=pk in inp.hits,
                                               note=(inp.hits.get(pk) or "")[:200]) for pk in items])
    dossier_refresh(dossier_ids=[reply.subject.dossier_id])
    audit_log(actor=actor, action="reviews.reply", obj_type="review_reply", obj_id=reply.pk, before=before,
              after={"department": dept.name, "dossier": reply.subject.dossier_id, "finding": inp.finding,
                     "replied_on": inp.replied_on, "hits": sorted(items[pk].code for pk in inp.hits)})
    return reply


# --- 近亲属报备 ---------------------------------------------------------------------------------------------
@transaction.atomic
def kinship_report(*, actor: Actor, dossier_id: int, cadre_name: str, cadre_post: str, relation: str,
                   reported_on: dt.date | None) -> KinshipReport:
    """Report that the person is a near relative of a serving village cadre (goes to the township, then county)."""
    dossier = _writable_dossier(actor, dossier_id)
    errors: dict[str, list[str]] = {}
    if not (cadre_name or "").strip():
        errors["cadre_name"] = ["村干部姓名：必填"]
    if not (cadre_post or "").strip():
        errors["cadre_post"] = ["村干部职务：必填"]
    if relation not in Relation.values:
        errors["relation"] = ["亲属关系：请选择"]
    _check_date(errors, "reported_on", "报备日期", reported_on, today=clock.today())
    _fail(errors)
    report = KinshipReport.objects.create(dossier=dossier, org_path=dossier.org_path, cadre_name=cadre_name.strip(),
                                          cadre_post=cadre_post.strip(), relation=relation, reported_on=reported_on,
                                          reported_by=actor.user)
    dossier_refresh(dossier_ids=[dossier.pk])
    audit_log(actor=actor, action="reviews.kinship_report", obj_type="kinship_report", obj_id=report.pk,
              after={"dossier": dossier.pk, "cadre_name": report.cadre_name, "cadre_post": report.cadre_post,
                     "relation": relation, "reported_on": reported_on})
    return report


def _kinship_for_update(actor: Actor, report_id: int) -> KinshipReport:
    report = KinshipReport.objects.select_for_update().filter(pk=report_id).first()
    if report is None or not path_visible(actor.user, report.org_path):
        raise OutOfScope()
    return report


@transaction.atomic
def kinship_forward(*, actor: Actor, report_id: int, opinion: str, forwarded_on: dt.date | None) -> KinshipReport:
    """The township committee reviews the report and sends it up to the county organization department."""
    report = _kinship_for_update(actor, report_id)
    if actor.user.role not in (Role.TOWNSHIP_ORGANIZER, Role.COUNTY_ADMIN):
        raise NotAllowed("由乡镇（街道）党（工）委审核上报")
    errors: dict[str, list[str]] = {}
    if report.state != KinshipState.REPORTED:
        errors["__all__"] = [f"该报备当前状态为“{report.get_state_display()}”，不能再上报"]
    if not (opinion or "").strip():
        errors["township_opinion"] = ["乡镇党委意见：必填"]
    _check_date(errors, "forwarded_on", "上报日期", forwarded_on, today=clock.today())
    if forwarded_on and forwarded_on < report.reported_on:
        errors.setdefault("forwarded_on", []).append("上报日期：早于报备日期")
    _fail(errors)
    report.township_opinion, report.forwarded_on, report.state = opinion.strip(), forwarded_on, KinshipState.FORWARDED
    report.save()
    audit_log(actor=actor, action="reviews.kinship_forward", obj_type="kinship_report", obj_id=report.pk,
              after={"opinion": report.township_opinion, "forwarded_on": forwarded_on})
    return report


@transaction.atomic
def kinship_decide(*, actor: Actor, report_id: int, approve: bool, decided_on: dt.date | None, document_no: str,
                   note: str = "") -> KinshipReport:
    """The county organization department approves or refuses, with its document number and date."""
    report = _kinship_for_update(actor, report_id)
    _county_of_admin(actor)
    errors: dict[str, list[str]] = {}
    if report.state not in (KinshipState.REPORTED, KinshipState.FORWARDED):
        errors["__all__"] = [f"该报备已审批（{report.get_state_display()}）"]
    _check_date(errors, "decided_on", "审批日期", decided_on, today=clock.today())
    if decided_on and decided_on < report.reported_on:
        errors.setdefault("decided_on", []).append("审批日期：早于报备日期")
    if not (document_no or "").strip():
        errors["document_no"] = ["批复文号：必填"]
    _fail(errors)
    report.state = KinshipState.APPROVED if approve else KinshipState.REFUSED
    report.decided_on, report.document_no, report.decision_note = decided_on, document_no.strip(), note.strip()
    report.decided_by = actor.user
    report.save()
    dossier_refresh(dossier_ids=[report.dossier_id])
    audit_log(actor=actor, action="reviews.kinship_decide", obj_type="kinship_report", obj_id=report.pk,
              after={"state": report.state, "decided_on": decided_on, "document_no": report.document_no})
    return report


# --- 县级复审 -----------------------------------------------------------------------------------------------
@transaction.atomic
def county_review_record(*, actor: Actor, dossier_id: int, reviewed_on: dt.date | None, result: str, opinion: str,
                         reviewer: str) -> CountyReview:
    """The county organization department's re-review of a dossier that passed the township's pre-review (S13)."""
    _county_of_admin(actor)
    dossier = _writable_dossier(actor, dossier_id)
    errors: dict[str, list[str]] = {}
    pre = StepRecord.objects.filter(dossier=dossier, step="S13").order_by("-seq").first()
    if pre is None:
        errors["__all__"] = ["尚未记录乡镇党委预审（S13），不能复审"]
    elif pre.data.get("result") != "pass":
        # 三级审查: the county re-reviews only what the township's pre-review passed (细则第19条: 预审合格).
        shown = {"fail": "未通过"}.get(pre.data.get("result") or "", "未记录")
        errors["__all__"] = [f"乡镇党委预审（S13）结论为“{shown}”，预审通过后才能由县委组织部复审"]
    _check_date(errors, "reviewed_on", "复审日期", reviewed_on, today=clock.today())
    if pre and reviewed_on and reviewed_on < pre.date:
        errors.setdefault("reviewed_on", []).append(f"复审日期：早于乡镇党委预审日期 {pre.date.isoformat()}")
    if result not in ReviewResult.values:
        errors["result"] = ["复审结论：请选择"]
    if not (opinion or "").strip():
        errors["opinion"] = ["复审意见：必填"]
    if not (reviewer or "").strip():
        errors["reviewer"] = ["复审人：必填"]
    _fail(errors)
    review = CountyReview.objects.create(dossier=dossier, org_path=dossier.org_path, reviewed_on=reviewed_on,
                                         result=result, opinion=opinion.strip(), reviewer=reviewer.strip(),
                                         entered_by=actor.user, entered_at=clock.now())
    dossier_refresh(dossier_ids=[dossier.pk])
    audit_log(actor=actor, action="reviews.county_review", obj_type="dossier", obj_id=dossier.pk,
              after={"reviewed_on": reviewed_on, "result": result, "reviewer": review.reviewer})
    return review


# --- 公示 --------------------------------------------------------------------------------------------------
def notice_end(start: dt.date, working_days: int) -> tuple[dt.date, bool]:
    """The last day of a notice of `working_days` official working days from `start` (start counted if it is a
    working day), by the engine's calendar; and whether a year the calendar does not know was used."""
    day, counted, provisional = start, 0, False
    while True:
        info = workdays.day_info(day)
        provisional = provisional or info.provisional
        if info.working:
            counted += 1
            if counted >= working_days:
                return day, provisional
        day += dt.timedelta(days=1)


@dataclass(frozen=True)
class NoticeInput:
    org_code: str
    point: str
    start: dt.date | None
    working_days: int | None
    contact_phone: str
    feedback_address: str
    dossier_ids: list[int]


@transaction.atomic
def notice_create(*, actor: Actor, inp: NoticeInput) -> Notice:
    """A notice for one or more people of one organization at one point; the end counted in working days."""
    if not actor.user or not actor.user.can_write:
        raise NotAllowed("只读用户不能发布公示")
    org = visible_to(actor.user, Organization).filter(code=inp.org_code).first()
    errors: dict[str, list[str]] = {}
    if org is None:
        errors["organization"] = ["公示单位：请选择您管辖范围内的党组织"]
    if inp.point not in Stage.values:
        errors["point"] = ["公示环节：请选择"]
    if inp.start is None:
        errors["start"] = ["公示开始：必填"]
    days = inp.working_days
    if days is None and org is not None:
        days = engine.config_for(org.path)[0].get("publicity_working_days")
    if days is None:
        errors["working_days"] = ["公示工作日数：必填（县里未设置默认天数）"]
    elif not 1 <= days <= 30:
        errors["working_days"] = ["公示工作日数：应在 1 到 30 之间"]
    if not (inp.contact_phone or "").strip():
        errors["contact_phone"] = ["监督电话：必填"]
    if not (inp.feedback_address or "").strip():
        errors["feedback_address"] = ["来信来访地址：必填"]
    ids = sorted(set(inp.dossier_ids))
    if not ids:
        errors["dossiers"] = ["公示对象：请至少选择一人"]
    dossiers = list(visible_to(actor.user, Dossier).select_related("person").filter(pk__in=ids))
    if len(dossiers) != len(ids):
        raise OutOfScope()
    if org is not None:
        outside = [d.person.name for d in dossiers if not d.org_path.startswith(org.path)]
        if outside:
            errors["dossiers"] = [f"公示对象：{'、'.join(outside)} 不属于{org.name}"]
    _fail(errors)
    end, provisional = notice_end(inp.start, days)
    notice = Notice.objects.create(organization=org, org_path=org.path, point=inp.point, start=inp.start,
                                   working_days=days, end=end, provisional=provisional,
                                   contact_phone=inp.contact_phone.strip(),
                                   feedback_address=inp.feedback_address.strip(), created_by=actor.user)
    notice.dossiers.set(dossiers)
    dossier_refresh(dossier_ids=ids)
    audit_log(actor=actor, action="reviews.notice_create", obj_type="notice", obj_id=notice.pk,
              after={"organization": org.code, "point": inp.point, "start": inp.start, "end": end,
                     "working_days": days, "dossiers": ids})
    return notice


@transaction.atomic
def notice_add_feedback(*, actor: Actor, notice_id: int, received_on: dt.date | None, channel: str, content: str,
                        handling: str = "") -> NoticeFeedback:
    """Record feedback received during a notice, and how it was checked."""
    notice = Notice.objects.select_for_update().filter(pk=notice_id).first()
    if notice is None or not path_visible(actor.user, notice.org_path):
        raise OutOfScope()
    if not actor.user.can_write:
        raise NotAllowed("只读用户不能登记公示反馈")
    errors: dict[str, list[str]] = {}
    _check_date(errors, "received_on", "收到日期", received_on, today=clock.today())
    if received_on and received_on < notice.start:
        errors.setdefault("received_on", []).append(f"收到日期：早于公示开始 {notice.start.isoformat()}")
    if channel not in {c for c, _ in NoticeFeedback._meta.get_field("channel").choices}:
        errors["channel"] = ["方式：请选择"]
    if not (content or "").strip():
        errors["content"] = ["反映内容：必填"]
    _fail(errors)
    fb = NoticeFeedback.objects.create(notice=notice, received_on=received_on, channel=channel,
                                       content=content.strip(), handling=(handling or "").strip(),
                                       entered_by=actor.user)
    audit_log(actor=actor, action="reviews.notice_feedback", obj_type="notice", obj_id=notice.pk,
              after={"received_on": received_on, "channel": channel})
    return fb

