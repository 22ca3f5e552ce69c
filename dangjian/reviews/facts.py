"""What the rules read from this app, as §5 keys per dossier (PROCEDURE §5): joint_review, negative_list_hits,
kinship_approval, person.near_relative_of_cadre, county_review and the publicity of each point. Registered with
development.engine.register_facts (apps.py): one query per batch of dossiers that have no review data (the common
case), at most five more when some have, whatever the batch's size."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from dangjian.development.models import Dossier
from dangjian.reviews.models import (
    CountyReview,
    DepartmentReply,
    ItemAnswer,
    KinshipReport,
    KinshipState,
    Notice,
    ReplyFinding,
    ReviewSubject,
)

# Where each point's notice goes in the §5 document (conversion: the latest conversion meeting).
NOTICE_TARGET = {"activist": ("activist",), "candidate": ("candidate",), "admission": ("admission_meeting",),
                 "conversion": ("conversions", "meeting")}


def _which(dossier_ids: list[int]) -> tuple[list[int], list[int], list[int], list[int]]:
    """Of these dossiers, those with 联审 replies, kinship reports, county re-reviews and notices: one query, so
    that a batch (or a single dossier, as a ledger import evaluates them) without any review data costs one."""
    rows = (Dossier.objects.filter(pk__in=dossier_ids)
            .annotate(j=Exists(ReviewSubject.objects.filter(dossier=OuterRef("pk"))),
                      k=Exists(KinshipReport.objects.filter(dossier=OuterRef("pk"))),
                      c=Exists(CountyReview.objects.filter(dossier=OuterRef("pk"))),
                      n=Exists(Notice.dossiers.through.objects.filter(dossier=OuterRef("pk"))))
            .filter(Q(j=True) | Q(k=True) | Q(c=True) | Q(n=True)).values_list("pk", "j", "k", "c", "n"))
    found: tuple[list[int], list[int], list[int], list[int]] = ([], [], [], [])
    for pk, *flags in rows:
        for i, flag in enumerate(flags):
            if flag:
                found[i].append(pk)
    return found


def review_facts(dossier_ids: list[int]) -> dict[int, dict]:
    out: dict[int, dict] = {}
    joint, kin, county, notices = _which(dossier_ids)

    def facts(dossier_id: int) -> dict:
        return out.setdefault(dossier_id, {})

    # 联审: every answered reply (all batches). The rules want each department's earliest reply on or before
    # the gate, and a blocking reply anywhere.
    for dossier_id, department, replied_on, finding in (
            DepartmentReply.objects.filter(subject__dossier_id__in=joint).exclude(finding="")
            .order_by("subject__dossier_id", "replied_on", "id")
            .values_list("subject__dossier_id", "department__name", "replied_on", "finding")):
        facts(dossier_id).setdefault("joint_review", []).append(
            {"department": department, "date": replied_on.isoformat() if replied_on else None, "finding": finding})
    # Hits count unless the department's reply cleared them (经核实已排除).
    for dossier_id, code, stage, effect in (
            ItemAnswer.objects.filter(reply__subject__dossier_id__in=joint, hit=True)
            .exclude(reply__finding=ReplyFinding.CLEARED).exclude(reply__finding="")
            .order_by("reply__subject__dossier_id", "item__code")
            .values_list("reply__subject__dossier_id", "item__code", "item__stage", "item__effect")):
        facts(dossier_id).setdefault("negative_list_hits", []).append({"item": code, "stage": stage, "effect": effect})
    # 近亲属: any report makes the person a near relative; the county's approval (the latest) is the gate's date.
    for dossier_id, state, decided_on in (KinshipReport.objects.filter(dossier_id__in=kin)
                                          .order_by("dossier_id", "id").values_list("dossier_id", "state",
                                                                                    "decided_on")):
        f = facts(dossier_id)
        f["person"] = {"near_relative_of_cadre": True}
        if state == KinshipState.APPROVED and decided_on:
            f["kinship_approval"] = {"date": decided_on.isoformat()}
    # 县级复审: the latest review (by date) is the one that counts.
    for dossier_id, reviewed_on, result in (CountyReview.objects.filter(dossier_id__in=county)
                                            .order_by("dossier_id", "reviewed_on", "id")
                                            .values_list("dossier_id", "reviewed_on", "result")):
        facts(dossier_id)["county_review"] = {"date": reviewed_on.isoformat(), "result": result}
    # 公示: the latest notice of each point overrides the step form's own notice dates.
    for dossier_id, point, start, end in (Notice.dossiers.through.objects.filter(dossier_id__in=notices)
                                          .order_by("dossier_id", "notice__start", "notice_id")
                                          .values_list("dossier_id", "notice__point", "notice__start",
                                                       "notice__end")):
        notice = {"publicity": {"start": start.isoformat(), "end": end.isoformat()}}
        target = NOTICE_TARGET[point]
        if len(target) == 1:
            facts(dossier_id)[target[0]] = notice
        else:
            facts(dossier_id)["conversions"] = [{"meeting": notice}]
    return out
