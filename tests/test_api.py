"""The JSON API under /api: lists with filters and pagination, details, create, token auth, OpenAPI docs."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from dangjian import cli
from dangjian.core.models import ApiToken, AuditEntry
from dangjian.orgs.models import User
from dangjian.people.models import Person
from tests.conftest import make_id
from tests.support import MASKED_RE, people_fingerprint, row_counts
from tests.urlmap import api_person


@pytest.fixture
def world(shared_world):
    """This module's tests share one built world (tests/conftest.py: shared_world)."""
    return shared_world


def _post(client, body: dict, **headers):
    return client.post("/api/people", data=json.dumps(body), content_type="application/json", headers=headers)


# --- /api/orgs ------------------------------------------------------------------------------------------------
def test_the_org_list_carries_code_name_kind_and_parent(world):
    body = world.client("county_admin").get("/api/orgs").json()
    assert body["count"] == 6 and body["page"] == 1
    by_code = {o["code"]: o for o in body["items"]}
    assert by_code["T000"]["parent_code"] is None and by_code["T000"]["kind"] == "county"
    assert by_code["T101"] == {"code": "T101", "name": "东村党支部", "kind": "branch", "kind_label": "党支部",
                               "place_type": "village", "parent_code": "T100", "depth": 2,
                               "has_branch_committee": True, "can_approve": False}
    assert by_code["T100"]["can_approve"] is True  # a 乡镇党委 may approve admissions
    assert [o["code"] for o in body["items"]] == ["T000", "T100", "T101", "T102", "T200", "T201"]  # tree order


def test_the_org_list_paginates(world):
    client = world.client("county_admin")
    first = client.get("/api/orgs", {"page_size": 4}).json()
    second = client.get("/api/orgs", {"page_size": 4, "page": 2}).json()
    assert (first["count"], len(first["items"]), len(second["items"])) == (6, 4, 2)
    assert {o["code"] for o in first["items"]} | {o["code"] for o in second["items"]} == {
        "T000", "T100", "T101", "T102", "T200", "T201"}


def test_one_organization_by_code(world):
    client = world.client("town_organizer")
    assert client.get("/api/orgs/T102").json()["name"] == "西村党支部"
    response = client.get("/api/orgs/T201")
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到该记录，或它不在您的管辖范围内"}
    assert client.get("/api/orgs/NOPE").status_code == 404  # unknown and foreign look the same


# --- /api/people ----------------------------------------------------------------------------------------------
def test_people_items_carry_id_and_a_masked_number_only(world):
    body = world.client("town_organizer").get("/api/people").json()
    assert body["count"] == 3
    for item in body["items"]:
        person = Person.objects.get(pk=item["id"])
        assert MASKED_RE.match(item["id_number"])
        assert item["id_number"] == person.id_number_masked
        assert item["organization_code"] == person.organization.code
    zsf = next(i for i in body["items"] if i["name"] == "张三丰")
    number = world.id_numbers["v1_member"]
    assert zsf["id_number"] == f"{number[:6]}********{number[14:]}"
    assert zsf["birth_date"] == "1990-05-17" and zsf["gender"] == "male"
    assert zsf["party_status"] == "full_member" and zsf["party_status_label"] == "正式党员"


@pytest.mark.parametrize("query, names", [
    ({"q": "zsf"}, ["张三丰"]),
    ({"q": "三丰"}, ["张三丰"]),
    ({"party_status": "applicant"}, ["李小红"]),
    ({"gender": "female"}, ["李小红"]),
    ({"org": "T102"}, ["王建国"]),
    ({"org": "T201"}, []),  # foreign: nothing, not the other township
    ({"q": "zgh"}, []),
])
def test_people_filters(world, query, names):
    body = world.client("town_organizer").get("/api/people", query).json()
    assert sorted(i["name"] for i in body["items"]) == sorted(names)
    assert body["count"] == len(names)


def test_people_search_by_full_id_number(world):
    number = world.id_numbers["w1_activist"]
    items = world.client("other_town_organizer").get("/api/people", {"q": number}).json()["items"]
    assert [i["name"] for i in items] == ["曾国华"]


def test_people_pagination_and_its_bounds(world):
    client = world.client("county_admin")
    pages = [client.get("/api/people", {"page_size": 2, "page": n}).json() for n in (1, 2, 3, 4)]
    assert [len(p["items"]) for p in pages] == [2, 2, 1, 0]
    assert all(p["count"] == 5 and p["page_size"] == 2 for p in pages)
    ids = [i["id"] for p in pages for i in p["items"]]
    assert len(set(ids)) == 5
    assert client.get("/api/people", {"page": 0}).json()["page"] == 1
    assert client.get("/api/people", {"page_size": 100000}).json()["page_size"] == 200


@pytest.mark.parametrize("url", ["/api/people", "/api/orgs"])
@pytest.mark.parametrize("page", ["99999", "522730199005170015", str(2**63), "-5"])
def test_a_page_number_far_out_of_range_gives_an_empty_page_not_an_error(world, url, page):
    response = world.client("county_admin").get(url, {"page": page})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] > 0
    assert body["items"] == [] or body["page"] == 1


@pytest.mark.parametrize("query", [{"page": "abc"}, {"page_size": "1.5"}, {"page": ""}])
def test_a_malformed_paging_parameter_answers_400_in_chinese(world, query):
    response = world.client("county_admin").get("/api/people", query)
    assert response.status_code == 400
    assert any(m.startswith(("页码：", "每页条数：")) for ms in response.json()["errors"].values() for m in ms)


def test_one_person_by_id(world):
    p = world.people["v1_applicant"]
    client = world.client("village_secretary")
    body = client.get(f"/api/people/{p.pk}").json()
    assert (body["id"], body["name"], body["id_number"]) == (p.pk, "李小红", p.id_number_masked)
    assert client.get(f"/api/people/{world.people['v2_member'].pk}").status_code == 404
    assert client.get("/api/people/999999").status_code == 404


def test_api_responses_are_not_cached(world):
    assert world.client("county_admin").get("/api/people")["Cache-Control"] == "no-store"


# --- POST /api/people -----------------------------------------------------------------------------------------
def test_creating_a_person_answers_201_with_the_new_record(world):
    body = api_person(world, "T102", occupations=["veteran"], phone="0855-1234567")
    response = _post(world.client("town_organizer"), body)
    assert response.status_code == 201
    created = response.json()
    person = Person.objects.get(pk=created["id"])
    assert (person.name, person.organization.code, person.occupation_list) == ("吴接口", "T102", ["veteran"])
    assert created["id_number"] == person.id_number_masked and created["gender"] == "female"
    assert AuditEntry.objects.filter(action="person.create", object_id=str(person.pk)).count() == 1


def test_a_bad_person_is_refused_with_400_and_chinese_field_errors_and_nothing_written(world):
    before = row_counts(), people_fingerprint(), AuditEntry.objects.count()
    body = api_person(world, "T101", id_number=make_id(dt.date(1990, 5, 17))[:17] + "Y", gender="female",
                      phone="abc", education="phd")
    response = _post(world.client("town_organizer"), body)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["id_number"][0].startswith("公民身份号码：")
    assert errors["phone"][0].startswith("联系电话：")
    assert errors["education"][0].startswith("学历：")
    assert (row_counts(), people_fingerprint(), AuditEntry.objects.count()) == before


def test_a_malformed_field_is_refused_with_400_in_chinese_and_nothing_written(world):
    before = row_counts(), people_fingerprint()
    body = api_person(world, "T101", birth_date="1990-02-30")
    response = _post(world.client("town_organizer"), body)
    assert response.status_code == 400
    text = json.dumps(response.json(), ensure_ascii=False)
    assert "birth_date" in text and "出生日期" in text
    response = _post(world.client("town_organizer"), {"name": "缺号码"})
    assert response.status_code == 400
    assert "id_number" in json.dumps(response.json(), ensure_ascii=False)
    assert (row_counts(), people_fingerprint()) == before


@pytest.mark.parametrize("persona, code, status", [
    ("town_organizer", "T201", 404), ("village_secretary", "T102", 404), ("village_secretary", "T100", 404),
    ("orphan", "T101", 404), ("town_organizer", "NOPE", 404), ("readonly", "T101", 403),
])
def test_a_person_outside_the_subtree_or_by_a_read_only_user_is_refused_and_nothing_written(world, persona, code,
                                                                                             status):
    before = row_counts(), people_fingerprint()
    assert _post(world.client(persona), api_person(world, code)).status_code == status
    assert (row_counts(), people_fingerprint()) == before


# --- token auth -----------------------------------------------------------------------------------------------
def _token(username: str, capsys) -> str:
    capsys.readouterr()
    assert cli.main(["token", "create", username, "--name", "测试"]) == 0
    return capsys.readouterr().out.strip()


def test_a_cli_token_authenticates_with_the_users_scope(world, capsys):
    from django.test import Client

    token = _token("town_organizer", capsys)
    client = Client()
    bearer = {"Authorization": f"Bearer {token}"}
    body = client.get("/api/people", headers=bearer).json()
    assert {i["name"] for i in body["items"]} == {"张三丰", "李小红", "王建国"}
    assert client.get(f"/api/people/{world.people['w1_member'].pk}", headers=bearer).status_code == 404
    created = _post(client, api_person(world, "T101"), **bearer)
    assert created.status_code == 201
    row = AuditEntry.objects.filter(action="person.create").order_by("-id").first()
    assert row.username == "town_organizer"
    assert ApiToken.objects.get(user__username="town_organizer").last_used_at is not None


def test_only_the_tokens_hash_is_stored(world, capsys):
    import hashlib

    token = _token("county_admin", capsys)
    row = ApiToken.objects.get()
    assert row.key_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in json.dumps(list(ApiToken.objects.values()), default=str)
    assert AuditEntry.objects.filter(action="token.create", object_id="county_admin").exists()


@pytest.mark.parametrize("header", ["Bearer nonsense", "Bearer ", "Token abc", "Basic Y291bnR5OmFkbWlu"])
def test_a_wrong_token_answers_401(world, header):
    from django.test import Client

    assert Client().get("/api/people", headers={"Authorization": header}).status_code == 401


def test_a_disabled_users_token_answers_401(world, capsys):
    from django.test import Client

    token = _token("town_organizer", capsys)
    User.objects.filter(username="town_organizer").update(is_active=False)
    assert Client().get("/api/people", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_token_create_for_an_unknown_user_fails(db, capsys):
    assert cli.main(["token", "create", "nobody"]) == 2
    assert "不存在" in capsys.readouterr().err


# --- docs -----------------------------------------------------------------------------------------------------
def test_the_openapi_schema_lists_every_endpoint(world):
    schema = world.client("anonymous").get("/api/openapi.json").json()
    paths = schema["paths"]
    assert {"/api/orgs", "/api/orgs/{code}", "/api/people", "/api/people/{person_id}"} <= set(paths)
    assert set(paths["/api/people"]) == {"get", "post"}
    # Both ways in are documented.
    assert {"TokenAuth", "SessionAuth"} <= set(schema["components"]["securitySchemes"])


def test_the_docs_page_loads_from_this_server_only(world):
    response = world.client("county_admin").get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "openapi.json" in html
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html
