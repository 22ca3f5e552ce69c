"""The reviews app's entries in the URL × persona registry (tests/urlmap.py imports them at its end), its targets
(a 联审 batch, a department's reply, a kinship report, a notice: own and foreign per persona), and what the
dept_reviewer persona gets: he is outside the org tree, so every record is foreign to him and only his own
department's replies are his (those are tested in tests/reviews/test_views.py)."""

from __future__ import annotations

import datetime as dt

from dangjian.core import clock
from dangjian.core.audit import Actor
from dangjian.development.models import Dossier
from dangjian.orgs.models import Organization, Role
from dangjian.orgs.services import user_create
from dangjian.reviews.models import (
    Department,
    DepartmentReply,
    DepartmentReviewer,
    KinshipReport,
    NegativeItem,
    Notice,
    ReviewBatch,
    ReviewSubject,
)
from tests.conftest import PASSWORD, World
from tests.urlmap import (
    FOREIGN_DOSSIER,
    OWN_DOSSIER,
    Case,
    Endpoint,
    county_admin_only,
    edit_form_get,
    edit_post,
    logged_in_ok,
    not_allowed,
    read,
)

REVIEW_TARGETS = {"batch", "reply", "kinship", "notice", "department", "item"}


def add_reviews(world: World) -> World:
    """联审 departments in the world's county and in the outer one (tests/urlmap.add_outer_county), and the
    dept_reviewer persona: 公安's reviewer."""
    county = world.county
    police = Department.objects.create(county=county, org_path=county.path, name="公安")
    Department.objects.create(county=county, org_path=county.path, name="法院")
    outer = Organization.objects.get(code="X000")
    Department.objects.create(county=outer, org_path=outer.path, name="公安")
    reviewer = user_create(actor=Actor(), username="dept_reviewer", password=PASSWORD, organization=None,
                           role=Role.DEPT_REVIEWER, must_change_password=False)
    DepartmentReviewer.objects.create(user=reviewer, department=police)
    world.users["dept_reviewer"] = reviewer
    return world


def _dossier(world: World, case: Case) -> Dossier:
    persona = "orphan" if case.persona == "dept_reviewer" else case.persona
    key = (OWN_DOSSIER if case.which == "own" else FOREIGN_DOSSIER)[persona]
    return Dossier.objects.get(person=world.people[key])


def _batch(county: Organization, dossier: Dossier) -> ReviewBatch:
    today = clock.today()
    batch = ReviewBatch.objects.create(county=county, org_path=county.path, title="联审", stage="activist",
                                       sent_on=today - dt.timedelta(days=5), due_on=today + dt.timedelta(days=5))
    subject = ReviewSubject.objects.create(batch=batch, dossier=dossier, org_path=dossier.org_path)
    DepartmentReply.objects.bulk_create([DepartmentReply(subject=subject, department=d)
                                         for d in Department.objects.filter(county=county)])
    return batch


def review_target(world: World, target: str, case: Case) -> str:
    """Made inside the case's savepoint. Own: in the world's county (only the county admin may open a batch);
    foreign: in the outer county. A reply: own is 法院's (nobody's persona), foreign is the outer county's."""
    if target in ("department", "item"):
        # Own: the world's county (only its admin may switch it); foreign: the outer county's.
        county = world.county if case.which == "own" else Organization.objects.get(code="X000")
        dept = Department.objects.filter(county=county).order_by("id").first()
        if target == "department":
            return str(dept.pk)
        return str(NegativeItem.objects.create(county=county, org_path=county.path, code="NL99", text="测试条目",
                                               category="测试", stage="activist", department=dept,
                                               effect="block").pk)
    if target in ("batch", "reply"):
        outer = Organization.objects.get(code="X000")
        if case.which == "own":
            batch = _batch(world.county, Dossier.objects.get(person=world.people["w1_activist"]))
        else:
            batch = _batch(outer, Dossier.objects.get(person=world.people["x1_applicant"]))
        if target == "batch":
            return str(batch.pk)
        dept = "法院" if case.which == "own" else "公安"
        return str(DepartmentReply.objects.get(subject__batch=batch, department__name=dept).pk)
    dossier = _dossier(world, case)
    if target == "kinship":
        return str(KinshipReport.objects.create(dossier=dossier, org_path=dossier.org_path, cadre_name="李建设",
                                                cadre_post="村委会主任", relation="parent",
                                                reported_on=clock.today() - dt.timedelta(days=3)).pk)
    notice = Notice.objects.create(organization=dossier.organization, org_path=dossier.org_path, point="candidate",
                                   start=clock.today() - dt.timedelta(days=3), working_days=5,
                                   end=clock.today() + dt.timedelta(days=4), contact_phone="0851-1234567",
                                   feedback_address="甲镇党委组织办")
    notice.dossiers.add(dossier)
    return str(notice.pk)


def reviewer_default(ep: Endpoint, c: Case) -> int:
    """The dept_reviewer on another app's page: a user without organization who may not write (a write page
    that refuses read-only users refuses him too)."""
    if ep.expect(Case("readonly", c.which)) == 403:
        return 403
    return ep.expect(Case("orphan", c.which))


# --- expected answers ---------------------------------------------------------------------------------------------
def county_own(c: Case) -> int:
    return 200 if c.persona == "county_admin" and c.which == "own" else 404


def county_own_302(c: Case) -> int:
    # Only the county admin switches his own county's departments and items; other personas: 403 (not a county
    # admin), the outer county's: 404.
    if c.persona == "county_admin":
        return 302 if c.which == "own" else 404
    return 403


def county_own_form(c: Case) -> int:
    # The edit pages of a department or an item: the county admin's own county only (foreign: 404); others: 403.
    if c.persona == "county_admin":
        return 200 if c.which == "own" else 404
    return 403


def nobody(c: Case) -> int:
    return 404


def forwarders(c: Case) -> int:
    if c.which == "foreign":
        return 404
    return 302 if c.persona in ("county_admin", "town_organizer", "other_town_organizer") else 403


def county_decides(c: Case) -> int:
    if c.which == "foreign":
        return 404
    return 302 if c.persona == "county_admin" else 403


def county_review_page(ok: int):
    return lambda c: 404 if c.which == "foreign" else (ok if c.persona == "county_admin" else 403)


def writers_400(c: Case) -> int:
    return 403 if c.persona in ("readonly", "dept_reviewer") else 400


def writers_200(c: Case) -> int:
    return 403 if c.persona in ("readonly", "dept_reviewer") else 200


def only_reviewer(ok: int):
    return lambda c: ok if c.persona == "dept_reviewer" else 403


def forbidden(c: Case) -> int:
    return 403


# --- request bodies -----------------------------------------------------------------------------------------------
def _today() -> str:
    return clock.today().isoformat()


def reply_body(world: World, value: str) -> dict:
    return {"finding": "none", "replied_on": _today(), "note": ""}


def kinship_body(world: World, value: str) -> dict:
    return {"cadre_name": "李建设", "cadre_post": "村党支部书记", "relation": "parent", "reported_on": _today()}


def forward_body(world: World, value: str) -> dict:
    return {"township_opinion": "情况属实，同意上报", "forwarded_on": _today()}


def decide_body(world: World, value: str) -> dict:
    return {"decision": "approve", "decided_on": _today(), "document_no": "县组通〔2025〕3号"}


def feedback_body(world: World, value: str) -> dict:
    return {"received_on": _today(), "channel": "phone", "content": "反映情况", "handling": ""}


def county_review_body(world: World, value: str) -> dict:
    # The own dossier has no pre-review (S13): refused with a message, nothing written.
    return {"result": "pass", "reviewed_on": _today(), "reviewer": "刘", "opinion": "同意"}


def department_edit_body(world: World, value: str) -> dict:
    return {"name": "公安局", "active": "on"}


def item_edit_body(world: World, value: str) -> dict:
    item = NegativeItem.objects.get(pk=value)
    return {"code": item.code, "text": "改过的条目内容", "category": "测试", "stage": "candidate",
            "department": str(item.department_id), "effect": "refer"}


def notice_body(world: World, value: str) -> dict:
    # No person chosen: refused (400) whatever the organization; the writes are tested in tests/reviews.
    return {"organization": value, "point": "candidate", "start": _today(), "working_days": "5",
            "contact_phone": "1", "feedback_address": "x"}


# The reviews rows are not in tests/support.row_counts: what a 302 writes, and that a refused post writes nothing,
# is checked in tests/reviews/test_views.py. A report and a decision re-derive the dossier (its person's status
# changes here: the sweep's dossiers have no S01), so those two do show as writes.
R = "reviews/"
REVIEW_ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(R, "index", "GET", lambda v: "/reviews/", logged_in_ok, reviewer=lambda c: 302),
    Endpoint(R + "departments/", "departments", "GET", lambda v: "/reviews/departments/", county_admin_only(200)),
    Endpoint(R + "departments/", "departments", "POST", lambda v: "/reviews/departments/", county_admin_only(400),
             body=lambda w, v: {"form": "department", "name": ""}),
    Endpoint(R + "departments/<int:pk>/toggle/", "department_toggle", "POST",
             lambda v: f"/reviews/departments/{v}/toggle/", county_own_302, target="department"),
    Endpoint(R + "departments/<int:pk>/toggle/", "department_toggle", "GET",
             lambda v: f"/reviews/departments/{v}/toggle/", not_allowed, target="department"),
    Endpoint(R + "departments/<int:pk>/edit/", "department_edit", "GET", lambda v: f"/reviews/departments/{v}/edit/",
             county_own_form, target="department"),
    Endpoint(R + "departments/<int:pk>/edit/", "department_edit", "POST",
             lambda v: f"/reviews/departments/{v}/edit/", county_own_302, target="department",
             body=department_edit_body),
    Endpoint(R + "items/<int:pk>/edit/", "item_edit", "GET", lambda v: f"/reviews/items/{v}/edit/", county_own_form,
             target="item"),
    Endpoint(R + "items/<int:pk>/edit/", "item_edit", "POST", lambda v: f"/reviews/items/{v}/edit/", county_own_302,
             target="item", body=item_edit_body),
    Endpoint(R + "items/<int:pk>/toggle/", "item_toggle", "POST", lambda v: f"/reviews/items/{v}/toggle/",
             county_own_302, target="item"),
    Endpoint(R + "items/<int:pk>/toggle/", "item_toggle", "GET", lambda v: f"/reviews/items/{v}/toggle/",
             not_allowed, target="item"),
    Endpoint(R + "items/", "items", "GET", lambda v: "/reviews/items/", county_admin_only(200)),
    Endpoint(R + "items/", "items", "POST", lambda v: "/reviews/items/", county_admin_only(400),
             body=lambda w, v: {"code": "", "text": "x"}),
    Endpoint(R + "batches/", "batches", "GET", lambda v: "/reviews/batches/", county_admin_only(200)),
    Endpoint(R + "batches/new/", "batch_new", "GET", lambda v: "/reviews/batches/new/", county_admin_only(200)),
    Endpoint(R + "batches/new/", "batch_new", "POST", lambda v: "/reviews/batches/new/", county_admin_only(400),
             body=lambda w, v: {"title": "联审", "stage": "candidate"}),
    Endpoint(R + "batches/<int:pk>/", "batch", "GET", lambda v: f"/reviews/batches/{v}/", county_own,
             target="batch"),
    Endpoint(R + "inbox/", "inbox", "GET", lambda v: "/reviews/inbox/", forbidden, reviewer=only_reviewer(200)),
    Endpoint(R + "inbox/<int:pk>/", "reply", "GET", lambda v: f"/reviews/inbox/{v}/", nobody, target="reply"),
    Endpoint(R + "inbox/<int:pk>/", "reply", "POST", lambda v: f"/reviews/inbox/{v}/", nobody, target="reply",
             body=reply_body),
    Endpoint(R + "kinship/", "kinship", "GET", lambda v: "/reviews/kinship/", logged_in_ok),
    Endpoint(R + "kinship/new/<int:dossier_pk>/", "kinship_new", "GET", lambda v: f"/reviews/kinship/new/{v}/",
             edit_form_get, target="dossier"),
    Endpoint(R + "kinship/new/<int:dossier_pk>/", "kinship_new", "POST", lambda v: f"/reviews/kinship/new/{v}/",
             edit_post, target="dossier", body=kinship_body, writes=302),
    Endpoint(R + "kinship/<int:pk>/forward/", "kinship_forward", "POST", lambda v: f"/reviews/kinship/{v}/forward/",
             forwarders, target="kinship", body=forward_body),
    Endpoint(R + "kinship/<int:pk>/forward/", "kinship_forward", "GET", lambda v: f"/reviews/kinship/{v}/forward/",
             not_allowed, target="kinship"),
    Endpoint(R + "kinship/<int:pk>/decide/", "kinship_decide", "POST", lambda v: f"/reviews/kinship/{v}/decide/",
             county_decides, target="kinship", body=decide_body, writes=302),
    Endpoint(R + "kinship/<int:pk>/decide/", "kinship_decide", "GET", lambda v: f"/reviews/kinship/{v}/decide/",
             not_allowed, target="kinship"),
    Endpoint(R + "county-review/", "county_queue", "GET", lambda v: "/reviews/county-review/",
             county_admin_only(200)),
    Endpoint(R + "county-review/<int:dossier_pk>/", "county_review", "GET",
             lambda v: f"/reviews/county-review/{v}/", county_review_page(200), target="dossier"),
    Endpoint(R + "county-review/<int:dossier_pk>/", "county_review", "POST",
             lambda v: f"/reviews/county-review/{v}/", county_review_page(400), target="dossier",
             body=county_review_body),
    Endpoint(R + "notices/", "notices", "GET", lambda v: "/reviews/notices/", logged_in_ok),
    Endpoint(R + "notices/new/", "notice_new", "GET", lambda v: "/reviews/notices/new/", writers_200),
    Endpoint(R + "notices/new/", "notice_new", "POST", lambda v: "/reviews/notices/new/", writers_400,
             target="dest", body=notice_body),
    Endpoint(R + "notices/<int:pk>/", "notice", "GET", lambda v: f"/reviews/notices/{v}/", read, target="notice"),
    Endpoint(R + "notices/<int:pk>/docx/", "notice_docx", "GET", lambda v: f"/reviews/notices/{v}/docx/", read,
             target="notice"),
    Endpoint(R + "notices/<int:pk>/feedback/", "notice_feedback", "POST",
             lambda v: f"/reviews/notices/{v}/feedback/", edit_post, target="notice", body=feedback_body),
    Endpoint(R + "notices/<int:pk>/feedback/", "notice_feedback", "GET",
             lambda v: f"/reviews/notices/{v}/feedback/", not_allowed, target="notice"),
    Endpoint(R + "dossier/<int:pk>/", "dossier", "GET", lambda v: f"/reviews/dossier/{v}/", read, target="dossier"),
    Endpoint("api/reviews/inbox", "inbox", "GET", lambda v: "/api/reviews/inbox", forbidden, access="api",
             reviewer=only_reviewer(200)),
    Endpoint("api/reviews/replies/<int:reply_id>", "reply", "POST", lambda v: f"/api/reviews/replies/{v}", nobody,
             access="api", target="reply", body=reply_body, json=True),
)
