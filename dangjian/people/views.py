"""People pages: list with search and filters, detail, create, edit, reveal ID. Thin: parse, call, render."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dangjian.core.audit import actor_from_request
from dangjian.core.errors import Conflict, NotAllowed
from dangjian.orgs.selectors import org_list
from dangjian.people.forms import PersonFilterForm, PersonForm
from dangjian.people.selectors import (
    PersonFilter,
    audit_person_search,
    person_detail,
    person_list,
    person_reveal_id,
)
from dangjian.people.services import PersonData, person_create, person_update


@login_required
def person_index(request):
    form = PersonFilterForm(request.GET or None)
    filters = PersonFilter(**form.cleaned_data) if form.is_valid() else PersonFilter()
    paginator = Paginator(person_list(user=request.user, filters=filters), request_page_size(request))
    page = paginator.get_page(request.GET.get("page"))
    audit_person_search(actor=actor_from_request(request), filters=filters, page=page.number,
                        shown=len(page.object_list), channel="web")
    query = request.GET.copy()
    query.pop("page", None)
    template = "people/_results.html" if request.headers.get("HX-Request") else "people/list.html"
    return render(request, template, {"form": form, "page": page, "query": query.urlencode(), "filters": filters})


def request_page_size(request) -> int:
    return settings.DANGJIAN_PAGE_SIZE


@login_required
def person_view(request, pk: int):
    person = person_detail(actor=actor_from_request(request), person_id=pk)
    return render(request, "people/detail.html", {"person": person})


@login_required
@require_POST
def person_reveal(request, pk: int):
    try:
        number = person_reveal_id(actor=actor_from_request(request), person_id=pk)
    except NotAllowed as exc:
        return render(request, "core/error.html", {"title": "无权查看", "message": str(exc)}, status=403)
    person = person_detail(actor=actor_from_request(request), person_id=pk)
    return render(request, "people/detail.html", {"person": person, "revealed_id": number})


def _org_choices(user):
    return [(o.code, f"{'　' * (o.depth - user.organization.depth)}{o.name}") for o in org_list(user=user)] \
        if user.organization else []


def _data_from_form(request, form) -> PersonData:
    cd = form.cleaned_data
    org = org_list(user=request.user).get(code=cd["organization"])
    return PersonData(name=cd["name"], id_number=cd["id_number"], organization=org, gender=cd["gender"],
                      birth_date=cd["birth_date"], ethnicity=cd["ethnicity"], education=cd["education"],
                      household_type=cd["household_type"], occupations=cd["occupations"], phone=cd["phone"],
                      party_status=cd.get("party_status") or "none", status_date=cd.get("status_date"))


def _add_errors(form, exc: ValidationError) -> None:
    for field, errs in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errs)


@login_required
def person_new(request):
    if not request.user.can_write:
        return render(request, "core/error.html", {"title": "无权操作", "message": "只读用户不能新增人员。"}, status=403)
    form = PersonForm(request.POST or None, org_choices=_org_choices(request.user),
                      initial={"organization": getattr(request.user.organization, "code", "")})
    if request.method == "POST" and form.is_valid():
        try:
            person = person_create(actor=actor_from_request(request), data=_data_from_form(request, form))
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"已登记：{person.name}")
            return redirect("people:detail", pk=person.pk)
    return render(request, "people/form.html", {"form": form, "title": "登记人员"}, status=400 if form.errors else 200)


@login_required
def person_edit(request, pk: int):
    actor = actor_from_request(request)
    person = person_detail(actor=actor, person_id=pk, channel="web-edit")
    if not request.user.can_write:
        return render(request, "core/error.html", {"title": "无权操作", "message": "只读用户不能修改人员信息。"},
                      status=403)
    initial = {"name": person.name, "id_number": person.id_number_masked, "gender": person.gender,
               "birth_date": person.birth_date, "ethnicity": person.ethnicity, "education": person.education,
               "household_type": person.household_type, "occupations": person.occupation_list,
               "phone": person.phone, "organization": person.organization.code, "version": person.version}
    form = PersonForm(request.POST or None, org_choices=_org_choices(request.user), editing=True, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            person_update(actor=actor, person_id=pk, data=_data_from_form(request, form), version=form.cleaned_data["version"] or 0)
        except ValidationError as exc:
            _add_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, str(exc))
            status = 409
        else:
            messages.success(request, "已保存。")
            return redirect("people:detail", pk=pk)
    if form.errors and status == 200:
        status = 400
    return render(request, "people/form.html", {"form": form, "title": f"修改：{person.name}", "person": person},
                  status=status)

