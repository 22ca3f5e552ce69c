"""The person registry: bad ID numbers refused with a Chinese message naming the field and nothing written;
search by name, pinyin initials and full ID number; filters and pagination; optimistic concurrency (E3)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError

from dangjian.core import crypto
from dangjian.core.audit import Actor
from dangjian.core.errors import Conflict
from dangjian.core.models import AuditEntry
from dangjian.people import idnumber
from dangjian.people.models import Person
from dangjian.people.selectors import PersonFilter, person_list
from dangjian.people.services import PersonData, person_create, person_update
from tests.conftest import add_person, make_id
from tests.support import people_fingerprint, row_counts
from tests.urlmap import person_form


@pytest.fixture
def world(shared_world):
    """This module's tests share one built world (tests/conftest.py: shared_world)."""
    return shared_world


def _with_check(first17: str) -> str:
    return first17 + idnumber.check_digit(first17)


def _wrong_check(number: str) -> str:
    return number[:17] + ("0" if number[-1] != "0" else "1")


def _x_number() -> str:
    """A valid number whose check character is X."""
    for seq in range(1, 999, 2):
        n = idnumber.make("522730", dt.date(1985, 6, 1), seq)
        if n.endswith("X"):
            return n
    raise AssertionError("no X number")


def _to_full_width(number: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) for c in number)


# Each bad input: what is typed, the field the message must name, and a piece of the Chinese message.
BAD_INPUTS = {
    "a wrong check digit": (lambda w: {"id_number": _wrong_check(make_id())}, "id_number", "公民身份号码：公民身份号码校验位错误"),
    "an impossible birth date 19900230": (lambda w: {"id_number": _with_check("52273019900230123")}, "id_number",
                                          "出生日期 19900230 不是有效日期"),
    "a gender that disagrees with the number": (lambda w: {"id_number": make_id(male=True), "gender": "female"},
                                                "gender", "性别：与公民身份号码不一致"),
    "a birth date that disagrees with the number": (
        lambda w: {"id_number": make_id(dt.date(1990, 5, 17)), "birth_date": dt.date(1990, 5, 18)}, "birth_date",
        "出生日期：1990-05-18 与公民身份号码中的 1990-05-17 不一致"),
    "a duplicate of a person in the subtree": (lambda w: {"id_number": w.id_numbers["v2_member"]}, "id_number",
                                               "公民身份号码：该号码已登记"),
    "a duplicate of a person in another subtree": (lambda w: {"id_number": w.id_numbers["w1_member"]}, "id_number",
                                                   "该号码已登记"),
    "a duplicate typed in full-width digits": (lambda w: {"id_number": _to_full_width(w.id_numbers["v2_member"])},
                                               "id_number", "该号码已登记"),
    "a birth date after today": (lambda w: {"id_number": _with_check("52273021000101123")}, "id_number",
                                 "出生日期晚于今天"),
    "a non-ID string": (lambda w: {"id_number": "12345"}, "id_number", "应为18位"),
    "a party status without its date": (lambda w: {"id_number": make_id(), "party_status": "applicant",
                                                   "status_date": None}, "status_date", "状态日期：除群众外必须填写"),
    "a name in latin letters with digits": (lambda w: {"id_number": make_id(), "name": "Bob2"}, "name", "姓名："),
    "a bad phone number": (lambda w: {"id_number": make_id(), "phone": "12345"}, "phone", "联系电话："),
}


def _snapshot():
    return row_counts(), people_fingerprint(), AuditEntry.objects.count()


@pytest.mark.parametrize("case", list(BAD_INPUTS), ids=list(BAD_INPUTS))
def test_the_service_refuses_bad_input_naming_the_field_and_writes_nothing(world, case):
    make, field, message = BAD_INPUTS[case]
    fields = {"name": "孙新人", "organization": world.v1, **make(world)}
    before = _snapshot()
    with pytest.raises(ValidationError) as exc:
        person_create(actor=Actor(user=world.users["town_organizer"]), data=PersonData(**fields))
    errors = exc.value.message_dict
    assert field in errors
    assert any(message in m for m in errors[field]), errors
    assert _snapshot() == before


def _form_value(v):
    return "" if v is None else v.isoformat() if isinstance(v, dt.date) else v


@pytest.mark.parametrize("case", list(BAD_INPUTS), ids=list(BAD_INPUTS))
def test_the_page_refuses_bad_input_with_a_chinese_message_and_writes_nothing(world, case):
    make, field, message = BAD_INPUTS[case]
    data = person_form(world, "T101", **{k: _form_value(v) for k, v in make(world).items()})
    before = _snapshot()
    response = world.client("town_organizer").post("/people/new/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _snapshot() == before


@pytest.mark.parametrize("case", list(BAD_INPUTS), ids=list(BAD_INPUTS))
def test_the_api_refuses_bad_input_with_a_chinese_message_and_writes_nothing(world, case):
    make, field, message = BAD_INPUTS[case]
    body = {"name": "孙新人", "organization_code": "T101", "party_status": "none",
            **{k: _form_value(v) if isinstance(v, dt.date) else v for k, v in make(world).items()}}
    before = _snapshot()
    response = world.client("town_organizer").post("/api/people", data=json.dumps(body),
                                                   content_type="application/json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert any(message in m for m in errors[field]), errors
    assert _snapshot() == before


def test_a_duplicate_is_found_whatever_the_case_of_the_x(world):
    number = _x_number()
    add_person(world, "x_person", world.v1, "欧阳雪", id_number=number)
    before = _snapshot()
    with pytest.raises(ValidationError, match="该号码已登记"):
        person_create(actor=Actor(user=world.users["county_admin"]),
                      data=PersonData(name="欧阳雨", id_number=number.lower(), organization=world.v2))
    assert _snapshot() == before


def test_a_valid_person_is_stored_encrypted_with_masked_and_blind_index_forms(world):
    number = make_id(dt.date(1988, 8, 8), male=False)
    p = person_create(actor=Actor(user=world.users["village_secretary"]),
                      data=PersonData(name="  马丽  ", id_number=_to_full_width(number), organization=world.v1))
    p.refresh_from_db()
    assert p.name == "马丽"
    assert p.gender == "female" and p.birth_date == dt.date(1988, 8, 8)  # taken from the number
    assert number not in p.id_number_enc
    assert crypto.decrypt(p.id_number_enc) == number
    assert p.id_number_hash == crypto.blind_index(number)
    assert p.id_number_masked == number[:6] + "********" + number[14:]
    assert (p.name_initials, p.name_pinyin) == ("ml", "mali")
    assert p.org_path == world.v1.path and p.version == 1


# --- search -----------------------------------------------------------------------------------------------
def _names(world, persona: str, **filters) -> list[str]:
    return [p.name for p in person_list(user=world.users[persona], filters=PersonFilter(**filters))]


@pytest.mark.parametrize("q, found", [
    ("三丰", ["张三丰"]),
    ("张三丰", ["张三丰"]),
    ("zsf", ["张三丰"]),
    ("ZSF", ["张三丰"]),
    ("zs", ["张三丰"]),
    ("zhangsanfeng", ["张三丰"]),
    ("zhangsan", ["张三丰"]),
    ("wjg", ["王建国"]),
    ("z", ["张三丰", "赵德成", "曾国华"]),
    ("zgh", ["曾国华"]),  # 曾 read as the surname zeng
    ("zengguohua", ["曾国华"]),
    ("xyz", []),
    ("李", ["李小红"]),
])
def test_the_county_admin_finds_people_by_name_and_pinyin(world, q, found):
    assert sorted(_names(world, "county_admin", q=q)) == sorted(found)


def test_search_stays_inside_the_subtree(world):
    assert _names(world, "town_organizer", q="zgh") == []
    assert _names(world, "town_organizer", q="赵德成") == []
    assert _names(world, "village_secretary", q="wjg") == []  # a sibling branch


def test_it_finds_a_person_by_the_full_id_number_only_exactly(world):
    number = world.id_numbers["v2_member"]
    assert _names(world, "county_admin", q=number) == ["王建国"]
    assert _names(world, "county_admin", q=f" {number[:6]} {number[6:14]} {number[14:]} ") == ["王建国"]
    assert _names(world, "county_admin", q=_to_full_width(number)) == ["王建国"]
    assert _names(world, "county_admin", q=number[:17]) == []  # no prefix search on ID numbers
    assert _names(world, "county_admin", q=number[:6]) == []
    assert _names(world, "county_admin", q=idnumber.mask(number)) == []
    assert _names(world, "county_admin", q=_wrong_check(number)) == []


def test_a_search_by_id_number_is_one_indexed_lookup_of_the_blind_index(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    number = world.id_numbers["v2_member"]
    with CaptureQueriesContext(connection) as ctx:
        assert _names(world, "town_organizer", q=number) == ["王建国"]
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "id_number_hash" in sql and crypto.blind_index(number) in sql
    assert number not in sql  # the number itself never reaches the database


def test_it_finds_a_number_ending_in_x_typed_with_a_lower_case_x(world):
    number = _x_number()
    add_person(world, "x_person", world.v1, "欧阳雪", id_number=number)
    assert _names(world, "county_admin", q=number.lower()) == ["欧阳雪"]


@pytest.fixture
def varied(world):
    add_person(world, "veteran", world.v2, "韦退伍", occupations=["veteran", "village_cadre"], education="senior",
               household_type="non_agricultural", party_status="activist", status_date=dt.date(2025, 1, 1))
    add_person(world, "migrant", world.v1, "龙务工", male=False, birth=dt.date(1999, 9, 9), occupations=["migrant"],
               education="junior", household_type="agricultural")
    return world


@pytest.mark.parametrize("filters, found", [
    ({"party_status": "applicant"}, ["李小红"]),
    ({"party_status": "activist"}, ["韦退伍", "曾国华"]),
    ({"gender": "female"}, ["李小红", "龙务工"]),
    ({"org": "T102"}, ["王建国", "韦退伍"]),
    ({"org": "T100"}, ["张三丰", "李小红", "龙务工", "王建国", "韦退伍"]),
    ({"occupation": "veteran"}, ["韦退伍"]),
    ({"occupation": "village_cadre"}, ["韦退伍"]),
    ({"occupation": "migrant"}, ["龙务工"]),
    ({"education": "junior"}, ["龙务工"]),
    ({"household_type": "non_agricultural"}, ["韦退伍"]),
    ({"org": "T100", "gender": "female", "q": "lwg"}, ["龙务工"]),
    ({"org": "T100", "party_status": "activist"}, ["韦退伍"]),
])
def test_filters_narrow_the_list(varied, filters, found):
    assert sorted(_names(varied, "county_admin", **filters)) == sorted(found)


def test_the_list_is_ordered_by_organization_then_registration(varied):
    people = list(person_list(user=varied.users["county_admin"], filters=PersonFilter()))
    assert [(p.org_path, p.pk) for p in people] == sorted((p.org_path, p.pk) for p in people)


def test_the_people_page_paginates_with_the_configured_page_size(world, settings):
    settings.DANGJIAN_PAGE_SIZE = 2
    client = world.client("county_admin")
    ordered = [p.name for p in person_list(user=world.users["county_admin"], filters=PersonFilter())]
    pages = []
    for n in (1, 2, 3):
        html = client.get("/people/", {"page": n}).content.decode()
        assert f"第 {n} / 3 页" in html
        assert "共 5 人" in html
        pages.append([name for name in ordered if name in html])
    assert pages == [ordered[0:2], ordered[2:4], ordered[4:5]]
    # Out of range or nonsense: the nearest valid page, never an error.
    assert "第 3 / 3 页" in client.get("/people/", {"page": 99}).content.decode()
    assert "第 1 / 3 页" in client.get("/people/", {"page": "abc"}).content.decode()


def test_the_page_links_keep_the_filters(world, settings):
    settings.DANGJIAN_PAGE_SIZE = 1
    html = world.client("county_admin").get("/people/", {"party_status": "full_member"}).content.decode()
    assert 'href="?party_status=full_member&page=2"' in html


def test_the_people_page_searches_and_filters(varied):
    client = varied.client("town_organizer")
    html = client.get("/people/", {"q": "zsf"}).content.decode()
    assert "张三丰" in html and "李小红" not in html and "共 1 人" in html
    html = client.get("/people/", {"occupation": "veteran"}).content.decode()
    assert "韦退伍" in html and "共 1 人" in html
    partial = client.get("/people/", {"q": "wjg"}, headers={"HX-Request": "true"}).content.decode()
    assert "王建国" in partial and "<html" not in partial  # htmx asks for the results only


# --- optimistic concurrency (E3) ----------------------------------------------------------------------------
def _edit_data(world, person, **over) -> dict:
    from tests.urlmap import edit_form

    return edit_form(world, str(person.pk), **over)


def test_a_stale_second_save_is_refused_with_409_and_nothing_is_overwritten(world):
    person = world.people["v1_member"]
    first, second = world.client("town_organizer"), world.client("village_secretary")
    form_a = _edit_data(world, person, name="张三甲")  # both open the form at version 1
    form_b = _edit_data(world, person, name="张三乙", phone="13700000000")
    assert first.post(f"/people/{person.pk}/edit/", form_a).status_code == 302
    updates = AuditEntry.objects.filter(action="person.update").count()
    before = people_fingerprint()

    response = second.post(f"/people/{person.pk}/edit/", form_b)

    assert response.status_code == 409
    assert "该记录已被他人修改" in response.content.decode()
    assert people_fingerprint() == before
    person.refresh_from_db()
    assert (person.name, person.version) == ("张三甲", 2)
    assert AuditEntry.objects.filter(action="person.update").count() == updates


def test_the_service_refuses_a_stale_version(world):
    p = world.people["v1_member"]
    before = people_fingerprint()
    with pytest.raises(Conflict):
        person_update(actor=Actor(user=world.users["town_organizer"]), person_id=p.pk, version=p.version + 1,
                      data=PersonData(name="张三丙", id_number="", organization=world.v1))
    assert people_fingerprint() == before


def test_an_edit_that_leaves_the_masked_number_keeps_the_stored_number(world):
    p = world.people["v1_member"]
    response = world.client("town_organizer").post(f"/people/{p.pk}/edit/", _edit_data(world, p))
    assert response.status_code == 302
    p.refresh_from_db()
    assert crypto.decrypt(p.id_number_enc) == world.id_numbers["v1_member"]
    assert p.id_number_hash == crypto.blind_index(world.id_numbers["v1_member"])
    assert (p.name, p.education, p.version) == ("周改名", "bachelor", 2)


def test_an_edit_may_correct_the_number_and_it_is_checked_like_a_new_one(world):
    p = world.people["v1_member"]
    client = world.client("town_organizer")
    duplicate = _edit_data(world, p, id_number=world.id_numbers["v2_member"])
    before = people_fingerprint()
    response = client.post(f"/people/{p.pk}/edit/", duplicate)
    assert response.status_code == 400 and "该号码已登记" in response.content.decode()
    assert people_fingerprint() == before
    new_number = make_id(dt.date(1990, 5, 17))
    assert client.post(f"/people/{p.pk}/edit/", _edit_data(world, p, id_number=new_number)).status_code == 302
    p.refresh_from_db()
    assert crypto.decrypt(p.id_number_enc) == new_number


def test_an_edit_to_the_same_number_is_not_a_duplicate_of_itself(world):
    p = world.people["v1_member"]
    person_update(actor=Actor(user=world.users["town_organizer"]), person_id=p.pk, version=1,
                  data=PersonData(name="张三丰", id_number=world.id_numbers["v1_member"], organization=world.v2))
    p.refresh_from_db()
    assert (p.org_path, p.version) == (world.v2.path, 2)


def test_the_edit_form_never_offers_the_party_status(world):
    # 政治面貌 changes only by recording development steps (issue 3), not by editing the registry.
    p = world.people["v1_applicant"]
    html = world.client("town_organizer").get(f"/people/{p.pk}/edit/").content.decode()
    assert 'name="party_status"' not in html
    data = _edit_data(world, p, party_status="full_member", status_date="2020-01-01")
    assert world.client("town_organizer").post(f"/people/{p.pk}/edit/", data).status_code == 302
    assert Person.objects.get(pk=p.pk).party_status == "applicant"
