"""The JSON API under /api, documented at /api/docs. Same selectors, services and scope as the pages."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI, Query, Schema, Status
from ninja.errors import ValidationError as SchemaError
from ninja.security import HttpBearer, django_auth

from dangjian.core import clock
from dangjian.core.audit import actor_from_request
from dangjian.core.errors import Conflict
from dangjian.core.models import ApiToken
from dangjian.orgs.selectors import org_get, org_list
from dangjian.people.models import Person
from dangjian.people.selectors import PersonFilter, audit_person_search, person_detail, person_list
from dangjian.people.services import PersonData, person_create


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`; tokens are made by `dangjian token create USERNAME`."""

    def authenticate(self, request, token):
        digest = hashlib.sha256(token.encode()).hexdigest()
        row = ApiToken.objects.select_related("user", "user__organization").filter(key_hash=digest).first()
        if row is None or not row.user.is_active:
            return None
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=clock.now())
        request.user = row.user
        return row.user



api = NinjaAPI(title="dangjian API", version="1", description="发展党员全程纪实系统接口。所有数据均限于当前用户所属组织及其下级。",
               auth=[TokenAuth(), django_auth], urls_namespace="api", docs_url="/docs")


api.add_router("/", "dangjian.development.api.router")
api.add_router("/", "dangjian.ledgers.api.router")
api.add_router("/", "dangjian.stats.api.router")
api.add_router("/", "dangjian.reviews.api.router")
api.add_router("/", "dangjian.archives.api.router")


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": "未找到该记录，或它不在您的管辖范围内"}, status=404)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or "无权操作"}, status=403)


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    return api.create_response(request, {"detail": "输入有误", "errors": exc.message_dict}, status=400)


_FIELD_LABELS = {"name": "姓名", "id_number": "公民身份号码", "organization_code": "所在党组织代码", "gender": "性别",
                 "birth_date": "出生日期", "ethnicity": "民族", "education": "学历", "household_type": "户籍类型",
                 "occupations": "人员类别", "phone": "联系电话", "party_status": "政治面貌", "status_date": "状态日期",
                 "page": "页码", "page_size": "每页条数"}


@api.exception_handler(SchemaError)
def _malformed(request, exc):
    # Input that does not even parse (a missing field, "1990-02-30" as a date): the same 400 and Chinese
    # field messages as the services' refusals, not ninja's default 422 in English.
    errors: dict[str, list[str]] = {}
    for e in exc.errors:
        names = [str(part) for part in e.get("loc", ()) if isinstance(part, str)]
        field = names[-1] if names else "__all__"
        label = _FIELD_LABELS.get(field, field)
        errors.setdefault(field, []).append(f"{label}：必填" if e.get("type") == "missing" else f"{label}：格式不正确")
    return api.create_response(request, {"detail": "输入有误", "errors": errors}, status=400)


@api.exception_handler(Conflict)
def _conflict(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=409)


class OrgOut(Schema):
    code: str
    name: str
    kind: str
    kind_label: str
    place_type: str
    parent_code: str | None
    depth: int
    has_branch_committee: bool
    can_approve: bool


def _org_out(o) -> dict:
    return {"code": o.code, "name": o.name, "kind": o.kind, "kind_label": o.get_kind_display(),
            "place_type": o.place_type, "parent_code": o.parent.code if o.parent_id else None, "depth": o.depth,
            "has_branch_committee": o.has_branch_committee, "can_approve": o.can_approve}


MAX_PAGE = 100_000  # far beyond any real list; keeps OFFSET inside a 64-bit integer on both databases


def page_bounds(page: int, page_size: int, max_size: int) -> tuple[int, int]:
    """Clamp paging parameters: a huge page number must give an empty page, not a database error."""
    return min(max(page, 1), MAX_PAGE), min(max(page_size, 1), max_size)


class PageOut(Schema):
    count: int
    page: int
    page_size: int


class OrgPage(PageOut):
    items: list[OrgOut]


@api.get("/orgs", response=OrgPage, summary="组织列表（本组织及下级）", tags=["组织"])
def orgs(request, page: int = 1, page_size: int = 200):
    page, page_size = page_bounds(page, page_size, 1000)
    qs = org_list(user=request.user)
    rows = list(qs[(page - 1) * page_size: page * page_size])
    return {"count": qs.count(), "page": page, "page_size": page_size, "items": [_org_out(o) for o in rows]}


@api.get("/orgs/{code}", response=OrgOut, summary="组织详情", tags=["组织"])
def org(request, code: str):
    return _org_out(org_get(user=request.user, code=code))


class PersonOut(Schema):
    id: int
    name: str
    gender: str
    ethnicity: str
    birth_date: dt.date
    id_number: str  # always masked
    education: str
    household_type: str
    occupations: list[str]
    phone: str
    organization_code: str
    organization_name: str
    party_status: str
    party_status_label: str
    status_date: dt.date | None


def _person_out(p: Person) -> dict:
    return {"id": p.pk, "name": p.name, "gender": p.gender, "ethnicity": p.ethnicity, "birth_date": p.birth_date,
            "id_number": p.id_number_masked, "education": p.education, "household_type": p.household_type,
            "occupations": p.occupation_list, "phone": p.phone, "organization_code": p.organization.code,
            "organization_name": p.organization.name, "party_status": p.party_status,
            "party_status_label": p.get_party_status_display(), "status_date": p.status_date}


class PersonPage(PageOut):
    items: list[PersonOut]


class PersonQuery(Schema):
    q: str = ""
    org: str = ""
    party_status: str = ""
    gender: str = ""
    education: str = ""
    household_type: str = ""
    occupation: str = ""
    page: int = 1
    page_size: int = 50


@api.get("/people", response=PersonPage, summary="人员列表（搜索、筛选、分页）", tags=["人员"])
def people(request, query: Query[PersonQuery]):
    page, page_size = page_bounds(query.page, query.page_size, 200)
    filters = PersonFilter(q=query.q, org=query.org, party_status=query.party_status, gender=query.gender,
                           education=query.education, household_type=query.household_type,
                           occupation=query.occupation)
    qs = person_list(user=request.user, filters=filters)
    rows = list(qs[(page - 1) * page_size: page * page_size])
    audit_person_search(actor=actor_from_request(request), filters=filters, page=page, shown=len(rows), channel="api")
    return {"count": qs.count(), "page": page, "page_size": page_size, "items": [_person_out(p) for p in rows]}


@api.get("/people/{int:person_id}", response=PersonOut, summary="人员详情", tags=["人员"])
def person(request, person_id: int):
    return _person_out(person_detail(actor=actor_from_request(request), person_id=person_id, channel="api"))


class PersonIn(Schema):
    name: str
    id_number: str
    organization_code: str
    gender: str = ""
    birth_date: dt.date | None = None
    ethnicity: str = "汉族"
    education: str = ""
    household_type: str = ""
    occupations: list[str] = []
    phone: str = ""
    party_status: str = "none"
    status_date: dt.date | None = None


@api.post("/people", response={201: PersonOut}, summary="登记人员", tags=["人员"])
def person_new(request, body: PersonIn):
    org = org_get(user=request.user, code=body.organization_code)
    data = PersonData(name=body.name, id_number=body.id_number, organization=org, gender=body.gender,
                      birth_date=body.birth_date, ethnicity=body.ethnicity, education=body.education,
                      household_type=body.household_type, occupations=body.occupations, phone=body.phone,
                      party_status=body.party_status, status_date=body.status_date)
    p = person_create(actor=actor_from_request(request), data=data)
    return Status(201, _person_out(p))
