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
from dangjian.development.models import Dossier
from dangjian.orgs.models import Organization, Role
from dangjian.reviews.models import (
    CountyReview,
    Department,
    DepartmentReply,
    DepartmentReviewer,
    KinshipReport,
    NegativeItem,
    Notice,
    ReviewBatch,
    ReviewSubject,
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


def item_list(*, user) -> QuerySet[NegativeItem]:
    return visible_to(user, NegativeItem).select_related("department").order_by("code")


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


def dossiers_at(*, user, status: str) -> QuerySet[Dossier]:
    """The dossiers of a status in the user's scope (choices for a batch or a notice)."""
    return visible_to(user, Dossier).filter(status=status).select_related("person", "organization").order_by(
        "org_path", "id")
