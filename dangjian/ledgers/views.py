"""Ledger pages: upload, confirm the columns, read the preview, commit; the check-up; exports; templates.
Thin: parse, call a service or selector, render. The work itself runs in a job (jobs.py), never in here."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dangjian.core.audit import actor_from_request
from dangjian.core.errors import NotAllowed
from dangjian.ledgers import jobs
from dangjian.ledgers.columns import KINDS, TEMPLATES
from dangjian.ledgers.forms import ExportForm, MappingForm, UploadForm
from dangjian.ledgers.models import JobPurpose, JobState
from dangjian.ledgers.selectors import job_get, job_list
from dangjian.ledgers.services import column_help, template_xlsx
from dangjian.orgs.selectors import org_list

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _messages(exc: ValidationError) -> list[str]:
    return [m for ms in exc.message_dict.values() for m in ms] if hasattr(exc, "error_dict") else list(exc.messages)


@login_required
def index(request):
    return render(request, "ledgers/index.html", {
        "kinds": [(k, label, [(c.label, column_help(c, k)) for c in TEMPLATES[k]]) for k, label in KINDS.items()],
        "jobs": job_list(user=request.user)[:20]})


@login_required
def template(request, kind: str):
    if kind not in KINDS:
        raise Http404("没有这种台账")
    import tempfile

    fh = tempfile.TemporaryFile()
    template_xlsx(kind, fh)
    fh.seek(0)
    resp = FileResponse(fh, content_type=XLSX)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(KINDS[kind] + '模板.xlsx')}"
    return resp


def _upload(request, purpose: str):
    check = purpose == JobPurpose.CHECK
    if purpose == JobPurpose.IMPORT and not request.user.can_write:
        raise NotAllowed("只读用户不能导入台账")
    orgs = org_list(user=request.user)
    form = UploadForm(request.POST or None, request.FILES or None, orgs=orgs, check=check)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                job = jobs.job_create_upload(actor=actor_from_request(request), purpose=purpose,
                                             upload=form.cleaned_data["file"], kind=form.cleaned_data["kind"],
                                             default_org=form.cleaned_data.get("default_org") or "")
            except ValidationError as exc:
                for m in _messages(exc):
                    form.add_error(None, m)
            else:
                return redirect("ledgers:job", pk=job.pk)
        status = 400
    return render(request, "ledgers/upload.html", {"form": form, "check": check}, status=status)


@login_required
def import_upload(request):
    return _upload(request, JobPurpose.IMPORT)


@login_required
def check_upload(request):
    return _upload(request, JobPurpose.CHECK)


@login_required
def export(request):
    orgs = org_list(user=request.user)
    form = ExportForm(request.POST or None, orgs=orgs, can_reveal=request.user.can_reveal_id)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                job = jobs.job_create_export(actor=actor_from_request(request), kind=form.cleaned_data["kind"],
                                             org_code=form.cleaned_data["org"] or "",
                                             reveal_ids=form.cleaned_data.get("reveal_ids", False))
            except ValidationError as exc:
                for m in _messages(exc):
                    form.add_error(None, m)
            else:
                return redirect("ledgers:job", pk=job.pk)
        status = 400
    return render(request, "ledgers/export.html", {"form": form}, status=status)


def _mapping_form(request, job, data=None):
    initial = {f"col_{i}": k for i, k in job.mapping.items()}
    initial.update(kind=job.kind or "probationary", default_org=job.default_org)
    return MappingForm(data, headers=job.table.get("headers", []), orgs=org_list(user=request.user),
                       check=job.purpose == JobPurpose.CHECK, initial=initial)


@login_required
def job_view(request, pk: int):
    job = jobs.job_refresh(job_get(user=request.user, job_id=pk))
    form = _mapping_form(request, job) if job.state == JobState.MAPPING else None
    return render(request, "ledgers/job.html", {"job": job, "form": form, "kinds": KINDS})


@login_required
def job_progress(request, pk: int):
    job = jobs.job_refresh(job_get(user=request.user, job_id=pk))
    if not job.busy:
        # Finished: the whole page reloads to show the mapping, the preview or the result.
        resp = HttpResponse("")
        resp["HX-Refresh"] = "true"
        return resp
    return render(request, "ledgers/_progress.html", {"job": job})


@login_required
@require_POST
def job_mapping(request, pk: int):
    job = job_get(user=request.user, job_id=pk)
    form = _mapping_form(request, job, request.POST)
    problems: list[str] = []
    if form.is_valid():
        issues = jobs.job_set_mapping(actor=actor_from_request(request), job_id=pk, kind=form.cleaned_data["kind"],
                                      mapping=form.mapping(), default_org=form.cleaned_data.get("default_org") or "")
        if not issues:
            return redirect("ledgers:job", pk=pk)
        problems = [i.message for i in issues]
    return render(request, "ledgers/job.html", {"job": job, "form": form, "kinds": KINDS, "problems": problems},
                  status=400)


@login_required
@require_POST
def job_commit(request, pk: int):
    try:
        jobs.job_commit(actor=actor_from_request(request), job_id=pk)
    except ValidationError as exc:
        job = job_get(user=request.user, job_id=pk)
        return render(request, "ledgers/job.html", {"job": job, "kinds": KINDS, "problems": _messages(exc)},
                      status=400)
    return redirect("ledgers:job", pk=pk)


@login_required
@require_POST
def job_cancel(request, pk: int):
    jobs.job_cancel(actor=actor_from_request(request), job_id=pk)
    return redirect("ledgers:index")


@login_required
def job_download(request, pk: int):
    try:
        fh, name = jobs.job_take_result(actor=actor_from_request(request), job_id=pk)
    except ValidationError as exc:
        return render(request, "core/error.html", {"title": "文件不可用", "message": "；".join(_messages(exc))},
                      status=410)
    resp = FileResponse(fh, content_type=XLSX)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return resp
