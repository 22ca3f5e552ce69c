"""Reads of the reviews app, always from the user's scope. A department reviewer is outside the org tree (core.scope
gives him nothing): his reads start from his department, and each answers only what was sent to it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from dangjian.core.audit import Actor, audit_log
from dangjian.core.errors import OutOfScope
from dangjian.core.scope import visible_to
from dangjian.development import engine
from dangjian.development.models import Dossier, DossierStatus, StepRecord
from dangjian.orgs.models import Organization, Role
from dangjian.reviews.models import (
    CountyReview,
    Department,
    DepartmentReply,
    DepartmentReviewer,
    ItemAnswer,
    KinshipReport,
    KinshipState,
    NegativeItem,
    Notice,
    NoticeFeedback,
    ReviewBatch,
    ReviewSubject,
    Stage,
)


def county_of_admin(user) -> Organization | None:
    """The county a county admin works for (None for every other user)."""
    org = getattr(user, "organization", None)
    if getattr(user, "role", "") != Role.COUNTY_ADMIN or org is None:
        return None
    county = engine.county_of(org.path)
    return county if county is not None and county.path == org.path else None


def reviewer_department(user) -> Department | None:
    """The department of a dept_reviewer user (None for anyone else, or an inactive link)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.role != Role.DEPT_REVIEWER:
        return None
    link = DepartmentReviewer.objects.select_related("department").filter(user=user).first()
    return link.department if link else None


def batch_items(batch: ReviewBatch, department: Department) -> list[NegativeItem]:
    """The items a department answers in a batch: its active items checked at the batch's stage."""
    return list(NegativeItem.objects.filter(department=department, active=True, stage=batch.stage).order_by("code"))




def department_list(*, user) -> QuerySet[Department]:
    return (visible_to(user, Department).annotate(n_items=Count("items", filter=Q(items__active=True), distinct=True),
                                                  n_reviewers=Count("reviewers", distinct=True)).order_by("id"))


def department_get(*, user, department_id: int) -> Department:
    """One 联审 department of the user's county (the edit page and the switch); outside it: 404."""
    dept = visible_to(user, Department).filter(pk=department_id).first()
    if dept is None:
        raise OutOfScope()
    return dept


def item_list(*, user) -> QuerySet[NegativeItem]:
    return visible_to(user, NegativeItem).select_related("department").order_by("code")


def item_get(*, user, item_id: int) -> NegativeItem:
    """One negative-list item of the user's county; outside it: 404."""
    item = item_list(user=user).filter(pk=item_id).first()
    if item is None:
        raise OutOfScope()
    return item


def batch_list(*, user, today: dt.date) -> QuerySet[ReviewBatch]:
    """The county's batches with how many replies are answered and overdue."""
    open_ = Q(subjects__replies__finding="")
    return (visible_to(user, ReviewBatch)
            .annotate(n_people=Count("subjects", distinct=True),
                      n_replies=Count("subjects__replies", distinct=True),
                      n_open=Count("subjects__replies", filter=open_, distinct=True),
                      n_answered=Count("subjects__replies", filter=~open_, distinct=True),
                      n_blocking=Count("subjects__replies", filter=Q(subjects__replies__finding="blocking"),
                                       distinct=True))
            .order_by("-sent_on", "-id"))


@dataclass
class BatchRow:
    subject: ReviewSubject
    replies: list[DepartmentReply]  # in the order of the batch's departments


def batch_detail(*, actor: Actor, batch_id: int) -> tuple[ReviewBatch, list[Department], list[BatchRow]]:
    batch = visible_to(actor.user, ReviewBatch).filter(pk=batch_id).first()
    if batch is None:
        raise OutOfScope()
    subjects = list(batch.subjects.select_related("dossier__person", "dossier__organization").prefetch_related(
        Prefetch("replies", queryset=DepartmentReply.objects.select_related("department").order_by("department_id")))
        .order_by("org_path", "id"))
    departments = sorted({r.department for s in subjects for r in s.replies.all()}, key=lambda d: d.pk)
    rows = [BatchRow(subject=s, replies=list(s.replies.all())) for s in subjects]
    audit_log(actor=actor, action="reviews.batch_view", obj_type="review_batch", obj_id=batch.pk,
              detail={"people": len(rows)})
    return batch, departments, rows


def overdue_replies(*, user, today: dt.date) -> QuerySet[DepartmentReply]:
    """Replies not given by their batch's due date, in the user's scope (the county's view)."""
    batches = visible_to(user, ReviewBatch)
    return (DepartmentReply.objects.filter(subject__batch__in=batches, finding="", subject__batch__due_on__lt=today)
            .select_related("department", "subject__batch", "subject__dossier__person",
                            "subject__dossier__organization")
            .order_by("subject__batch__due_on", "department_id", "subject_id"))


def reviewer_inbox(*, actor: Actor, department: Department, answered: bool) -> list[DepartmentReply]:
    """What was sent to the reviewer's department (open first, or the answered ones). Reading it is audited."""
    qs = (DepartmentReply.objects.filter(department=department)
          .select_related("subject__batch", "subject__dossier__person", "subject__dossier__organization"))
    qs = qs.exclude(finding="") if answered else qs.filter(finding="")
    rows = list(qs.order_by("subject__batch__due_on", "subject__batch_id", "subject_id")[:500])
    audit_log(actor=actor, action="reviews.inbox_view", obj_type="review_department", obj_id=department.pk,
              detail={"answered": answered, "shown": len(rows)})
    return rows


def reviewer_reply(*, actor: Actor, department: Department | None, reply_id: int) -> DepartmentReply:
    """One person's reply form for the reviewer's department; anything else answers 404. Audited."""
    reply = (DepartmentReply.objects.select_related("subject__batch", "subject__dossier__person",
                                                    "subject__dossier__organization", "department")
             .filter(pk=reply_id).first())
    if department is None or reply is None or reply.department_id != department.pk:
        raise OutOfScope()
    audit_log(actor=actor, action="reviews.reply_view", obj_type="review_reply", obj_id=reply.pk,
              detail={"dossier": reply.subject.dossier_id})
    return reply


def kinship_list(*, user) -> QuerySet[KinshipReport]:
    return visible_to(user, KinshipReport).select_related("dossier__person", "dossier__organization")


def county_review_queue(*, user) -> QuerySet[Dossier]:
    """Dossiers waiting for the county's re-review: the township's pre-review (S13) recorded with result pass, no
    county re-review yet."""
    return (visible_to(user, Dossier).filter(records__step="S13", records__data__result="pass")
            .exclude(county_reviews__isnull=False).select_related("person", "organization")
            .distinct().order_by("org_path", "id"))


@dataclass
class ReviewLevel:
    """One level of 三级审查 as recorded: S12 支部审查, S13 党委预审 (step records) or 县委组织部复审."""

    level: str
    step: str
    date: dt.date | None
    result: str  # as shown ("—" where the level records none)
    passed: bool | None
    responsible: str
    notes: list[str]


def _record_level(level: str, rec: StepRecord | None, step: str) -> ReviewLevel:
    if rec is None:
        return ReviewLevel(level, step, None, "尚未记录", None, "—", [])
    result = rec.data.get("result") if step == "S13" else None
    notes = []
    if step == "S13":
        notes.append("已书面通知党支部" if rec.data.get("written_notice") else "未记录书面通知党支部")
    if rec.mode == "past":
        notes.append(f"补录（{rec.entered_at:%Y-%m-%d} 录入）")
    if rec.override_reason:
        notes.append(f"违规放行：{rec.override_reason}")
    shown = {"pass": "通过", "fail": "未通过"}.get(result or "", "—" if step == "S12" else "未记录结论")
    responsible = rec.responsible_name or "（未记录责任人）"
    if rec.responsible_role:
        responsible += f"（{rec.responsible_role}）"
    return ReviewLevel(level, step, rec.date, shown, None if step == "S12" else result == "pass", responsible, notes)


def review_levels(*, user, dossier: Dossier) -> list[ReviewLevel]:
    """The three levels of 三级审查 of a dossier in the user's scope, in order: the branch review (S12), the
    township's pre-review (S13), then each county re-review (newest first). The latest record of each step."""
    dossiers = visible_to(user, Dossier).filter(pk=dossier.pk)
    latest: dict[str, StepRecord] = {}
    for rec in StepRecord.objects.filter(dossier__in=dossiers, step__in=("S12", "S13")).order_by("step", "seq"):
        latest[rec.step] = rec
    levels = [_record_level("支部委员会审查", latest.get("S12"), "S12"),
              _record_level("乡镇党委预审", latest.get("S13"), "S13")]
    for c in visible_to(user, CountyReview).filter(dossier=dossier):
        levels.append(ReviewLevel("县委组织部复审", "", c.reviewed_on, c.get_result_display(), c.result == "pass",
                                  c.reviewer, [c.opinion]))
    return levels


def county_review_recent(*, user, limit: int = 50) -> QuerySet[CountyReview]:
    return visible_to(user, CountyReview).select_related("dossier__person", "dossier__organization")[:limit]


def notice_list(*, user) -> QuerySet[Notice]:
    return (visible_to(user, Notice).select_related("organization")
            .annotate(n_people=Count("dossiers", distinct=True), n_feedback=Count("feedback", distinct=True)))


def notice_detail(*, actor: Actor, notice_id: int, channel: str = "web") -> Notice:
    notice = visible_to(actor.user, Notice).select_related("organization").filter(pk=notice_id).first()
    if notice is None:
        raise OutOfScope()
    audit_log(actor=actor, action="reviews.notice_view", obj_type="notice", obj_id=notice.pk,
              detail={"channel": channel})
    return notice


def notice_people(notice: Notice) -> list[Dossier]:
    return list(notice.dossiers.select_related("person", "organization").order_by("org_path", "id"))


def notice_feedback(notice: Notice) -> list[NoticeFeedback]:
    """The feedback received on a notice already fetched through :func:`notice_detail` (so in scope)."""
    return list(notice.feedback.all())


def reply_answers(reply: DepartmentReply) -> dict[int, ItemAnswer]:
    """A reply's answers by negative-list item, for a reply fetched through :func:`reviewer_reply`."""
    return {a.item_id: a for a in reply.answers.all()}


@dataclass
class DossierReviews:
    dossier: Dossier
    replies: list[DepartmentReply]
    kinship: list[KinshipReport]
    county_reviews: list[CountyReview]
    notices: list[Notice]


def dossier_reviews(*, actor: Actor, dossier_id: int) -> DossierReviews:
    """Everything this app holds on one person: 联审 replies, kinship reports, county re-reviews, notices."""
    dossier = visible_to(actor.user, Dossier).select_related("person", "organization").filter(pk=dossier_id).first()
    if dossier is None:
        raise OutOfScope()
    audit_log(actor=actor, action="reviews.dossier_view", obj_type="dossier", obj_id=dossier.pk)
    replies = list(DepartmentReply.objects.filter(subject__dossier=dossier)
                   .select_related("department", "subject__batch")
                   .prefetch_related("answers__item").order_by("-subject__batch__sent_on", "department_id"))
    return DossierReviews(dossier=dossier, replies=replies, kinship=list(dossier.kinship_reports.all()),
                          county_reviews=list(dossier.county_reviews.all()),
                          notices=list(dossier.notices.select_related("organization").all()))


@dataclass
class ReviewsOverview:
    """What waits for the user on the reviews start page."""

    county: Organization | None
    overdue: list[DepartmentReply]
    batches: list[ReviewBatch]
    queue: int
    kinship_open: int
    notices: list[Notice]


def reviews_overview(*, user, today: dt.date) -> ReviewsOverview:
    """The start page: for the county admin 联审 overdue replies, recent batches and the re-review queue; for
    everyone the kinship reports still being handled and the recent notices, in his scope."""
    county = county_of_admin(user)
    open_kinship = kinship_list(user=user).filter(state__in=[KinshipState.REPORTED, KinshipState.FORWARDED])
    return ReviewsOverview(
        county=county,
        overdue=list(overdue_replies(user=user, today=today)[:200]) if county else [],
        batches=list(batch_list(user=user, today=today)[:10]) if county else [],
        queue=county_review_queue(user=user).count() if county else 0,
        kinship_open=open_kinship.count(),
        notices=list(notice_list(user=user)[:10]))


# The people a notice is about: those about to pass its point, or who just passed it.
NOTICE_STATUSES = {
    Stage.ACTIVIST: (DossierStatus.APPLICANT, DossierStatus.ACTIVIST),
    Stage.CANDIDATE: (DossierStatus.ACTIVIST, DossierStatus.CANDIDATE),
    Stage.ADMISSION: (DossierStatus.CANDIDATE, DossierStatus.PROBATIONARY),
    Stage.CONVERSION: (DossierStatus.PROBATIONARY, DossierStatus.FULL_MEMBER),
}


def notice_choices(*, user, point: str, limit: int = 500) -> tuple[list[Organization], list[Dossier]]:
    """The organizations a notice may be issued by and the people it may be about, in the user's scope
    (an unknown point: as for 发展对象)."""
    statuses = NOTICE_STATUSES.get(point, NOTICE_STATUSES[Stage.CANDIDATE])
    people = list(visible_to(user, Dossier).filter(status__in=statuses).select_related("person", "organization")
                  .order_by("org_path", "id"))
    orgs = list(visible_to(user, Organization).order_by("path")[:limit])
    return orgs, people


def dossiers_at(*, user, status: str) -> QuerySet[Dossier]:
    """The dossiers of a status in the user's scope (choices for a batch or a notice)."""
    return visible_to(user, Dossier).filter(status=status).select_related("person", "organization").order_by(
        "org_path", "id")
