"""Every URL × every persona (SECURITY.md B3): anonymous → login (pages) or 401 (API); another subtree's
record → 404, never 403; a write into another subtree refused with nothing written; read-only reads but
cannot write; a user without organization sees nothing.

The registry is tests/urlmap.py; the first two tests fail when a URL or an API method is not in it.
"""

from __future__ import annotations

import copy
import json
import logging
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from dangjian.api import api
from dangjian.people.models import Person
from tests.support import allow_full_id, full_ids_in, people_fingerprint, rolled_back, row_counts
from tests.urlmap import (
    ENDPOINTS,
    FOREIGN_ORG,
    FOREIGN_PERSON,
    OWN_PERSON,
    PERSONAS,
    Case,
    Endpoint,
    add_outer_county,
    add_pipeline,
    add_reviews,
    api_person,
    cases_for,
    edit_form,
    expected_status,
    target_value,
)


@pytest.fixture
def world(shared_world):
    """This module's tests share one built world, extended by `extend_world` (tests/conftest.py)."""
    return shared_world


def _walk(resolver: URLResolver, prefix: str = ""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.name


def test_every_url_pattern_of_the_project_has_an_outsider_test():
    found = set(_walk(get_resolver()))
    registered = {(e.route, e.name) for e in ENDPOINTS}
    missing = sorted(found - registered)
    assert not missing, f"URL patterns without an entry in tests/urlmap.py (add one with its outsider cases): {missing}"
    stale = sorted(registered - found)
    assert not stale, f"tests/urlmap.py lists URL patterns that no longer exist: {stale}"


def test_every_api_method_has_an_outsider_test():
    schema = api.get_openapi_schema()
    documented = {(method.upper(), path) for path, ops in schema["paths"].items() for method in ops}
    registered = {(e.method, "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", e.route)) for e in ENDPOINTS
                  if e.access == "api"}
    missing = sorted(documented - registered)
    assert not missing, f"API operations without an entry in tests/urlmap.py: {missing}"


def test_the_form_pages_are_registered_for_both_get_and_post():
    # A form page answers GET and POST: an outsider must be checked on both.
    methods: dict[tuple[str, str], set[str]] = {}
    for e in ENDPOINTS:
        methods.setdefault((e.route, e.name), set()).add(e.method)
    forms = [("people/new/", "new"), ("people/<int:pk>/edit/", "edit"), ("accounts/password/", "password_change"),
             ("accounts/login/", "login"), ("dossiers/<int:pk>/steps/<str:step>/", "step"),
             ("dossiers/config/", "config")]
    for key in forms:
        assert methods[key] == {"GET", "POST"}, key


def extend_world(world):
    """Built once per module with the world (tests/conftest.py: world_template): a second county beside it,
    dossiers, and people without one."""
    add_reviews(add_pipeline(add_outer_county(world)))


def _request(client, ep: Endpoint, url: str, body: dict | None):
    if ep.method == "GET":
        return client.get(url)
    if ep.json:
        return client.post(url, data=json.dumps(body or {}), content_type="application/json")
    return client.post(url, data=body or {})


def _check(world, ep: Endpoint, case: Case, sessions: dict) -> list[str]:
    value = target_value(world, ep.target, case)
    url = ep.url("" if ep.target == "dest" else value)
    body = ep.body(world, value) if ep.body else None
    expected = expected_status(ep, case)
    label = f"{case.persona:<21} {case.which:<7} {ep.method} {url}"
    counts, people = row_counts(), people_fingerprint()
    client = Client()  # a fresh client on the persona's session (the session row is restored with each case)
    client.cookies = copy.deepcopy(sessions[case.persona])
    shows_full_id = ep.name == "reveal_id" and ep.method == "POST" and expected == 200
    try:
        if shows_full_id:
            with allow_full_id():
                response = _request(client, ep, url, body)
        else:
            response = _request(client, ep, url, body)
    except Exception as exc:  # noqa: BLE001 — a crash is one more failed case, reported with the others
        return [f"{label}: raised {exc!r}"]
    problems = []
    if response.status_code != expected:
        problems.append(f"{label}: expected {expected}, got {response.status_code}")
    if case.persona == "anonymous" and expected == 302:
        if not response["Location"].startswith("/accounts/login/"):
            problems.append(f"{label}: anonymous redirected to {response['Location']}, not to the login page")
    if response.get("Cache-Control") != "no-store":
        problems.append(f"{label}: Cache-Control is {response.get('Cache-Control')!r}, not no-store")
    if shows_full_id:
        person = Person.objects.get(pk=value)
        if world.id_numbers[next(k for k, p in world.people.items() if p.pk == person.pk)] not in response.content.decode():
            problems.append(f"{label}: the reveal did not show the number")
    wrote = row_counts() != counts or people_fingerprint() != people
    if ep.writes is not None and expected == ep.writes and case.persona != "anonymous":
        if not wrote:
            problems.append(f"{label}: answered {response.status_code} but wrote nothing")
    elif ep.name != "password_change" and wrote:
        problems.append(f"{label}: answered {response.status_code} and still changed rows")
    return problems


@pytest.mark.parametrize("ep", ENDPOINTS, ids=lambda e: e.id)
def test_every_persona_gets_exactly_what_its_subtree_allows(world, ep, caplog):
    # Every response is also scanned for full ID numbers (autouse fixture), and so are the logs (D3, C1).
    caplog.set_level(logging.DEBUG)
    problems: list[str] = []
    sessions = {persona: world.client(persona).cookies for persona in PERSONAS}  # one login each, outside cases
    for case in cases_for(ep.target):
        with rolled_back():
            problems += _check(world, ep, case, sessions)
    assert not problems, "\n".join(problems)
    logged = caplog.text + " ".join(r.getMessage() + repr(r.args) for r in caplog.records)
    assert not full_ids_in(logged)


# --- writes into another subtree: refused, and nothing written ------------------------------------------
@pytest.mark.parametrize("persona", ["town_organizer", "village_secretary", "other_town_organizer"])
def test_moving_ones_own_person_into_another_subtree_is_refused_and_nothing_is_written(world, persona):
    person = world.people[OWN_PERSON[persona]]
    before = people_fingerprint()
    response = world.client(persona).post(f"/people/{person.pk}/edit/",
                                          edit_form(world, str(person.pk), organization=FOREIGN_ORG[persona]))
    assert response.status_code == 400
    assert "所在党组织" in response.content.decode()
    assert people_fingerprint() == before


def test_the_api_refuses_a_person_into_another_subtree_and_writes_nothing(world):
    before = row_counts(), people_fingerprint()
    response = world.client("town_organizer").post("/api/people", data=json.dumps(api_person(world, "T201")),
                                                    content_type="application/json")
    assert response.status_code == 404
    assert (row_counts(), people_fingerprint()) == before


# --- what each persona's lists hold --------------------------------------------------------------------
def _expected_names(world, persona: str) -> set[str]:
    from tests.urlmap import HOME_ORG

    if persona not in HOME_ORG:
        return set()
    root = getattr(world, HOME_ORG[persona]).path
    return {p.name for p in world.people.values() if p.org_path.startswith(root)}


@pytest.mark.parametrize("persona", ["county_admin", "town_organizer", "village_secretary", "other_town_organizer",
                                     "readonly", "orphan"])
def test_the_people_page_and_api_list_exactly_the_personas_subtree(world, persona):
    expected = _expected_names(world, persona)
    client = world.client(persona)
    api_names = {item["name"] for item in client.get("/api/people?page_size=200").json()["items"]}
    assert api_names == expected
    page = client.get("/people/").content.decode()
    everyone = {p.name for p in world.people.values()}
    assert {n for n in everyone if n in page} == expected


@pytest.mark.parametrize("persona, visible", [
    ("county_admin", {"T000", "T100", "T200", "T101", "T102", "T201"}),
    ("town_organizer", {"T100", "T101", "T102"}),
    ("village_secretary", {"T101"}),
    ("other_town_organizer", {"T200", "T201"}),
    ("readonly", {"T100", "T101", "T102"}),
    ("orphan", set()),
])
def test_the_org_api_and_tree_show_exactly_the_personas_subtree(world, persona, visible):
    client = world.client(persona)
    body = client.get("/api/orgs").json()
    assert {o["code"] for o in body["items"]} == visible
    assert body["count"] == len(visible)
    tree = client.get("/orgs/").content.decode()
    from dangjian.orgs.models import Organization

    for org in Organization.objects.exclude(code__in=visible):
        assert f"/orgs/{org.code}/" not in tree


def test_a_user_without_organization_sees_nothing_anywhere(world):
    client = world.client("orphan")
    assert client.get("/api/people").json()["count"] == 0
    assert client.get("/api/orgs").json()["count"] == 0
    people = client.get("/people/").content.decode()
    assert "共 0 人" in people
    assert "没有符合条件的人员" in people
    assert "尚未分配所属组织" in client.get("/").content.decode()
    assert "尚未分配所属组织" in client.get("/orgs/").content.decode()
    assert client.get(f"/people/{world.people['v1_member'].pk}/").status_code == 404
    for name in ("张三丰", "赵德成", "甲镇党委"):
        assert name not in people


@pytest.mark.parametrize("persona", ["town_organizer", "village_secretary"])
def test_filtering_by_a_foreign_organization_shows_nothing_rather_than_that_subtree(world, persona):
    client = world.client(persona)
    foreign = FOREIGN_ORG[persona]
    assert client.get(f"/api/people?org={foreign}").json()["count"] == 0
    page = client.get(f"/people/?org={foreign}").content.decode()
    assert "共 0 人" in page
    foreign_person = world.people[FOREIGN_PERSON[persona]]
    assert foreign_person.name not in page


@pytest.mark.parametrize("persona", ["town_organizer", "village_secretary", "other_town_organizer"])
def test_searching_a_foreign_persons_full_id_number_finds_nothing(world, persona):
    key = FOREIGN_PERSON[persona]
    client = world.client(persona)
    assert client.get("/api/people", {"q": world.id_numbers[key]}).json()["count"] == 0
    assert world.people[key].name not in client.get("/people/", {"q": world.id_numbers[key]}).content.decode()


def test_an_organization_page_never_links_above_the_users_subtree(world):
    page = world.client("town_organizer").get("/orgs/T100/").content.decode()
    assert "/orgs/T000/" not in page
    assert "测试县委" not in page
