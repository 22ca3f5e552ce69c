"""/api/dossiers and /api/findings: the same selectors and services as the pages, the same scope."""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema, Status
from ninja.errors import HttpError

from dangjian.core.audit import actor_from_request
from dangjian.development.models import Dossier, RecordMode
from dangjian.development.selectors import FindingFilter, dossier_detail, dossier_queryset, finding_list
from dangjian.development.services import RuleViolation, StepInput, dossier_record_step

router = Router(tags=["发展党员"])


class FindingOut(Schema):
    code: str
    severity: str
    step: str
    message: str
    source: str
    provisional: bool


class DossierOut(Schema):
    id: int
    person_id: int
    name: str
    organization_code: str
    status: str
    next_step: str
    errors: int
    warnings: int
    computed: dict
    due: list


class RecordOut(Schema):
    step: str
    seq: int
    date: dt.date
    data: dict
    responsible_name: str
    responsible_role: str
    mode: str
    entered_at: dt.datetime
    late_days: int
    override_reason: str


class DossierDetailOut(DossierOut):
    records: list[RecordOut]
    findings: list[FindingOut]


class DossierPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[DossierOut]


def _out(d: Dossier) -> dict:
    return {"id": d.pk, "person_id": d.person_id, "name": d.person.name, "organization_code": d.organization.code,
            "status": d.status, "next_step": d.next_step, "errors": d.errors, "warnings": d.warnings,
            "computed": d.computed, "due": d.due}


def _detail(d: Dossier) -> dict:
    return {**_out(d),
            "records": [{"step": r.step, "seq": r.seq, "date": r.date, "data": r.data,
                         "responsible_name": r.responsible_name, "responsible_role": r.responsible_role,
                         "mode": r.mode, "entered_at": r.entered_at, "late_days": r.late_days,
                         "override_reason": r.override_reason} for r in d.records.all()],
            "findings": [{"code": f.code, "severity": f.severity, "step": f.step, "message": f.message,
                          "source": f.source, "provisional": f.provisional} for f in d.findings.all()]}


@router.get("/dossiers", response=DossierPage, summary="发展党员档案列表")
def dossiers(request, status: str = "", page: int = 1, page_size: int = 50):
    # A huge page number gives an empty page, not an OFFSET overflow in the database.
    page, page_size = min(max(page, 1), 100_000), min(max(page_size, 1), 200)
    qs = dossier_queryset(user=request.user).order_by("org_path", "id")
    if status:
        qs = qs.filter(status=status)
    rows = list(qs[(page - 1) * page_size: page * page_size])
    return {"count": qs.count(), "page": page, "page_size": page_size, "items": [_out(d) for d in rows]}


@router.get("/dossiers/{int:dossier_id}", response=DossierDetailOut, summary="档案详情（步骤记录、问题、计算日期）")
def dossier(request, dossier_id: int):
    return _detail(dossier_detail(actor=actor_from_request(request), dossier_id=dossier_id, channel="api"))


class StepIn(Schema):
    step: str
    date: dt.date
    data: dict = {}
    seq: int | None = None
    responsible_name: str = ""
    responsible_role: str = ""
    mode: str = RecordMode.LIVE
    override_reason: str = ""


@router.post("/dossiers/{int:dossier_id}/steps", response={201: DossierDetailOut}, summary="记录一个步骤")
def record_step(request, dossier_id: int, body: StepIn):
    actor = actor_from_request(request)
    try:
        dossier_record_step(actor=actor, dossier_id=dossier_id, inp=StepInput(**body.dict()))
    except RuleViolation as exc:
        raise HttpError(422, "违反规定，不能按时记录：" + "；".join(f["message"] for f in exc.findings)) from exc
    return Status(201, _detail(dossier_detail(actor=actor, dossier_id=dossier_id, channel="api")))


class FindingRow(FindingOut):
    dossier_id: int
    name: str
    organization_code: str


@router.get("/findings", response=list[FindingRow], summary="问题清单（本组织及下级）")
def findings(request, code: str = "", severity: str = "", org: str = "", limit: int = 500):
    rows = finding_list(user=request.user, filters=FindingFilter(code=code, severity=severity, org=org))[:min(limit, 5000)]
    return [{"dossier_id": f.dossier_id, "name": f.dossier.person.name, "organization_code": f.dossier.organization.code,
             "code": f.code, "severity": f.severity, "step": f.step, "message": f.message, "source": f.source,
             "provisional": f.provisional} for f in rows]
