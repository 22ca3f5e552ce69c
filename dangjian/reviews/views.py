"""Pages of 联审, 近亲属报备, 县级复审 and 公示. Thin: parse, call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dangjian.core import clock
from dangjian.core.audit import actor_from_request
from dangjian.core.errors import NotAllowed
from dangjian.development.models import DossierStatus
from dangjian.orgs.models import Role
from dangjian.reviews import selectors as sel
from dangjian.reviews import services as svc
from dangjian.reviews.forms import (
    BatchForm,
    CountyReviewForm,
    DecideForm,
    DepartmentEditForm,
    DepartmentForm,
    FeedbackForm,
    ForwardForm,
    ItemForm,
    KinshipForm,
    NoticeForm,
    ReplyForm,
    ReviewerForm,
    errors_to_form,
)
from dangjian.reviews.models import ReplyFinding
from dangjian.reviews.notice_doc import notice_docx


def _county_admin(request):
    county = sel.county_of_admin(request.user)
    if county is None:
        raise NotAllowed("只有县委组织部管理员可以办理")
    return county


def _reviewer(request):
    dept = sel.reviewer_department(request.user)
    if dept is None:
        raise NotAllowed("只有联审部门审查人可以查看")
    return dept


@login_required
def index(request):
    """The start of the reviews pages: what waits for this user."""
    if request.user.role == Role.DEPT_REVIEWER:
        return redirect("reviews:inbox")
    overview = sel.reviews_overview(user=request.user, today=clock.today())
    return render(request, "reviews/index.html", vars(overview))


# --- county set-up --------------------------------------------------------------------------------------------
@login_required
def departments(request):
    _county_admin(request)
    actor = actor_from_request(request)
    depts = list(sel.department_list(user=request.user))
    form = DepartmentForm(request.POST if request.POST.get("form") == "department" else None)
    reviewer = ReviewerForm(request.POST if request.POST.get("form") == "reviewer" else None, departments=depts)
    if request.method == "POST":
        target = form if request.POST.get("form") == "department" else reviewer
        if target.is_valid():
            cd = target.cleaned_data
            try:
                if target is form:
                    svc.department_save(actor=actor, name=cd["name"])
                    messages.success(request, f"已添加联审部门：{cd['name']}")
                else:
                    svc.reviewer_create(actor=actor, department_id=cd["department"], username=cd["username"],
                                        full_name=cd["full_name"], password=cd["password"])
                    messages.success(request, f"已建立审查人账号：{cd['username']}（首次登录须修改密码）")
            except ValidationError as exc:
                errors_to_form(target, exc)
            else:
                return redirect("reviews:departments")
    return render(request, "reviews/departments.html", {"departments": depts, "form": form, "reviewer": reviewer},
                  status=400 if (form.errors or reviewer.errors) else 200)


@login_required
def items(request):
    _county_admin(request)
    depts = list(sel.department_list(user=request.user))
    form = ItemForm(request.POST or None, departments=depts)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            svc.negative_item_save(actor=actor_from_request(request), data=svc.ItemData(
                code=cd["code"], text=cd["text"], category=cd["category"], stage=cd["stage"],
                department_id=cd["department"], effect=cd["effect"]))
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"已添加负面清单条目 {cd['code']}")
            return redirect("reviews:items")
    return render(request, "reviews/items.html", {"items": sel.item_list(user=request.user), "form": form},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def department_toggle(request, pk: int):
    _county_admin(request)
    dept = sel.department_get(user=request.user, department_id=pk)
    svc.department_save(actor=actor_from_request(request), name=dept.name, active=not dept.active, department_id=pk)
    messages.success(request, f"{dept.name}：{'已停用' if dept.active else '已恢复参加联审'}")
    return redirect("reviews:departments")


@login_required
@require_POST
def item_toggle(request, pk: int):
    _county_admin(request)
    item = sel.item_get(user=request.user, item_id=pk)
    svc.negative_item_set_active(actor=actor_from_request(request), item_id=pk, active=not item.active)
    messages.success(request, f"{item.code}：{'已停用' if item.active else '已启用'}")
    return redirect("reviews:items")


@login_required
def department_edit(request, pk: int):
    """Rename a department or switch it out of (or back into) new batches."""
    _county_admin(request)
    dept = sel.department_get(user=request.user, department_id=pk)
    form = DepartmentEditForm(request.POST or None, initial={"name": dept.name, "active": dept.active})
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            svc.department_save(actor=actor_from_request(request), name=cd["name"], active=cd["active"],
                                department_id=pk)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"已保存联审部门：{cd['name'].strip()}")
            return redirect("reviews:departments")
    return render(request, "reviews/department_edit.html", {"dept": dept, "form": form},
                  status=400 if form.errors else 200)


@login_required
def item_edit(request, pk: int):
    """Change an item of the negative list (its text, category, stage, department, effect)."""
    _county_admin(request)
    item = sel.item_get(user=request.user, item_id=pk)
    depts = list(sel.department_list(user=request.user))
    form = ItemForm(request.POST or None, departments=depts, initial={
        "code": item.code, "text": item.text, "category": item.category, "stage": item.stage,
        "department": item.department_id, "effect": item.effect})
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            svc.negative_item_save(actor=actor_from_request(request), item_id=pk, data=svc.ItemData(
                code=cd["code"], text=cd["text"], category=cd["category"], stage=cd["stage"],
                department_id=cd["department"], effect=cd["effect"]))
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"已保存负面清单条目 {cd['code'].strip()}")
            return redirect("reviews:items")
    return render(request, "reviews/item_edit.html", {"item": item, "form": form},
                  status=400 if form.errors else 200)


# --- 联审 batches (county) -------------------------------------------------------------------------------------
@login_required
def batches(request):
    _county_admin(request)
    today = clock.today()
    return render(request, "reviews/batches.html", {
        "batches": sel.batch_list(user=request.user, today=today), "today": today,
        "overdue": list(sel.overdue_replies(user=request.user, today=today)[:500])})


@login_required
def batch_new(request):
    _county_admin(request)
    stage = request.POST.get("stage") or request.GET.get("stage") or "candidate"
    status = DossierStatus.ACTIVIST if stage == "activist" else DossierStatus.CANDIDATE
    people = list(sel.dossiers_at(user=request.user, status=status))
    form = BatchForm(request.POST or None, people=people,
                     initial={"stage": stage, "sent_on": clock.today(), "title": f"{clock.today():%Y年}联审"})
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            batch = svc.batch_create(actor=actor_from_request(request), title=cd["title"], stage=cd["stage"],
                                     sent_on=cd["sent_on"], due_on=cd["due_on"], dossier_ids=cd["dossiers"])
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"已发送联审：{batch.title}，共 {len(cd['dossiers'])} 人")
            return redirect("reviews:batch", pk=batch.pk)
    return render(request, "reviews/batch_new.html", {"form": form, "stage": stage},
                  status=400 if form.errors else 200)


@login_required
def batch_view(request, pk: int):
    batch, depts, rows = sel.batch_detail(actor=actor_from_request(request), batch_id=pk)
    return render(request, "reviews/batch.html", {"batch": batch, "departments": depts, "rows": rows,
                                                  "today": clock.today()})


# --- the department reviewer -------------------------------------------------------------------------------------
@login_required
def inbox(request):
    dept = _reviewer(request)
    answered = request.GET.get("answered") == "1"
    rows = sel.reviewer_inbox(actor=actor_from_request(request), department=dept, answered=answered)
    return render(request, "reviews/inbox.html", {"department": dept, "rows": rows, "answered": answered,
                                                  "today": clock.today()})


@login_required
def reply(request, pk: int):
    actor = actor_from_request(request)
    dept = sel.reviewer_department(request.user)
    r = sel.reviewer_reply(actor=actor, department=dept, reply_id=pk)
    batch_items = sel.batch_items(r.subject.batch, dept)
    previous = sel.reply_answers(r)
    initial = {"finding": r.finding or None, "replied_on": r.replied_on or clock.today(), "note": r.note}
    form = ReplyForm(request.POST or None, initial=initial)
    if request.method == "POST":
        hits = {i.pk: request.POST.get(f"note_{i.pk}", "").strip() for i in batch_items
                if request.POST.get(f"hit_{i.pk}") == "on"}
        if form.is_valid():
            cd = form.cleaned_data
            try:
                svc.reply_answer(actor=actor, reply_id=r.pk, inp=svc.ReplyInput(
                    finding=cd["finding"], replied_on=cd["replied_on"], note=cd["note"], hits=hits))
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, f"已回复：{r.subject.dossier.person.name}")
                return redirect("reviews:inbox")
        checked = set(hits)
        notes = {pk_: n for pk_, n in hits.items()}
    else:
        checked = {pk_ for pk_, a in previous.items() if a.hit}
        notes = {pk_: a.note for pk_, a in previous.items()}
    rows = [{"item": i, "hit": i.pk in checked, "note": notes.get(i.pk, "")} for i in batch_items]
    return render(request, "reviews/reply.html", {"r": r, "form": form, "rows": rows, "department": dept},
                  status=400 if form.errors else 200)


# --- 近亲属报备 ------------------------------------------------------------------------------------------------
@login_required
def kinship(request):
    reports = sel.kinship_list(user=request.user)
    return render(request, "reviews/kinship.html", {
        "reports": reports, "forward": ForwardForm(initial={"forwarded_on": clock.today()}),
        "decide": DecideForm(initial={"decided_on": clock.today()}),
        "is_county": sel.county_of_admin(request.user) is not None})


@login_required
def kinship_new(request, dossier_pk: int):
    actor = actor_from_request(request)
    info = sel.dossier_reviews(actor=actor, dossier_id=dossier_pk)
    if not request.user.can_write:
        raise NotAllowed("只读用户不能报备")
    form = KinshipForm(request.POST or None, initial={"reported_on": clock.today()})
    if request.method == "POST" and form.is_valid():
        try:
            svc.kinship_report(actor=actor, dossier_id=dossier_pk, **form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, "已报备，待乡镇党委审核上报县委组织部")
            return redirect("reviews:dossier", pk=dossier_pk)
    return render(request, "reviews/kinship_new.html", {"dossier": info.dossier, "form": form},
                  status=400 if form.errors else 200)


def _post_form(request, form, call, ok: str):
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, "；".join(m for ms in exc.message_dict.values() for m in ms))
        else:
            messages.success(request, ok)
    else:
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))


@login_required
@require_POST
def kinship_forward(request, pk: int):
    actor = actor_from_request(request)
    _post_form(request, ForwardForm(request.POST), lambda cd: svc.kinship_forward(
        actor=actor, report_id=pk, opinion=cd["township_opinion"], forwarded_on=cd["forwarded_on"]),
        "已上报县委组织部")
    return redirect("reviews:kinship")


@login_required
@require_POST
def kinship_decide(request, pk: int):
    actor = actor_from_request(request)
    _post_form(request, DecideForm(request.POST), lambda cd: svc.kinship_decide(
        actor=actor, report_id=pk, approve=cd["decision"] == "approve", decided_on=cd["decided_on"],
        document_no=cd["document_no"], note=cd["note"]), "已审批")
    return redirect("reviews:kinship")


# --- 县级复审 -------------------------------------------------------------------------------------------------
@login_required
def county_queue(request):
    _county_admin(request)
    return render(request, "reviews/county_queue.html", {
        "queue": sel.county_review_queue(user=request.user), "recent": sel.county_review_recent(user=request.user)})


@login_required
def county_review(request, dossier_pk: int):
    actor = actor_from_request(request)
    info = sel.dossier_reviews(actor=actor, dossier_id=dossier_pk)
    _county_admin(request)
    form = CountyReviewForm(request.POST or None, initial={"reviewed_on": clock.today(),
                                                           "reviewer": request.user.display_name})
    if request.method == "POST" and form.is_valid():
        try:
            svc.county_review_record(actor=actor, dossier_id=dossier_pk, **form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"已记录县委组织部复审：{info.dossier.person.name}")
            return redirect("reviews:county_queue")
    return render(request, "reviews/county_review.html", {
        "info": info, "form": form, "levels": sel.review_levels(user=request.user, dossier=info.dossier)},
        status=400 if form.errors else 200)


# --- 公示 -------------------------------------------------------------------------------------------------------
@login_required
def notices(request):
    return render(request, "reviews/notices.html", {"notices": sel.notice_list(user=request.user)})


@login_required
def notice_new(request):
    if not request.user.can_write:
        raise NotAllowed("只读用户不能发布公示")
    point = request.POST.get("point") or request.GET.get("point") or "candidate"
    orgs, people = sel.notice_choices(user=request.user, point=point)
    form = NoticeForm(request.POST or None, orgs=orgs, people=people,
                      initial={"point": point, "start": clock.today()})
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            notice = svc.notice_create(actor=actor_from_request(request), inp=svc.NoticeInput(
                org_code=cd["organization"], point=cd["point"], start=cd["start"], working_days=cd["working_days"],
                contact_phone=cd["contact_phone"], feedback_address=cd["feedback_address"],
                dossier_ids=cd["dossiers"]))
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"已发布公示：{notice.start:%Y-%m-%d} 至 {notice.end:%Y-%m-%d}")
            return redirect("reviews:notice", pk=notice.pk)
    return render(request, "reviews/notice_new.html", {"form": form, "point": point},
                  status=400 if form.errors else 200)


@login_required
def notice_view(request, pk: int):
    notice = sel.notice_detail(actor=actor_from_request(request), notice_id=pk)
    return render(request, "reviews/notice.html", {
        "notice": notice, "people": sel.notice_people(notice), "feedback": sel.notice_feedback(notice),
        "form": FeedbackForm(initial={"received_on": clock.today()})})


@login_required
def notice_download(request, pk: int):
    notice = sel.notice_detail(actor=actor_from_request(request), notice_id=pk, channel="docx")
    body = notice_docx(notice, sel.notice_people(notice))
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    name = f"公示-{notice.organization.name}-{notice.start:%Y-%m-%d}.docx"
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
@require_POST
def notice_feedback(request, pk: int):
    actor = actor_from_request(request)
    _post_form(request, FeedbackForm(request.POST), lambda cd: svc.notice_add_feedback(
        actor=actor, notice_id=pk, **cd), "已登记公示反馈")
    return redirect("reviews:notice", pk=pk)


# --- one person's reviews --------------------------------------------------------------------------------------
@login_required
def dossier_view(request, pk: int):
    info = sel.dossier_reviews(actor=actor_from_request(request), dossier_id=pk)
    return render(request, "reviews/dossier.html", {"info": info, "findings": ReplyFinding,
                                                    "is_county": sel.county_of_admin(request.user) is not None})
