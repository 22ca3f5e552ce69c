"""Pages of the archives app. Thin: parse, call one service or selector, render."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from dangjian.archives import selectors, services, storage
from dangjian.archives.catalogue import PROBLEM_TYPES, RESPONSIBILITY_LABELS, STEP_RESPONSIBILITY
from dangjian.archives.forms import (
    ChecklistForm,
    DrawForm,
    ProblemForm,
    RectifyForm,
    ReviewForm,
    RoundForm,
    UploadForm,
)
from dangjian.archives.models import ProblemStatus
from dangjian.core import clock
from dangjian.core.audit import actor_from_request, audit_log
from dangjian.core.errors import NotAllowed
from dangjian.core.xlsx import xlsx_response
from dangjian.orgs.models import Role
from dangjian.orgs.selectors import org_get

CONTENT_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}


def _apply(form, exc: ValidationError) -> None:
    for fld, errs in exc.message_dict.items():
        form.add_error(fld if fld in form.fields else None, errs)


def _flat(exc: ValidationError) -> str:
    return "；".join(m for ms in exc.message_dict.values() for m in ms)


def _is_county_admin(user) -> bool:
    return user.role == Role.COUNTY_ADMIN


# --- completeness and a dossier's materials ------------------------------------------------------------------
@login_required
@require_GET
def index(request):
    org = org_get(user=request.user, code=request.GET["org"]) if request.GET.get("org") else None
    sort = request.GET.get("sort", "percent")
    by_org, by_dossier = selectors.completeness_lists(user=request.user, org=org, sort=sort)
    audit_log(actor=actor_from_request(request), action="archives.completeness_list",
              detail={"org": org.code if org else "", "dossiers": len(by_dossier)})
    expected = sum(r.expected for r in by_org)
    done = sum(r.done for r in by_org)
    return render(request, "archives/index.html", {
        "by_org": by_org, "by_dossier": by_dossier[:200], "more": max(0, len(by_dossier) - 200), "org": org,
        "sort": sort, "total": selectors.completeness(expected, done), "tab": "index"})


def _upload_items(archive) -> list[tuple[str, str]]:
    items = []
    for s in archive.steps:
        for m in s.materials:
            items.append((f"{s.step}|{m.name}", f"{s.step} {m.name}{'（已上传）' if m.files else ''}"))
        items.append((f"{s.step}|{services.OTHER_MATERIAL}", f"{s.step} {services.OTHER_MATERIAL}"))
    return items


@login_required
def dossier(request, pk: int):
    actor = actor_from_request(request)
    archive = selectors.dossier_archive(actor=actor, dossier_id=pk)
    form = UploadForm(items=_upload_items(archive))
    template = "archives/_dossier_block.html" if request.GET.get("partial") else "archives/dossier.html"
    return render(request, template, {"archive": archive, "dossier": archive.dossier, "form": form})


@login_required
@require_POST
def upload(request, pk: int):
    actor = actor_from_request(request)
    archive = selectors.dossier_archive(actor=actor, dossier_id=pk)  # 404 outside the subtree first
    if not request.user.can_write:
        raise NotAllowed("只读用户不能上传档案材料")
    form = UploadForm(request.POST, request.FILES, items=_upload_items(archive))
    if form.is_valid():
        step, material = form.step_material()
        try:
            f = services.archive_file_upload(actor=actor, dossier_id=pk, step=step, material=material,
                                             upload=form.cleaned_data["file"])
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, f"已上传：{f.step} {f.material}（{f.get_kind_display()}）")
            return redirect("archives:dossier", pk=pk)
    return render(request, "archives/dossier.html", {"archive": archive, "dossier": archive.dossier, "form": form},
                  status=400)


@login_required
@require_GET
def file_download(request, pk: int):
    f = selectors.archive_file_for_download(actor=actor_from_request(request), file_id=pk)
    try:
        fh = open(storage.path_for(f.storage_id), "rb")  # noqa: SIM115 — FileResponse closes it
    except FileNotFoundError:
        return render(request, "core/error.html", {"title": "文件不存在", "message": "扫描件文件已丢失，请重新上传。"},
                      status=410)
    resp = FileResponse(fh, content_type=CONTENT_TYPES[f.kind])
    name = f"{f.dossier_id}-{f.step}-{f.material}.{f.extension}".replace("/", "、")
    resp["Content-Disposition"] = f"attachment; filename=\"archive-{f.pk}.{f.extension}\"; filename*=UTF-8''{quote(name)}"
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return resp


@login_required
@require_POST
def file_delete(request, pk: int):
    actor = actor_from_request(request)
    f = selectors.archive_file_get(user=request.user, file_id=pk)  # 404 outside the subtree
    services.archive_file_delete(actor=actor, file_id=pk)
    messages.success(request, f"已删除：{f.step} {f.material}")
    return redirect("archives:dossier", pk=f.dossier_id)


# --- the county's checklist ------------------------------------------------------------------------------------
@login_required
def checklist(request):
    if not _is_county_admin(request.user):
        raise NotAllowed("只有县委组织部管理员可以修改档案材料清单")
    form = ChecklistForm(request.POST or None, checklist=selectors.user_checklist(user=request.user))
    if request.method == "POST" and form.is_valid():
        try:
            n = services.checklist_update(actor=actor_from_request(request), items=form.items())
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, f"档案材料清单已保存，共 {n} 项材料。")
            return redirect("archives:checklist")
    return render(request, "archives/checklist.html", {"form": form, "tab": "checklist"},
                  status=400 if form.errors else 200)


# --- audit rounds ---------------------------------------------------------------------------------------------
@login_required
def rounds(request):
    form = RoundForm(request.POST or None, initial=RoundForm.initial_values(settings.ARCHIVE_SAMPLE_PER_TOWNSHIP))
    if request.method == "POST":
        if not _is_county_admin(request.user):
            raise NotAllowed("只有县委组织部管理员可以开展档案审查")
        if form.is_valid():
            cd = form.cleaned_data
            try:
                rnd = services.round_open(actor=actor_from_request(request), name=cd["name"], year=cd["year"],
                                          half=cd["half"], per_township=cd["per_township"])
            except ValidationError as exc:
                _apply(form, exc)
            else:
                messages.success(request, f"已开始：{rnd.name}。下一步：抽取档案。")
                return redirect("archives:round", pk=rnd.pk)
    return render(request, "archives/rounds.html", {"form": form, "items": selectors.round_list(user=request.user),
                                                    "tab": "rounds"},
                  status=400 if form.errors else 200)


def _round_page(request, pk: int, *, draw_form=None, status: int = 200):
    rnd = selectors.round_get(user=request.user, round_id=pk)
    by_township = selectors.round_samples_by_township(user=request.user, rnd=rnd)
    audit_log(actor=actor_from_request(request), action="archives.round_view", obj_type="audit_round", obj_id=rnd.pk,
              detail={"samples": sum(len(items) for _, items in by_township)})
    return render(request, "archives/round.html", {
        "round": rnd, "stats": selectors.round_stats(user=request.user, rnd=rnd), "by_township": by_township,
        "problems": selectors.round_problems(user=request.user, rnd=rnd), "draw_form": draw_form or DrawForm(), "tab": "rounds",
        "draw_ok": selectors.round_draw_check(rnd=rnd) if rnd.drawn_at else None,
        "is_admin": _is_county_admin(request.user)}, status=status)


@login_required
@require_GET
def round_detail(request, pk: int):
    return _round_page(request, pk)


@login_required
@require_POST
def round_draw(request, pk: int):
    selectors.round_get(user=request.user, round_id=pk)  # 404 outside the county first
    form = DrawForm(request.POST)
    if form.is_valid():
        try:
            n = services.round_draw(actor=actor_from_request(request), round_id=pk, seed=form.cleaned_data["seed"])
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, f"已抽取档案 {n} 份。")
            return redirect("archives:round", pk=pk)
    return _round_page(request, pk, draw_form=form, status=400)


@login_required
@require_POST
def round_close(request, pk: int):
    selectors.round_get(user=request.user, round_id=pk)
    try:
        services.round_close(actor=actor_from_request(request), round_id=pk)
    except ValidationError as exc:
        messages.error(request, _flat(exc))
        return _round_page(request, pk, status=400)
    messages.success(request, "本轮审查已结束。")
    return redirect("archives:round", pk=pk)


@login_required
@require_GET
def round_export(request, pk: int):
    rnd = selectors.round_get(user=request.user, round_id=pk)
    rows = selectors.round_export_rows(actor=actor_from_request(request), rnd=rnd)
    header = ["序号", "乡镇", "党支部", "姓名", "问题类型", "涉及步骤", "问题说明", "来自规则", "责任人", "责任人职务",
              "责任类别", "状态", "整改情况", "整改时间", "复核意见", "销号时间"]
    data = [(i, p.township.name, p.sample.dossier.organization.name, p.sample.dossier.person.name,
             p.get_problem_type_display(), p.step, p.note, p.finding_code, p.responsible_name, p.responsible_role,
             p.get_responsibility_display(), p.get_status_display(), p.answer,
             p.answered_at.date() if p.answered_at else None, p.review_note,
             p.closed_at.date() if p.closed_at else None) for i, p in enumerate(rows, start=1)]
    return xlsx_response("档案审查问题", header, data, filename=f"{rnd.name}-问题清单-{clock.today():%Y-%m-%d}.xlsx")


# --- samples and problems ---------------------------------------------------------------------------------------
def _sample_page(request, pk: int, *, form=None, status: int = 200):
    actor = actor_from_request(request)
    sample = selectors.sample_detail(actor=actor, sample_id=pk)
    archive = selectors.dossier_archive(actor=actor, dossier_id=sample.dossier_id)
    return render(request, "archives/sample.html", {
        "sample": sample, "round": sample.round, "archive": archive,
        "problems": selectors.sample_problems(user=request.user, sample=sample),
        "proposed": selectors.proposed_findings(sample=sample), "form": form or ProblemForm(),
        "records": selectors.sample_records(user=request.user, sample=sample), "is_admin": _is_county_admin(request.user),
        "tab": "rounds"}, status=status)


@login_required
@require_GET
def sample(request, pk: int):
    return _sample_page(request, pk)


@login_required
@require_POST
def sample_problem(request, pk: int):
    """Record a problem (the form) or accept a proposed rule finding (`finding` = its id)."""
    actor = actor_from_request(request)
    selectors.sample_detail(actor=actor, sample_id=pk)  # 404 outside the subtree first
    finding = request.POST.get("finding", "")
    form = ProblemForm(request.POST)
    try:
        if finding:
            if not finding.isdigit():
                raise ValidationError({"finding": ["规则发现：无效的编号"]})
            services.problem_record(actor=actor, sample_id=pk, finding_id=int(finding))
        elif form.is_valid():
            cd = form.cleaned_data
            services.problem_record(actor=actor, sample_id=pk, problem_type=cd["problem_type"], step=cd["step"],
                                    note=cd["note"])
        else:
            if not _is_county_admin(request.user):
                raise NotAllowed("只有县委组织部管理员可以记录问题")
            return _sample_page(request, pk, form=form, status=400)
    except ValidationError as exc:
        if finding:
            messages.error(request, _flat(exc))
        _apply(form, exc)
        return _sample_page(request, pk, form=form, status=400)
    messages.success(request, "已记录问题。")
    return redirect("archives:sample", pk=pk)


@login_required
@require_POST
def sample_checked(request, pk: int):
    selectors.sample_detail(actor=actor_from_request(request), sample_id=pk)  # 404 outside the subtree first
    services.sample_mark_checked(actor=actor_from_request(request), sample_id=pk)
    messages.success(request, "已标记为审查完毕。")
    return redirect("archives:sample", pk=pk)


@login_required
@require_GET
def problems(request):
    status = request.GET.get("status", "")
    rows = selectors.problem_list(user=request.user, status=status)
    audit_log(actor=actor_from_request(request), action="archives.problem_list", detail={"status": status,
                                                                                         "shown": len(rows)})
    return render(request, "archives/problems.html", {"rows": rows, "status": status,
                                                      "statuses": ProblemStatus.choices, "tab": "problems"})


def _problem_page(request, pk: int, *, rectify=None, review=None, status: int = 200):
    p = selectors.problem_detail(actor=actor_from_request(request), problem_id=pk)
    user = request.user
    return render(request, "archives/problem.html", {
        "p": p, "files": selectors.problem_files(p), "rectify": rectify or RectifyForm(), "review": review or ReviewForm(),
        "can_rectify": user.can_write and not _is_county_admin(user) and p.status == ProblemStatus.OPEN,
        "can_review": _is_county_admin(user) and p.status == ProblemStatus.ANSWERED, "tab": "problems"},
        status=status)


@login_required
@require_GET
def problem(request, pk: int):
    return _problem_page(request, pk)


@login_required
@require_POST
def problem_rectify(request, pk: int):
    actor = actor_from_request(request)
    selectors.problem_detail(actor=actor, problem_id=pk)
    form = RectifyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.problem_rectify(actor=actor, problem_id=pk, answer=form.cleaned_data["answer"],
                                     upload=form.cleaned_data.get("file"))
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, "整改情况已提交，等待县委组织部复核。")
            return redirect("archives:problem", pk=pk)
    elif not request.user.can_write or _is_county_admin(request.user):
        raise NotAllowed("整改情况由乡镇（党支部）填写")
    return _problem_page(request, pk, rectify=form, status=400)


@login_required
@require_POST
def problem_review(request, pk: int):
    actor = actor_from_request(request)
    selectors.problem_detail(actor=actor, problem_id=pk)
    if not _is_county_admin(request.user):
        raise NotAllowed("只有县委组织部管理员可以复核整改")
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            p = services.problem_review(actor=actor, problem_id=pk, decision=form.cleaned_data["decision"],
                                        note=form.cleaned_data["note"])
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, "已销号。" if p.status == ProblemStatus.CLOSED else "已退回乡镇重新整改。")
            return redirect("archives:problem", pk=pk)
    return _problem_page(request, pk, review=form, status=400)


@login_required
@require_GET
def guide(request):
    """The problem catalogue and the responsibility mapping, as the auditors and townships read them."""
    rows = {}
    for step, resp in STEP_RESPONSIBILITY.items():
        rows.setdefault(RESPONSIBILITY_LABELS[resp], []).append(f"{step} {selectors.STEP_NAMES.get(step, '')}")
    return render(request, "archives/guide.html", {"types": PROBLEM_TYPES, "responsibility": rows,
                                                   "checklist": selectors.user_checklist(user=request.user),
                                                   "names": selectors.STEP_NAMES, "tab": "guide"})
