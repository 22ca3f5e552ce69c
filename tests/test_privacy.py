"""ID numbers at rest and in every output (SECURITY.md D1, D3, D5, C1).

Every response of the whole suite is scanned by the autouse fixture in tests/conftest.py (tests/support.py);
the URL × persona sweep in test_outsider_urls.py is the run over every URL as every persona, and it scans
the logs too. Here: the database as stored and dumped, the masked form, the reveal, the scanner itself.
"""

from __future__ import annotations

import io
import logging
import re

import pytest
from django.core.management import call_command
from django.db import connection

from tests.support import FullIdLeak, allow_full_id, full_ids_in
from tests.urlmap import REVEALERS, add_outer_county


@pytest.fixture
def world(shared_world):
    """This module's tests share one built world (tests/conftest.py: shared_world)."""
    return shared_world


def _masked(number: str) -> str:
    return f"{number[:6]}********{number[14:]}"


def test_a_raw_sql_read_of_the_person_table_holds_no_id_number(world):
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM people_person")
        text = repr(cur.fetchall())
    assert not full_ids_in(text)
    for number in world.id_numbers.values():
        assert number not in text
        assert number[6:17] not in text  # not even the birth date and sequence run
    assert _masked(world.id_numbers["v1_member"]) in text


def test_a_dump_of_the_whole_database_holds_no_id_number(world):
    # Logins, searches by full number, reveals and edits first, so the audit, sessions and axes tables hold
    # whatever they would hold after a day of use.
    client = world.client("town_organizer")
    number = world.id_numbers["v1_member"]
    client.get("/people/", {"q": number})
    client.get("/api/people", {"q": number})
    with allow_full_id():
        client.post(f"/people/{world.people['v1_member'].pk}/reveal-id/")
    client.post("/accounts/login/", {"username": number, "password": number})  # a number typed as a username
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    dump = out.getvalue()
    assert '"model": "people.person"' in dump and '"model": "core.auditentry"' in dump
    assert not full_ids_in(dump)
    for n in world.id_numbers.values():
        assert n not in dump


def test_pages_and_api_show_the_masked_form(world):
    client = world.client("county_admin")
    pk = world.people["v1_member"].pk
    number = world.id_numbers["v1_member"]
    assert re.fullmatch(r"522730\*{8}\d{3}[\dX]", _masked(number))
    for url in ("/people/", f"/people/{pk}/", f"/people/{pk}/edit/"):
        assert _masked(number) in client.get(url).content.decode(), url
    assert client.get(f"/api/people/{pk}").json()["id_number"] == _masked(number)
    assert _masked(number) in [i["id_number"] for i in client.get("/api/people").json()["items"]]


@pytest.mark.parametrize("persona", ["county_admin", "town_organizer", "village_secretary", "readonly"])
def test_only_roles_allowed_to_reveal_see_the_button_and_the_number(world, persona):
    p = world.people["v1_member"]
    number = world.id_numbers["v1_member"]
    client = world.client(persona)
    detail = client.get(f"/people/{p.pk}/").content.decode()
    assert (f"/people/{p.pk}/reveal-id/" in detail) is (persona in REVEALERS)
    with allow_full_id():
        response = client.post(f"/people/{p.pk}/reveal-id/")
    if persona in REVEALERS:
        assert response.status_code == 200
        assert f'<span id="revealed-id">{number}</span>' in response.content.decode()
    else:
        assert response.status_code == 403
        assert number not in response.content.decode()
        assert "不能查看完整的公民身份号码" in response.content.decode()


@pytest.mark.parametrize("persona", ["county_admin", "town_organizer", "other_town_organizer", "orphan"])
def test_an_outsider_asking_to_reveal_gets_404_and_no_number(world, persona):
    add_outer_county(world)
    target = {"county_admin": "x1_member", "town_organizer": "w1_member", "other_town_organizer": "v2_member",
              "orphan": "v1_member"}[persona]
    from dangjian.core.models import AuditEntry

    with allow_full_id():
        response = world.client(persona).post(f"/people/{world.people[target].pk}/reveal-id/")
    assert response.status_code == 404
    assert world.id_numbers[target] not in response.content.decode()
    assert not AuditEntry.objects.filter(action="person.reveal_id").exists()


def test_a_reveal_is_a_post_never_a_link(world):
    assert world.client("county_admin").get(f"/people/{world.people['v1_member'].pk}/reveal-id/").status_code == 405


def test_the_response_scanner_catches_a_full_number_that_was_not_asked_for(world):
    # The scanner is what makes "no page shows a full number" true for the whole suite: it must bite.
    with pytest.raises(FullIdLeak, match=r"522730\*{8}"):
        world.client("county_admin").post(f"/people/{world.people['v1_member'].pk}/reveal-id/")


def test_the_response_scanner_ignores_what_the_user_typed_himself(world):
    number = world.id_numbers["v2_member"]
    page = world.client("town_organizer").get("/people/", {"q": number}).content.decode()
    assert number in page  # the search box shows what was typed…
    assert "王建国" in page  # …and the result row shows only the masked form (else the scanner would fail)


def test_searches_and_errors_carrying_a_full_number_leave_no_trace_in_the_logs(world, caplog):
    caplog.set_level(logging.DEBUG)
    number = world.id_numbers["w1_member"]
    client = world.client("town_organizer")
    client.get("/people/", {"q": number})
    client.get("/api/people", {"q": number})
    client.get("/people/999999/", {"q": number})  # a 404, logged by django.request
    client.get("/api/people/999999", {"q": number})
    client.get("/api/people", {"page": number})  # a page number far out of range
    client.get("/api/people", {"page": number + "x"})  # a 400 on a malformed parameter
    client.post("/people/new/", {"name": "孙", "id_number": number, "organization": "T201"})  # refused: 400
    client.post("/accounts/login/", {"username": number, "password": "x"})
    # What handlers write: the formatted messages and their arguments (a record's `request` object is not
    # written by the configured console handler; its repr would hold the query string).
    logged = caplog.text + " ".join(r.getMessage() + repr(r.args) for r in caplog.records)
    assert caplog.records  # the 404 and 400 above were logged…
    assert not full_ids_in(logged)  # …without the number
    assert number not in logged


@pytest.mark.parametrize("url", ["/", "/people/", "/orgs/", "/accounts/login/", "/accounts/password/",
                                 "/people/999999/", "/api/people", "/api/docs"])
def test_every_page_forbids_caching(world, url):
    response = world.client("town_organizer").get(url)
    assert response["Cache-Control"] == "no-store"
