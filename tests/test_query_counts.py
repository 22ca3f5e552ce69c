"""List and dashboard pages pin their query counts (STYLE.md), and the counts do not grow with the data:
no N+1 over people or organizations. The numbers include the session, the user, the demo-banner flag, the
audit row of a search (savepoint, chain head, insert) and the session save."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from dangjian.core.audit import Actor
from dangjian.orgs.models import OrgKind, PlaceType
from dangjian.orgs.services import org_create
from tests.conftest import add_person


@pytest.fixture
def world(shared_world):
    """This module's tests share one built world (tests/conftest.py: shared_world)."""
    return shared_world


# "/": 10 + the statistics dashboard (issue 5): roll-up counts, the boundary birth years, admissions, findings,
# the children, their roll-up counts and their admissions; + 6 for its warning counts (stats.warning_counts): the
# counties' settings, the villages and their last admissions (dormant colours), the year's admissions, quotas and
# their organizations with the townships (rush flags).
PINNED_SQLITE = {"/": 23, "/orgs/": 9, "/people/": 13, "/api/people": 12, "/orgs/T100/": 10}
AUDITED = {"/people/", "/api/people"}  # a search writes an audit row


def pinned(url: str) -> int:
    # On PostgreSQL an audit row also takes the chain's advisory lock (core/audit.py): one more statement.
    return PINNED_SQLITE[url] + (1 if url in AUDITED and connection.vendor == "postgresql" else 0)


@pytest.fixture
def bigger_world(world):
    """Three more villages with eight people each, and a group under one of them."""
    for i in range(3):
        village = org_create(actor=Actor(), code=f"T11{i}", name=f"新村{i}党支部", kind=OrgKind.BRANCH, parent=world.t1,
                             place_type=PlaceType.VILLAGE, check_scope=False)
        org_create(actor=Actor(), code=f"T11{i}G", name=f"新村{i}第一党小组", kind=OrgKind.GROUP, parent=village,
                   check_scope=False)
        for j in range(8):
            add_person(world, f"extra{i}{j}", village, f"陈{'一二三四五六七八'[j]}{'甲乙丙'[i]}",
                       birth=dt.date(1970 + j, 1 + i, 1 + j), party_status="activist" if j % 2 else "full_member",
                       status_date=dt.date(2024, 1, 1))
    return world


@pytest.mark.parametrize("persona", ["county_admin", "town_organizer", "village_secretary"])
@pytest.mark.parametrize("url", list(PINNED_SQLITE))
def test_a_list_page_makes_a_fixed_number_of_queries(world, django_assert_max_num_queries, persona, url):
    client = world.client(persona)
    client.get("/")  # the session's first request stamps its start time; measure a steady request
    with django_assert_max_num_queries(pinned(url)):
        response = client.get(url)
    assert response.status_code in (200, 404)


@pytest.mark.parametrize("url", list(PINNED_SQLITE))
def test_the_query_count_does_not_grow_with_the_data(bigger_world, django_assert_max_num_queries, url):
    client = bigger_world.client("county_admin")
    client.get("/")
    with django_assert_max_num_queries(pinned(url)):
        response = client.get(url)
    assert response.status_code == 200
    if url in ("/people/", "/api/people"):
        assert "陈八丙" in response.content.decode() or response.json()["count"] == 29


def test_a_search_with_filters_makes_one_more_query_only_to_find_the_organization(world,
                                                                                 django_assert_max_num_queries):
    client = world.client("town_organizer")
    client.get("/")
    with django_assert_max_num_queries(pinned("/people/")):
        client.get("/people/", {"q": "zsf", "party_status": "full_member", "gender": "male", "page": 1})
    with django_assert_max_num_queries(pinned("/people/") + 1):
        client.get("/people/", {"q": "zsf", "party_status": "full_member", "org": "T101", "page": 1})
    with django_assert_max_num_queries(pinned("/api/people") + 1):
        client.get("/api/people", {"q": world.id_numbers["v1_member"], "org": "T100"})
