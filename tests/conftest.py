"""Personas and a small world: a county, two townships, villages, people (STYLE.md: personas in tests).

    county (C) ── township T1 ── village branch V1 (people), V2 (people)
               └─ township T2 ── village branch W1 (people)

Personas: county_admin (C), town_organizer (T1), village_secretary (V1), other_town_organizer (T2),
readonly (T1, 只读), orphan (no organization), anonymous.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import re
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.test import Client

from dangjian.core.audit import Actor
from dangjian.orgs.models import Organization, OrgKind, PlaceType, Role, User
from dangjian.orgs.services import org_create, user_create
from dangjian.people import idnumber
from dangjian.people.models import Person
from dangjian.people.services import PersonData, person_create

PASSWORD = "Test-2026x"
FULL_ID_RE = re.compile(rb"(?<!\d)\d{17}[\dXx](?!\d)")
_seq = itertools.count(1)


def make_id(birth: dt.date = dt.date(1990, 5, 17), male: bool = True, region: str = "522730") -> str:
    n = next(_seq) % 499
    return idnumber.make(region, birth, 2 * n + (1 if male else 0))


@dataclass
class World:
    county: Organization
    t1: Organization
    t2: Organization
    v1: Organization
    v2: Organization
    w1: Organization
    users: dict[str, User] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    id_numbers: dict[str, str] = field(default_factory=dict)

    def client(self, persona: str) -> Client:
        c = Client()
        if persona != "anonymous":
            c.force_login(self.users[persona])
        return c


def add_person(world: World, key: str, org: Organization, name: str, **kw) -> Person:
    number = kw.pop("id_number", None) or make_id(kw.pop("birth", dt.date(1990, 5, 17)), kw.pop("male", True))
    actor = Actor(user=world.users["county_admin"])
    p = person_create(actor=actor, data=PersonData(name=name, id_number=number, organization=org, **kw))
    world.people[key] = p
    world.id_numbers[key] = number
    return p


@pytest.fixture
def world(db) -> World:
    return build_world()


def build_world() -> World:
    sys_actor = Actor()
    county = org_create(actor=sys_actor, code="T000", name="测试县委", kind=OrgKind.COUNTY, check_scope=False)
    t1 = org_create(actor=sys_actor, code="T100", name="甲镇党委", kind=OrgKind.TOWNSHIP, parent=county,
                    check_scope=False)
    t2 = org_create(actor=sys_actor, code="T200", name="乙镇党委", kind=OrgKind.TOWNSHIP, parent=county,
                    check_scope=False)
    v1 = org_create(actor=sys_actor, code="T101", name="东村党支部", kind=OrgKind.BRANCH, parent=t1,
                    place_type=PlaceType.VILLAGE, has_branch_committee=True, check_scope=False)
    v2 = org_create(actor=sys_actor, code="T102", name="西村党支部", kind=OrgKind.BRANCH, parent=t1,
                    place_type=PlaceType.VILLAGE, check_scope=False)
    w1 = org_create(actor=sys_actor, code="T201", name="南村党支部", kind=OrgKind.BRANCH, parent=t2,
                    place_type=PlaceType.VILLAGE, check_scope=False)
    w = World(county=county, t1=t1, t2=t2, v1=v1, v2=v2, w1=w1)
    for username, org, role in (("county_admin", county, Role.COUNTY_ADMIN),
                                ("town_organizer", t1, Role.TOWNSHIP_ORGANIZER),
                                ("village_secretary", v1, Role.VILLAGE_SECRETARY),
                                ("other_town_organizer", t2, Role.TOWNSHIP_ORGANIZER),
                                ("readonly", t1, Role.READONLY),
                                ("orphan", None, Role.TOWNSHIP_ORGANIZER)):
        w.users[username] = user_create(actor=sys_actor, username=username, password=PASSWORD, organization=org,
                                        role=role, must_change_password=False)
    add_person(w, "v1_member", v1, "张三丰", party_status="full_member", status_date=dt.date(2010, 7, 1))
    add_person(w, "v1_applicant", v1, "李小红", male=False, birth=dt.date(2000, 2, 29), party_status="applicant",
               status_date=dt.date(2025, 3, 1))
    add_person(w, "v2_member", v2, "王建国", party_status="full_member", status_date=dt.date(2001, 7, 1))
    add_person(w, "w1_member", w1, "赵德成", party_status="full_member", status_date=dt.date(2005, 7, 1))
    add_person(w, "w1_activist", w1, "曾国华", party_status="activist", status_date=dt.date(2025, 1, 10))
    return w


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes more than a few seconds; always run, never skipped")


@pytest.fixture(autouse=True)
def _no_full_id_in_responses(monkeypatch):
    """SECURITY.md D3: every response of the suite is scanned for full ID numbers (tests/support.py)."""
    from tests.support import install_response_scanner

    install_response_scanner(monkeypatch)


@pytest.fixture(scope="module")
def world_template(request, django_db_setup, django_db_blocker) -> World:
    """One world per test module, inside a transaction rolled back when the module ends (building a world
    costs ~0.1 s; the server suite asks for one in hundreds of tests). A module may define
    `extend_world(world)` to add to it once. Not for transactional or live-server tests: their data must be
    committed."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            w = build_world()
            extend = getattr(request.module, "extend_world", None)
            if extend is not None:
                extend(w)
            yield w
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def shared_world(world_template, db) -> World:
    """A private copy of the module's world; the test's writes are undone by the `db` fixture's savepoint.
    A module opts in with `@pytest.fixture def world(shared_world): return shared_world`."""
    return copy.deepcopy(world_template)
