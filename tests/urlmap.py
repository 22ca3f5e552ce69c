"""The registry of every URL of the project, with what each persona must get (SECURITY.md B3).

`tests/test_outsider_urls.py` walks Django's resolver (ninja's /api routes included) and fails when a URL
pattern, or an API method, is missing here: a new URL cannot ship without its outsider test.

Each persona has an "own" and a "foreign" record of each kind. Foreign is chosen to be the nearest thing
he must not see: a sibling branch for the village secretary, his own parent township too, the other
township for organizers, a second county (`add_outer_county`) for the county administrator.

To add a URL: one `Endpoint` per method, with the route and name exactly as the resolver spells them, how to
build the URL (and body) from the case's target, and what each case must answer (`expect`); `writes` names
the status that means "written" (any other answer must leave every row as it was).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from dangjian.core import clock
from dangjian.core.audit import Actor
from dangjian.development.services import dossier_open
from dangjian.orgs.models import OrgKind, PlaceType, Role
from dangjian.orgs.services import org_create, user_create
from dangjian.people.services import PersonData, person_create
from tests.conftest import PASSWORD, World, add_person, make_id

PERSONAS = ("county_admin", "town_organizer", "village_secretary", "other_town_organizer", "readonly", "orphan",
            "dept_reviewer", "anonymous")
# dept_reviewer (联审部门审查人, reviews app): outside the org tree, so every record is foreign to him; on the
# pages of other apps he answers like a user without organization who may not write (see expected_status).
REVEALERS = {"county_admin", "town_organizer", "other_town_organizer"}
SCOPED = ("county_admin", "town_organizer", "village_secretary", "other_town_organizer", "readonly")
# The organization each persona's subtree starts at (world attribute), for oracles.
HOME_ORG = {"county_admin": "county", "town_organizer": "t1", "village_secretary": "v1",
            "other_town_organizer": "t2", "readonly": "t1"}

OWN_PERSON = {"county_admin": "w1_member", "town_organizer": "v2_member", "village_secretary": "v1_member",
              "other_town_organizer": "w1_activist", "readonly": "v1_applicant"}
FOREIGN_PERSON = {"county_admin": "x1_member", "town_organizer": "w1_member", "village_secretary": "v2_member",
                  "other_town_organizer": "v1_member", "readonly": "w1_activist", "orphan": "v1_member",
                  "anonymous": "v1_member"}
OWN_ORG = {"county_admin": "T201", "town_organizer": "T102", "village_secretary": "T101",
           "other_town_organizer": "T201", "readonly": "T101"}
# Dossiers (development app): persons with an open dossier; and persons without one, for /dossiers/start/.
OWN_DOSSIER = {"county_admin": "w1_activist", "town_organizer": "v1_applicant", "village_secretary": "v1_applicant",
               "other_town_organizer": "w1_activist", "readonly": "v2_applicant"}
FOREIGN_DOSSIER = {"county_admin": "x1_applicant", "town_organizer": "w1_activist",
                   "village_secretary": "v2_applicant", "other_town_organizer": "v1_applicant",
                   "readonly": "w1_activist", "orphan": "v1_applicant", "anonymous": "v1_applicant"}
OWN_START = {"county_admin": "w1_reserve", "town_organizer": "v1_reserve", "village_secretary": "v1_reserve",
             "other_town_organizer": "w1_reserve", "readonly": "v1_reserve"}
FOREIGN_START = {"county_admin": "x1_member", "town_organizer": "w1_reserve", "village_secretary": "v2_applicant",
                 "other_town_organizer": "v1_reserve", "readonly": "w1_reserve", "orphan": "v1_reserve",
                 "anonymous": "v1_reserve"}
# Ledger jobs (ledgers app): own = a job the persona made; foreign = one made outside his subtree.
FOREIGN_JOB_OWNER = {"county_admin": "outer_admin", "town_organizer": "other_town_organizer",
                     "village_secretary": "town_organizer", "other_town_organizer": "town_organizer",
                     "readonly": "other_town_organizer", "orphan": "town_organizer", "anonymous": "town_organizer"}
FOREIGN_ORG = {"county_admin": "X000", "town_organizer": "T200", "village_secretary": "T100",
               "other_town_organizer": "T101", "readonly": "T201", "orphan": "T000", "anonymous": "T101"}


def add_outer_county(world: World) -> World:
    """A second county beside the world's, with one branch and one person: foreign even to the county admin."""
    sys_actor = Actor()
    x = org_create(actor=sys_actor, code="X000", name="外县县委", kind=OrgKind.COUNTY, check_scope=False)
    x1 = org_create(actor=sys_actor, code="X001", name="外县北村党支部", kind=OrgKind.BRANCH, parent=x,
                    place_type=PlaceType.VILLAGE, check_scope=False)
    outer_admin = user_create(actor=sys_actor, username="outer_admin", password=PASSWORD, organization=x,
                              role=Role.COUNTY_ADMIN, must_change_password=False)
    number = make_id(dt.date(1980, 1, 2))
    world.people["x1_member"] = person_create(
        actor=Actor(user=outer_admin),
        data=PersonData(name="钱外人", id_number=number, organization=x1, party_status="full_member",
                        status_date=dt.date(2012, 7, 1)))
    world.id_numbers["x1_member"] = number
    applicant = make_id(dt.date(2001, 3, 3))
    world.people["x1_applicant"] = person_create(
        actor=Actor(user=outer_admin),
        data=PersonData(name="钱申请", id_number=applicant, organization=x1, party_status="applicant",
                        status_date=dt.date(2025, 3, 1)))
    world.id_numbers["x1_applicant"] = applicant
    dossier_open(actor=Actor(user=outer_admin), person_id=world.people["x1_applicant"].pk)
    return world


def add_pipeline(world: World) -> World:
    """Dossiers (development app) for the dossier URLs, and people without one for /dossiers/start/."""
    add_person(world, "v2_applicant", world.v2, "冯申请", birth=dt.date(1999, 9, 19), party_status="applicant",
               status_date=dt.date(2025, 3, 1))
    add_person(world, "v1_reserve", world.v1, "褚后备", birth=dt.date(2001, 1, 1))
    add_person(world, "w1_reserve", world.w1, "卫后备", birth=dt.date(2001, 1, 2))
    admin = Actor(user=world.users["county_admin"])
    for key in ("v1_applicant", "w1_activist", "v2_applicant"):
        dossier_open(actor=admin, person_id=world.people[key].pk)
    return world


@dataclass(frozen=True)
class Case:
    persona: str
    which: str  # "own" | "foreign" | "-" (the URL has no object)


def cases_for(target: str) -> list[Case]:
    if not target:
        return [Case(p, "-") for p in PERSONAS]
    own = [Case(p, "own") for p in SCOPED]
    return own + [Case(p, "foreign") for p in PERSONAS]


def target_value(world: World, target: str, case: Case) -> str:
    """The path argument (or the destination organization) for a case."""
    if not target:
        return ""
    if target in REVIEW_TARGETS:
        return review_target(world, target, case)
    if target in ARCHIVE_TARGETS:
        return archive_target(world, target, case)
    if case.persona == "dept_reviewer":  # he has no subtree: the same foreign records as a user without one
        case = Case("orphan", case.which)
    if target == "person":
        key = (OWN_PERSON if case.which == "own" else FOREIGN_PERSON)[case.persona]
        return str(world.people[key].pk)
    if target == "start":
        key = (OWN_START if case.which == "own" else FOREIGN_START)[case.persona]
        return str(world.people[key].pk)
    if target == "ledger_job":
        return str(ledger_job(world, case.persona if case.which == "own" else FOREIGN_JOB_OWNER[case.persona]).pk)
    if target == "dossier":
        from dangjian.development.models import Dossier

        key = (OWN_DOSSIER if case.which == "own" else FOREIGN_DOSSIER)[case.persona]
        return str(Dossier.objects.get(person=world.people[key]).pk)
    return (OWN_ORG if case.which == "own" else FOREIGN_ORG)[case.persona]


def ledger_job(world: World, username: str):
    """A check-up job waiting for its column mapping, made by `username` (inside the case's savepoint)."""
    from dangjian.ledgers.models import JobPurpose, JobState, LedgerJob
    from dangjian.orgs.models import User

    user = User.objects.select_related("organization").get(username=username)
    return LedgerJob.objects.create(purpose=JobPurpose.CHECK, kind="applicant", state=JobState.MAPPING,
                                    phase="inspect", created_by=user, org_path=user.organization.path,
                                    filename="台账.xlsx", table={"headers": ["姓名", "身份证号", "申请入党时间"],
                                                                 "sample": []})


# --- request bodies ----------------------------------------------------------------------------------
def person_form(world: World, org_code: str, **over) -> dict:
    data = {"name": "周新登", "id_number": make_id(dt.date(1995, 3, 8)), "gender": "", "birth_date": "",
            "ethnicity": "汉族", "education": "senior", "household_type": "agricultural", "phone": "13800000000",
            "organization": org_code, "party_status": "applicant", "status_date": "2025-06-01"}
    data.update(over)
    return data


def edit_form(world: World, person_pk: str, **over) -> dict:
    from dangjian.people.models import Person

    p = Person.objects.select_related("organization").get(pk=person_pk)
    data = {"name": "周改名", "id_number": p.id_number_masked, "gender": p.gender,
            "birth_date": p.birth_date.isoformat(), "ethnicity": p.ethnicity, "education": "bachelor",
            "household_type": p.household_type, "phone": "13911112222", "organization": p.organization.code,
            "version": p.version}
    data.update(over)
    return data


def api_person(world: World, org_code: str, **over) -> dict:
    data = {"name": "吴接口", "id_number": make_id(dt.date(1996, 4, 9), male=False), "organization_code": org_code,
            "party_status": "applicant", "status_date": "2025-06-01", "education": "college"}
    data.update(over)
    return data


def step_form(world: World, value: str) -> dict:
    received = clock.today() - dt.timedelta(days=10)
    return {"date": received.isoformat(), "record_mode": "live", "responsible_name": "王书记"}


def ledger_upload(world: World, value: str) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = "姓名,身份证号,申请入党时间\r\n".encode()
    data = {"file": SimpleUploadedFile("台账.csv", body, content_type="text/csv"), "kind": ""}
    if value:
        data["default_org"] = value
    return data


def ledger_mapping(world: World, value: str) -> dict:
    return {"kind": "applicant", "col_0": "name", "col_1": "id_number", "col_2": "S01"}


def api_step(world: World, value: str) -> dict:
    return {"step": "S01", "date": (clock.today() - dt.timedelta(days=10)).isoformat(), "data": {}}


# --- expected answers --------------------------------------------------------------------------------
def read(c: Case) -> int:
    return 404 if c.which == "foreign" else 200


def logged_in_ok(c: Case) -> int:
    return 200


def new_form(c: Case) -> int:
    return 403 if c.persona == "readonly" else 200


def new_post(c: Case) -> int:
    # The page's organization field offers only the user's subtree: a foreign destination is an invalid choice.
    if c.persona == "readonly":
        return 403
    return 302 if c.which == "own" else 400


def edit_form_get(c: Case) -> int:
    if c.which == "foreign":
        return 404
    return 403 if c.persona == "readonly" else 200


def edit_post(c: Case) -> int:
    if c.which == "foreign":
        return 404
    return 403 if c.persona == "readonly" else 302


def reveal(c: Case) -> int:
    if c.which == "foreign":
        return 404
    return 200 if c.persona in REVEALERS else 403


def api_create(c: Case) -> int:
    if c.which == "foreign":
        return 404
    return 403 if c.persona == "readonly" else 201


def not_allowed(c: Case) -> int:
    return 405


def with_org(ok: int) -> Callable[[Case], int]:
    return lambda c: 403 if c.persona == "orphan" else ok


def own_or_400(c: Case) -> int:
    # A foreign organization is not among the form's choices: an invalid choice, nothing made.
    return 302 if c.which == "own" else 400


def ledger_commit(c: Case) -> int:
    # The own job is a check-up waiting for its columns: nothing to commit (400); read-only may not (403).
    if c.which == "foreign":
        return 404
    return 403 if c.persona == "readonly" else 400


def gone(c: Case) -> int:
    return 404 if c.which == "foreign" else 410


def quota_post(c: Case) -> int:
    # Outside the subtree: 404. A village secretary and read-only may not hand out quotas (403).
    if c.which == "foreign":
        return 404
    return 403 if c.persona in ("readonly", "village_secretary") else 302


def county_admin_only(ok: int) -> Callable[[Case], int]:
    return lambda c: ok if c.persona == "county_admin" else 403


@dataclass(frozen=True)
class Endpoint:
    """One URL pattern and one method. `access`: "page" (login required), "api" (401 without auth), or
    "public". `writes`: the status that means "written"; any other answer must leave every row as it was."""

    route: str
    name: str
    method: str
    url: Callable[[str], str]
    expect: Callable[[Case], int]
    access: str = "page"
    # "" | "person" | "org" | "dossier" | "start" | "ledger_job" (path argument) | "dest" (destination
    # organization in the body)
    target: str = ""
    body: Callable[[World, str], dict] | None = None
    json: bool = False
    writes: int | None = None
    anonymous: int | None = None  # what an anonymous request gets, when not the access default
    reviewer: Callable[[Case], int] | None = None  # what the dept_reviewer persona gets, when not the default

    @property
    def id(self) -> str:
        return f"{self.method} /{self.route}"


ENDPOINTS: tuple[Endpoint, ...] = (
    # --- pages -----------------------------------------------------------------------------------
    Endpoint("", "home", "GET", lambda v: "/", logged_in_ok),
    Endpoint("accounts/login/", "login", "GET", lambda v: "/accounts/login/",
             lambda c: 302, access="public", anonymous=200),  # a logged-in user goes to his start page
    Endpoint("accounts/login/", "login", "POST", lambda v: "/accounts/login/", lambda c: 302, access="public",
             body=lambda w, v: {"username": "town_organizer", "password": "wrong-" + PASSWORD}, anonymous=200),
    Endpoint("accounts/logout/", "logout", "POST", lambda v: "/accounts/logout/", lambda c: 302),
    Endpoint("accounts/logout/", "logout", "GET", lambda v: "/accounts/logout/", not_allowed, anonymous=405),
    Endpoint("accounts/password/", "password_change", "GET", lambda v: "/accounts/password/", logged_in_ok),
    Endpoint("accounts/password/", "password_change", "POST", lambda v: "/accounts/password/",
             lambda c: 302, body=lambda w, v: {"old_password": PASSWORD, "new_password1": "Neu-2026-pass",
                                               "new_password2": "Neu-2026-pass"}),
    Endpoint("orgs/", "tree", "GET", lambda v: "/orgs/", logged_in_ok),
    Endpoint("orgs/<str:code>/", "detail", "GET", lambda v: f"/orgs/{v}/", read, target="org"),
    Endpoint("people/", "list", "GET", lambda v: "/people/", logged_in_ok),
    Endpoint("people/new/", "new", "GET", lambda v: "/people/new/", new_form),
    Endpoint("people/new/", "new", "POST", lambda v: "/people/new/", new_post, target="dest",
             body=lambda w, v: person_form(w, v), writes=302),
    Endpoint("people/<int:pk>/", "detail", "GET", lambda v: f"/people/{v}/", read, target="person"),
    Endpoint("people/<int:pk>/edit/", "edit", "GET", lambda v: f"/people/{v}/edit/", edit_form_get,
             target="person"),
    Endpoint("people/<int:pk>/edit/", "edit", "POST", lambda v: f"/people/{v}/edit/", edit_post,
             target="person", body=edit_form, writes=302),
    Endpoint("people/<int:pk>/reveal-id/", "reveal_id", "POST", lambda v: f"/people/{v}/reveal-id/", reveal,
             target="person"),
    Endpoint("people/<int:pk>/reveal-id/", "reveal_id", "GET", lambda v: f"/people/{v}/reveal-id/",
             not_allowed, target="person"),
    # --- API ---------------------------------------------------------------------------------------
    Endpoint("api/", "api-root", "GET", lambda v: "/api/", lambda c: 404, access="public", anonymous=404),
    Endpoint("api/docs", "openapi-view", "GET", lambda v: "/api/docs", lambda c: 200, access="public",
             anonymous=200),  # the schema holds no personal data; browser tests load it without login
    Endpoint("api/openapi.json", "openapi-json", "GET", lambda v: "/api/openapi.json", lambda c: 200,
             access="public", anonymous=200),
    Endpoint("api/orgs", "orgs", "GET", lambda v: "/api/orgs", logged_in_ok, access="api"),
    Endpoint("api/orgs/<code>", "org", "GET", lambda v: f"/api/orgs/{v}", read, access="api", target="org"),
    Endpoint("api/people", "people", "GET", lambda v: "/api/people", logged_in_ok, access="api"),
    Endpoint("api/people", "person_new", "POST", lambda v: "/api/people", api_create, access="api",
             target="dest", body=lambda w, v: api_person(w, v), json=True, writes=201),
    Endpoint("api/people/<int:person_id>", "person", "GET", lambda v: f"/api/people/{v}", read, access="api",
             target="person"),
    # --- development (dossiers) ------------------------------------------------------------------------
    Endpoint("dossiers/", "list", "GET", lambda v: "/dossiers/", logged_in_ok),
    Endpoint("dossiers/start/<int:person_id>/", "start", "POST", lambda v: f"/dossiers/start/{v}/", edit_post,
             target="start", writes=302),
    Endpoint("dossiers/start/<int:person_id>/", "start", "GET", lambda v: f"/dossiers/start/{v}/", not_allowed,
             target="start"),
    Endpoint("dossiers/<int:pk>/", "detail", "GET", lambda v: f"/dossiers/{v}/", read, target="dossier"),
    Endpoint("dossiers/<int:pk>/steps/<str:step>/", "step", "GET", lambda v: f"/dossiers/{v}/steps/S01/",
             edit_form_get, target="dossier"),
    Endpoint("dossiers/<int:pk>/steps/<str:step>/", "step", "POST", lambda v: f"/dossiers/{v}/steps/S01/",
             edit_post, target="dossier", body=step_form, writes=302),
    Endpoint("dossiers/<int:pk>/profile/", "profile", "POST", lambda v: f"/dossiers/{v}/profile/", edit_post,
             target="dossier", body=lambda w, v: {"tier": "near_term"}, writes=302),
    Endpoint("dossiers/<int:pk>/profile/", "profile", "GET", lambda v: f"/dossiers/{v}/profile/", not_allowed,
             target="dossier"),
    Endpoint("dossiers/findings/", "findings", "GET", lambda v: "/dossiers/findings/", logged_in_ok),
    Endpoint("dossiers/due/", "due", "GET", lambda v: "/dossiers/due/", logged_in_ok),
    Endpoint("dossiers/config/", "config", "GET", lambda v: "/dossiers/config/", county_admin_only(200)),
    Endpoint("dossiers/config/", "config", "POST", lambda v: "/dossiers/config/", county_admin_only(400),
             body=lambda w, v: {"late_entry_days": "0"}),  # refused (400), nothing written; others: 403
    Endpoint("api/dossiers", "dossiers", "GET", lambda v: "/api/dossiers", logged_in_ok, access="api"),
    Endpoint("api/dossiers/<int:dossier_id>", "dossier", "GET", lambda v: f"/api/dossiers/{v}", read, access="api",
             target="dossier"),
    Endpoint("api/dossiers/<int:dossier_id>/steps", "record_step", "POST", lambda v: f"/api/dossiers/{v}/steps",
             api_create, access="api", target="dossier", body=api_step, json=True, writes=201),
    Endpoint("api/findings", "findings", "GET", lambda v: "/api/findings", logged_in_ok, access="api"),
    # --- ledgers -------------------------------------------------------------------------------------
    Endpoint("ledgers/", "index", "GET", lambda v: "/ledgers/", logged_in_ok),
    Endpoint("ledgers/templates/<str:kind>/", "template", "GET", lambda v: "/ledgers/templates/members/",
             logged_in_ok),
    Endpoint("ledgers/import/", "import", "GET", lambda v: "/ledgers/import/", new_form),
    Endpoint("ledgers/import/", "import", "POST", lambda v: "/ledgers/import/", new_post, target="dest",
             body=ledger_upload),
    Endpoint("ledgers/check/", "check", "GET", lambda v: "/ledgers/check/", logged_in_ok),
    Endpoint("ledgers/check/", "check", "POST", lambda v: "/ledgers/check/", with_org(302), body=ledger_upload),
    Endpoint("ledgers/export/", "export", "GET", lambda v: "/ledgers/export/", logged_in_ok),
    Endpoint("ledgers/export/", "export", "POST", lambda v: "/ledgers/export/", own_or_400, target="dest",
             body=lambda w, v: {"kind": "members", "org": v}),
    Endpoint("ledgers/jobs/<int:pk>/", "job", "GET", lambda v: f"/ledgers/jobs/{v}/", read, target="ledger_job"),
    Endpoint("ledgers/jobs/<int:pk>/progress/", "job_progress", "GET", lambda v: f"/ledgers/jobs/{v}/progress/",
             read, target="ledger_job"),
    Endpoint("ledgers/jobs/<int:pk>/mapping/", "job_mapping", "POST", lambda v: f"/ledgers/jobs/{v}/mapping/",
             lambda c: 404 if c.which == "foreign" else 302, target="ledger_job", body=ledger_mapping),
    Endpoint("ledgers/jobs/<int:pk>/mapping/", "job_mapping", "GET", lambda v: f"/ledgers/jobs/{v}/mapping/",
             not_allowed, target="ledger_job"),
    Endpoint("ledgers/jobs/<int:pk>/commit/", "job_commit", "POST", lambda v: f"/ledgers/jobs/{v}/commit/",
             ledger_commit, target="ledger_job"),
    Endpoint("ledgers/jobs/<int:pk>/commit/", "job_commit", "GET", lambda v: f"/ledgers/jobs/{v}/commit/",
             not_allowed, target="ledger_job"),
    Endpoint("ledgers/jobs/<int:pk>/cancel/", "job_cancel", "POST", lambda v: f"/ledgers/jobs/{v}/cancel/",
             lambda c: 404 if c.which == "foreign" else 302, target="ledger_job"),
    Endpoint("ledgers/jobs/<int:pk>/cancel/", "job_cancel", "GET", lambda v: f"/ledgers/jobs/{v}/cancel/",
             not_allowed, target="ledger_job"),
    Endpoint("ledgers/jobs/<int:pk>/download/", "job_download", "GET", lambda v: f"/ledgers/jobs/{v}/download/",
             gone, target="ledger_job"),
    Endpoint("api/ledgers/jobs/<int:job_id>", "ledger_job", "GET", lambda v: f"/api/ledgers/jobs/{v}", read,
             access="api", target="ledger_job"),
    # --- stats (issue 5): every page is about one organization's subtree (?org=CODE) ---------------------------
    Endpoint("stats/", "index", "GET", lambda v: f"/stats/?org={v}", read, target="org"),
    Endpoint("stats/report/", "report", "GET", lambda v: f"/stats/report/?org={v}&format=json", read, target="org"),
    Endpoint("stats/dormant/", "dormant", "GET", lambda v: f"/stats/dormant/?org={v}", read, target="org"),
    Endpoint("stats/quotas/", "quotas", "GET", lambda v: f"/stats/quotas/?org={v}", read, target="org"),
    # Quota rows are not in tests/support.row_counts: tests/stats/test_views.py checks that refused posts write none.
    Endpoint("stats/quotas/", "quotas", "POST", lambda v: "/stats/quotas/", quota_post, target="org",
             body=lambda w, v: {"org": v, "parent": v, "year": "2026", "total": "3", "young": "1"}),
    Endpoint("stats/rush/", "rush", "GET", lambda v: f"/stats/rush/?org={v}", read, target="org"),
    Endpoint("stats/settings/", "settings", "GET", lambda v: "/stats/settings/", county_admin_only(200)),
    Endpoint("stats/settings/", "settings", "POST", lambda v: "/stats/settings/", county_admin_only(400),
             body=lambda w, v: {"dormant_years": "0"}),  # refused (400), nothing written; others: 403
    Endpoint("api/stats/<code>", "stats_structure", "GET", lambda v: f"/api/stats/{v}", read, access="api",
             target="org"),
)


def expected_status(ep: Endpoint, c: Case) -> int:
    if c.persona == "anonymous":
        if ep.anonymous is not None:
            return ep.anonymous
        return 401 if ep.access == "api" else 302
    if c.persona == "dept_reviewer":
        if ep.reviewer is not None:
            return ep.reviewer(c)
        return reviewer_default(ep, c)
    return ep.expect(c)


# --- reviews (issue 6: 联审, 近亲属报备, 县级复审, 公示): its endpoints, targets and the dept_reviewer persona's
# answers live in tests/reviews/outsider.py, which builds on the definitions above.
from tests.reviews.outsider import (  # noqa: E402
    REVIEW_ENDPOINTS,
    REVIEW_TARGETS,
    add_reviews,  # noqa: F401 — re-exported for tests/test_outsider_urls.py
    review_target,
    reviewer_default,
)

ENDPOINTS = ENDPOINTS + REVIEW_ENDPOINTS

# --- archives (issue 6 part B: 一人一档, 档案审查): endpoints and targets in tests/archives/outsider.py.
from tests.archives.outsider import ARCHIVE_ENDPOINTS, ARCHIVE_TARGETS, archive_target  # noqa: E402

ENDPOINTS = ENDPOINTS + ARCHIVE_ENDPOINTS
