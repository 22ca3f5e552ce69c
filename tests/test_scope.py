"""The one scoping function (core/scope.py, SECURITY.md B3), against an independent parent-walk oracle."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.core.audit import Actor
from dangjian.core.errors import NotAllowed, OutOfScope
from dangjian.core.scope import path_upper_bound, path_visible, segment, subtree_q, visible_to
from dangjian.orgs.models import Organization, OrgKind, Role, User
from dangjian.orgs.services import org_create
from dangjian.people.models import Person
from dangjian.people.services import PersonData, person_create, person_update
from tests.conftest import make_id
from tests.support import people_fingerprint, rolled_back, row_counts


@pytest.fixture
def world(shared_world):
    """This module's tests share one built world (tests/conftest.py: shared_world)."""
    return shared_world


# --- paths ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path, bound", [
    ("0001", "0002"),
    ("00010009", "00010010"),
    ("00010099", "00010100"),
    ("000100029998", "000100029999"),
])
def test_a_subtrees_upper_bound_is_the_next_sibling_path(path, bound):
    assert path_upper_bound(path) == bound


@pytest.mark.parametrize("n", [0, -1, 9999, 10**6])
def test_it_refuses_a_child_number_outside_the_segment(n):
    with pytest.raises(ValueError):
        segment(n)


@pytest.mark.parametrize("own, other, visible", [
    ("0001", "0001", True),
    ("0001", "00010003", True),
    ("00010003", "0001", False),  # the parent is outside
    ("00010003", "00010004", False),  # a sibling is outside
    ("00010003", "000100030012", True),
    ("0001", "0002", False),
    ("00010001", "00010010", False),  # shares the text prefix "0001001" but is a sibling
])
def test_path_visible_is_true_exactly_inside_the_subtree(own, other, visible):
    user = User(username="u", organization=Organization(path=own))
    assert path_visible(user, other) is visible


@pytest.mark.django_db
@pytest.mark.parametrize("make_user", [
    lambda org: AnonymousUser(),
    lambda org: None,
    lambda org: User(username="nobody", organization=None, role=Role.COUNTY_ADMIN),
    lambda org: User(username="boss", organization=None, role=Role.COUNTY_ADMIN, is_superuser=True, is_staff=True),
    lambda org: User(username="gone", organization=org, role=Role.COUNTY_ADMIN, is_active=False),
], ids=["anonymous", "none", "no-organization", "superuser-without-organization", "inactive"])
def test_these_users_see_nothing_at_all(world, make_user):
    user = make_user(world.county)
    assert not visible_to(user, Organization).exists()
    assert not visible_to(user, Person).exists()
    assert not path_visible(user, world.county.path)


def test_a_subtree_query_is_one_range_scan_without_recursion(world):
    with CaptureQueriesContext(connection) as ctx:
        list(visible_to(world.users["town_organizer"], Person))
    assert len(ctx.captured_queries) == 1
    sql = ctx.captured_queries[0]["sql"].upper()
    assert "WITH RECURSIVE" not in sql
    assert '"ORG_PATH" >=' in sql and '"ORG_PATH" <' in sql


# --- services refuse writes outside the subtree and write nothing -----------------------------------------
@pytest.mark.parametrize("persona, org", [
    ("town_organizer", "w1"), ("village_secretary", "v2"), ("village_secretary", "t1"), ("other_town_organizer", "v1"),
    ("orphan", "v1"),
])
def test_person_create_outside_the_subtree_raises_not_found_and_writes_nothing(world, persona, org):
    before = row_counts(), people_fingerprint()
    from dangjian.core.models import AuditEntry

    audit = AuditEntry.objects.count()
    with pytest.raises(OutOfScope):
        person_create(actor=Actor(user=world.users[persona]),
                      data=PersonData(name="越界者", id_number=make_id(dt.date(1991, 1, 1)),
                                      organization=getattr(world, org)))
    assert (row_counts(), people_fingerprint()) == before
    assert AuditEntry.objects.count() == audit


def test_a_read_only_user_may_not_write_even_inside_his_subtree(world):
    before = people_fingerprint()
    with pytest.raises(NotAllowed):
        person_create(actor=Actor(user=world.users["readonly"]),
                      data=PersonData(name="只读者", id_number=make_id(dt.date(1991, 1, 1)), organization=world.v1))
    p = world.people["v1_member"]
    with pytest.raises(NotAllowed):
        person_update(actor=Actor(user=world.users["readonly"]), person_id=p.pk, version=p.version,
                      data=PersonData(name="改名者", id_number="", organization=world.v1))
    assert people_fingerprint() == before


@pytest.mark.parametrize("persona, key, dest", [
    ("town_organizer", "w1_member", "v1"),  # a foreign record, moved into one's own subtree
    ("town_organizer", "v1_member", "w1"),  # one's own record, moved out
    ("village_secretary", "v1_member", "t1"),  # up to the parent
])
def test_person_update_across_the_subtree_border_raises_not_found_and_writes_nothing(world, persona, key, dest):
    p = world.people[key]
    before = people_fingerprint()
    with pytest.raises(OutOfScope):
        person_update(actor=Actor(user=world.users[persona]), person_id=p.pk, version=p.version,
                      data=PersonData(name="搬家者", id_number="", organization=getattr(world, dest)))
    assert people_fingerprint() == before


def test_org_create_refuses_a_parent_outside_the_subtree_and_a_read_only_user(world):
    before = Organization.objects.count()
    with pytest.raises(OutOfScope):
        org_create(actor=Actor(user=world.users["town_organizer"]), code="Z1", name="越界支部", kind=OrgKind.BRANCH,
                   parent=world.t2)
    with pytest.raises(OutOfScope):
        org_create(actor=Actor(user=world.users["county_admin"]), code="Z2", name="新县委", kind=OrgKind.COUNTY)
    with pytest.raises(NotAllowed):
        org_create(actor=Actor(user=world.users["readonly"]), code="Z3", name="只读支部", kind=OrgKind.BRANCH,
                   parent=world.v1)
    assert Organization.objects.count() == before


# --- Hypothesis: random trees against a parent-walk oracle ----------------------------------------------
@st.composite
def trees(draw):
    """A forest as a list of parent indexes (None: a root), each node's parent drawn among earlier nodes,
    weighted so that wide fan-outs (10+ children: "0010" after "0009") and deep chains both occur."""
    n = draw(st.integers(min_value=1, max_value=28))
    parents: list[int | None] = [None]
    for i in range(1, n):
        choice = draw(st.one_of(st.none(), st.integers(0, i - 1), st.just(i - 1), st.just(0)))
        parents.append(choice)
    return parents


def _oracle(parent_of: dict[int, int | None], user_org: int) -> set[int]:
    """Orgs whose ancestor chain (themselves included) contains the user's org: a plain parent walk."""
    seen = set()
    for org in parent_of:
        node: int | None = org
        while node is not None:
            if node == user_org:
                seen.add(org)
                break
            node = parent_of[node]
    return seen


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(shape=trees(), pick=st.integers(min_value=0, max_value=10**6))
def test_visible_to_returns_exactly_the_orgs_below_the_users_org_on_random_trees(shape, pick):
    with rolled_back():
        made: list[Organization] = []
        for i, parent in enumerate(shape):
            made.append(org_create(actor=Actor(), code=f"H{i:03d}", name=f"组织{i}", kind=OrgKind.BRANCH,
                                   parent=None if parent is None else made[parent], check_scope=False))
        # One person per organization, so the Person scope (org_path) is checked against the same oracle.
        Person.objects.bulk_create([
            Person(name=f"人{i}", gender="male", birth_date=dt.date(1990, 1, 1), id_number_enc="-",
                   id_number_hash=f"h{i}", id_number_masked="-", organization=o, org_path=o.path)
            for i, o in enumerate(made)])
        user_org = made[pick % len(made)]
        user = User(username="h", organization=user_org, role=Role.TOWNSHIP_ORGANIZER)
        parent_of = {o.pk: o.parent_id for o in made}
        expected = _oracle(parent_of, user_org.pk)

        assert set(visible_to(user, Organization).values_list("pk", flat=True)) == expected
        assert set(visible_to(user, Person).values_list("organization_id", flat=True)) == expected
        for o in made:
            assert path_visible(user, o.path) is (o.pk in expected)
        assert set(Organization.objects.filter(subtree_q(user_org.path)).values_list("pk", flat=True)) == expected
