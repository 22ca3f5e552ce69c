"""Dossier pages: the timeline, a form per step, the findings list. Thin: parse, call, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dangjian.core import clock
from dangjian.core.audit import actor_from_request, audit_log
from dangjian.core.errors import NotAllowed
from dangjian.core.xlsx import xlsx_response
from dangjian.development import engine
from dangjian.development.forms import CountyConfigForm, ProfileForm, StepForm
from dangjian.development.models import DossierStatus, RecordMode
from dangjian.development.selectors import (
    DUE_SORTS,
    FindingFilter,
    dossier_detail,
    dossier_queryset,
    due_list,
    finding_by_org,
    finding_list,
    finding_summary,
    late_entry_counts,
    timeline,
)
from dangjian.development.services import (
    RuleViolation,
    StepInput,
    county_config_update,
    dossier_open,
    dossier_record_step,
    dossier_set_profile,
)
from dangjian.development.stepdefs import STEP_DEFS
from dangjian.orgs.models import Role


@login_required
def dossier_index(request):
    qs = dossier_queryset(user=request.user).order_by("org_path", "id")
    status = request.GET.get("status", "")
    if status in DossierStatus.values:
        qs = qs.filter(status=status)
    if request.GET.get("faults"):
        qs = qs.filter(errors__gt=0)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "development/list.html", {"page": page, "status": status, "statuses": DossierStatus.choices,
                                                     "query": query.urlencode()})


@login_required
@require_POST
def dossier_start(request, person_id: int):
    try:
        dossier = dossier_open(actor=actor_from_request(request), person_id=person_id)
    except ValidationError as exc:
        messages.error(request, "；".join(m for ms in exc.message_dict.values() for m in ms))
        return redirect("people:detail", pk=person_id)
    return redirect("development:detail", pk=dossier.pk)


@login_required
def dossier_view(request, pk: int):
    dossier = dossier_detail(actor=actor_from_request(request), dossier_id=pk)
    _config, late_days = engine.config_for(dossier.org_path)
    rows = timeline(dossier, today=clock.today(), late_days=late_days)
    findings = list(dossier.findings.all())
    profile = ProfileForm(initial={"tier": dossier.tier, "expected_departure": dossier.expected_departure})
    return render(request, "development/detail.html", {"dossier": dossier, "rows": rows, "findings": findings,
                                                       "late_days": late_days, "profile": profile})


@login_required
def step_record(request, pk: int, step: str):
    actor = actor_from_request(request)
    dossier = dossier_detail(actor=actor, dossier_id=pk, channel="web-step")
    if step not in STEP_DEFS:
        return render(request, "core/error.html", {"title": "未找到", "message": "没有这个步骤。"}, status=404)
    if not request.user.can_write:
        raise NotAllowed("只读用户不能记录发展步骤")
    can_override = request.user.role == Role.COUNTY_ADMIN
    # ?seq=N corrects an existing record of the step (for S06, S21, S22–S24 the N-th one); without it, a new
    # record (repeatable steps) or the step's only record.
    seq = request.GET.get("seq")
    seq = int(seq) if seq and seq.isdigit() else None
    existing = dossier.records.filter(step=step, seq=seq).first() if seq else None
    if seq and existing is None:
        return render(request, "core/error.html", {"title": "未找到", "message": "没有这条记录。"}, status=404)
    initial = {"date": clock.today(), "record_mode": RecordMode.LIVE}
    if existing:
        initial = {**existing.data, "date": existing.date, "record_mode": existing.mode,
                   "responsible_name": existing.responsible_name, "responsible_role": existing.responsible_role}
    form = StepForm(step, request.POST or None, can_override=can_override, initial=initial)
    violations: list[dict] = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            cd = form.cleaned_data
            inp = StepInput(step=step, date=cd["date"], data=form.step_data(), seq=seq,
                            responsible_name=cd["responsible_name"],
                            responsible_role=cd["responsible_role"], mode=cd["record_mode"],
                            override_reason=cd.get("override_reason", ""))
            try:
                dossier_record_step(actor=actor, dossier_id=pk, inp=inp)
            except ValidationError as exc:
                for field, errs in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errs)
            except RuleViolation as exc:
                violations = exc.findings
            else:
                messages.success(request, f"已记录：{step} {STEP_DEFS[step].date_label} {cd['date']:%Y-%m-%d}")
                return redirect("development:detail", pk=pk)
        status = 400
    return render(request, "development/step_form.html", {"dossier": dossier, "form": form, "step": step,
                                                          "sdef": STEP_DEFS[step], "violations": violations,
                                                          "existing": existing,
                                                          "can_override": can_override}, status=status)


@login_required
def findings(request):
    filters = FindingFilter(code=request.GET.get("code", ""), severity=request.GET.get("severity", ""),
                            org=request.GET.get("org", ""))
    page = Paginator(finding_list(user=request.user, filters=filters), 100).get_page(request.GET.get("page"))
    late_days = engine.config_for(request.user.organization.path)[1] if request.user.organization else 30
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "development/findings.html", {
        "page": page, "summary": finding_summary(user=request.user), "by_org": finding_by_org(user=request.user),
        "filters": filters, "query": query.urlencode(),
        "late": late_entry_counts(user=request.user, late_days=late_days), "late_days": late_days})


@login_required
def due(request):
    sort = request.GET.get("sort", "date")
    sort = sort if sort in DUE_SORTS else "date"
    kind = request.GET.get("kind", "")
    items = due_list(user=request.user, today=clock.today(), sort=sort, kind=kind)
    audit_log(actor=actor_from_request(request), action="dossier.due_list", detail={"sort": sort, "kind": kind,
                                                                                     "shown": len(items)})
    if request.GET.get("format") == "xlsx":
        return xlsx_response("待办与逾期", ["期限", "事项", "步骤", "姓名", "党支部", "状态"],
                             [(dt.date.fromisoformat(i.date), i.label, i.step, i.dossier.person.name,
                               i.dossier.organization.name, "已逾期" if i.overdue else "可以办理" if i.ready else "待办")
                              for i in items],
                             filename=f"待办与逾期-{clock.today():%Y-%m-%d}.xlsx")
    return render(request, "development/due.html", {"items": items, "sort": sort, "kind": kind,
                                                    "overdue": sum(1 for i in items if i.overdue)})


@login_required
def county_config(request):
    """The county admin edits the county's rule settings; saving rechecks every dossier of the county."""
    county = engine.county_of(request.user.organization.path) if request.user.organization else None
    if county is None or request.user.role != Role.COUNTY_ADMIN:
        raise NotAllowed("只有县委组织部管理员可以修改规则设置")
    config, late_days = engine.config_for(county.path)
    form = CountyConfigForm(request.POST or None, initial=CountyConfigForm.initial_from(config, late_days))
    if request.method == "POST" and form.is_valid():
        try:
            n = county_config_update(actor=actor_from_request(request), county_code=county.code, config=form.config(),
                                     late_entry_days=form.cleaned_data["late_entry_days"])
        except ValidationError as exc:
            form.add_error(None, "；".join(m for ms in exc.message_dict.values() for m in ms))
        else:
            messages.success(request, f"规则设置已保存，已按新设置重新检查 {n} 份档案。")
            return redirect("development:config")
    return render(request, "development/config.html", {"form": form, "county": county},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def dossier_profile(request, pk: int):
    form = ProfileForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
        return redirect("development:detail", pk=pk)
    try:
        dossier_set_profile(actor=actor_from_request(request), dossier_id=pk, tier=form.cleaned_data["tier"],
                            expected_departure=form.cleaned_data["expected_departure"])
    except ValidationError as exc:
        messages.error(request, "；".join(m for ms in exc.message_dict.values() for m in ms))
    else:
        messages.success(request, "已保存。")
    return redirect("development:detail", pk=pk)
