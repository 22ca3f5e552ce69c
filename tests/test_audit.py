"""The audit log (SECURITY.md C1, C2): one row per event, written by the action itself; a hash chain that
`dangjian audit verify` checks; rows the database itself refuses to change."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from dangjian import cli
from dangjian.core.audit import Actor, audit_log, audit_log_bulk, audit_verify
from dangjian.core.models import AuditEntry
from dangjian.people.models import Person
from tests.conftest import PASSWORD, make_id
from tests.support import allow_full_id, full_ids_in
from tests.urlmap import edit_form, person_form


@pytest.fixture
def world(shared_world):
    """This module's tests share one built world (tests/conftest.py: shared_world)."""
    return shared_world


def _new_rows(since: int) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(id__gt=since).order_by("id"))


def _last_id() -> int:
    return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _only(rows: list[AuditEntry], action: str) -> AuditEntry:
    matching = [r for r in rows if r.action == action]
    assert len(matching) == 1, [r.action for r in rows]
    return matching[0]


def _no_full_id_in_row(row: AuditEntry) -> None:
    text = json.dumps([row.before, row.after, row.detail, row.object_id], ensure_ascii=False)
    assert not full_ids_in(text), text


# --- one test per event -------------------------------------------------------------------------------------
def test_a_successful_login_is_audited_with_user_org_and_ip(world):
    mark = _last_id()
    response = Client(REMOTE_ADDR="10.1.2.3").post("/accounts/login/",
                                                   {"username": "town_organizer", "password": PASSWORD})
    assert response.status_code == 302
    row = _only(_new_rows(mark), "auth.login")
    assert (row.username, row.org_code, row.ip, row.object_id, row.result) == (
        "town_organizer", "T100", "10.1.2.3", "town_organizer", "ok")
    assert row.user_id == world.users["town_organizer"].pk
    assert row.request_id and len(row.request_id) <= 64
    assert abs(row.at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
    assert row.at.utcoffset() == dt.timedelta(0)


def test_a_failed_login_is_audited_as_denied(world):
    mark = _last_id()
    response = Client().post("/accounts/login/", {"username": "town_organizer", "password": "nope"})
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    row = _only(_new_rows(mark), "auth.login_failed")
    assert (row.object_id, row.result, row.user_id) == ("town_organizer", "denied", None)


def test_a_lockout_is_audited(world, settings):
    mark = _last_id()
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "village_secretary", "password": "nope"})
    client.post("/accounts/login/", {"username": "village_secretary", "password": PASSWORD})
    rows = _new_rows(mark)
    failures = [r for r in rows if r.action in ("auth.login_failed", "auth.lockout")]
    assert len(failures) == settings.AXES_FAILURE_LIMIT + 1  # every failure audited, the locked attempt too
    assert failures[-1].action == "auth.lockout" and failures[-1].object_id == "village_secretary"
    assert not [r for r in rows if r.action == "auth.login"]


def test_a_logout_is_audited(world):
    client = world.client("village_secretary")
    mark = _last_id()
    assert client.post("/accounts/logout/").status_code == 302
    row = _only(_new_rows(mark), "auth.logout")
    assert row.username == "village_secretary"


def test_person_create_is_audited_with_the_after_state_and_a_masked_number(world):
    mark = _last_id()
    data = person_form(world, "T101")
    response = world.client("village_secretary").post("/people/new/", data)
    assert response.status_code == 302
    row = _only(_new_rows(mark), "person.create")
    person = Person.objects.get(pk=row.object_id)
    assert row.before is None
    assert row.after["name"] == "周新登" and row.after["organization"] == "T101"
    assert row.after["id_number"] == data["id_number"][:6] + "********" + data["id_number"][14:]
    assert (row.username, row.org_code, row.object_type) == ("village_secretary", "T101", "person")
    assert person.name == "周新登"
    _no_full_id_in_row(row)


def test_person_update_is_audited_with_before_and_after(world):
    p = world.people["v1_member"]
    mark = _last_id()
    response = world.client("town_organizer").post(f"/people/{p.pk}/edit/", edit_form(world, str(p.pk)))
    assert response.status_code == 302
    row = _only(_new_rows(mark), "person.update")
    assert row.object_id == str(p.pk)
    assert (row.before["name"], row.after["name"]) == ("张三丰", "周改名")
    assert (row.before["phone"], row.after["phone"]) == ("", "13911112222")
    masked = world.id_numbers["v1_member"][:6] + "********" + world.id_numbers["v1_member"][14:]
    assert row.before["id_number"] == row.after["id_number"] == masked
    _no_full_id_in_row(row)


@pytest.mark.parametrize("url, channel", [("/people/{pk}/", "web"), ("/api/people/{pk}", "api"),
                                          ("/people/{pk}/edit/", "web-edit")])
def test_viewing_a_person_is_audited(world, url, channel):
    p = world.people["v2_member"]
    mark = _last_id()
    assert world.client("readonly").get(url.format(pk=p.pk)).status_code in (200, 403)
    row = _only(_new_rows(mark), "person.view")
    assert (row.object_id, row.username, row.detail) == (str(p.pk), "readonly", {"channel": channel})


def test_a_refused_view_of_a_foreign_person_writes_no_view_row(world):
    mark = _last_id()
    assert world.client("town_organizer").get(f"/people/{world.people['w1_member'].pk}/").status_code == 404
    assert not [r for r in _new_rows(mark) if r.action == "person.view"]


@pytest.mark.parametrize("url, channel", [("/people/", "web"), ("/api/people", "api")])
def test_a_search_is_audited_with_its_filters_and_the_number_of_rows_shown(world, url, channel):
    mark = _last_id()
    assert world.client("town_organizer").get(url, {"q": "zsf", "party_status": "full_member"}).status_code == 200
    row = _only(_new_rows(mark), "person.search")
    assert row.detail["filters"] == {"q": "zsf", "party_status": "full_member"}
    assert (row.detail["page"], row.detail["shown"], row.detail["channel"]) == (1, 1, channel)


@pytest.mark.parametrize("url", ["/people/", "/api/people"])
def test_a_search_by_full_id_number_keeps_only_the_masked_number_in_the_audit(world, url):
    number = world.id_numbers["v1_member"]
    mark = _last_id()
    world.client("town_organizer").get(url, {"q": number})
    row = _only(_new_rows(mark), "person.search")
    assert row.detail["filters"]["q"] == number[:6] + "********" + number[14:]
    assert row.detail["shown"] == 1
    _no_full_id_in_row(row)


def test_revealing_an_id_number_is_audited(world):
    p = world.people["v1_member"]
    mark = _last_id()
    with allow_full_id():
        response = world.client("town_organizer").post(f"/people/{p.pk}/reveal-id/")
    assert response.status_code == 200
    row = _only(_new_rows(mark), "person.reveal_id")
    assert (row.object_id, row.username, row.org_code) == (str(p.pk), "town_organizer", "T100")
    _no_full_id_in_row(row)


def test_a_refused_reveal_writes_no_reveal_row(world):
    mark = _last_id()
    p = world.people["v1_member"]
    assert world.client("village_secretary").post(f"/people/{p.pk}/reveal-id/").status_code == 403
    assert world.client("other_town_organizer").post(f"/people/{p.pk}/reveal-id/").status_code == 404
    assert not [r for r in _new_rows(mark) if r.action == "person.reveal_id"]


def test_a_refused_write_writes_no_create_row(world):
    mark = _last_id()
    world.client("town_organizer").post("/people/new/", person_form(world, "T101", id_number="1"))
    assert not [r for r in _new_rows(mark) if r.action == "person.create"]


def test_audit_log_masks_a_full_number_passed_in_by_mistake(db):
    number = make_id()
    row = audit_log(actor=Actor(), action="test.scrub", detail={"note": f"号码{number}", "list": [number]},
                    after={"nested": {"n": number.lower()}})
    _no_full_id_in_row(AuditEntry.objects.get(pk=row.pk))


# --- the hash chain ---------------------------------------------------------------------------------------
@pytest.fixture
def disable_update_trigger(db):
    """Out of band: what someone with database access would do. Inside the test's transaction (rolled back)."""

    def disable() -> None:
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                # Deferred foreign-key checks of this transaction's inserts must fire first, else ALTER TABLE
                # refuses ("pending trigger events").
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cur.execute("ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_no_update")
            else:
                cur.execute("DROP TRIGGER core_auditentry_no_update")

    yield disable
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SET CONSTRAINTS ALL DEFERRED")  # as Django's deferrable foreign keys expect


def test_a_clean_chain_verifies_and_each_row_links_to_the_one_before(world):
    result = audit_verify()
    rows = list(AuditEntry.objects.order_by("id"))
    assert result.ok and result.checked == len(rows) > 10
    assert rows[0].prev_hash == "0" * 64
    for before, after in zip(rows, rows[1:], strict=False):
        assert after.prev_hash == before.hash


def test_bulk_rows_join_the_same_chain(world):
    audit_log_bulk(actor=Actor(), rows=[{"action": "test.bulk", "obj_id": i} for i in range(5)])
    audit_log(actor=Actor(), action="test.after_bulk")
    assert audit_verify().ok


def test_bulk_rows_store_and_hash_what_a_single_audit_log_would(world):
    # audit_log_bulk puts the hashed text together from pieces and stores its own JSON text: the rows read
    # back must be the ones audit_log writes for the same events (and the chain must verify).
    actor = Actor(user=world.users["town_organizer"], ip="10.0.0.1", request_id='请求"1\\')
    events = [{"action": "test.bulk_same", "obj_type": "person", "obj_id": 7, "before": None,
               "after": {"姓名": "张三", "n": [1, 2.5, None, True], "号码": "522730199001010019",
                         "date": dt.date(2024, 2, 29), "nested": {"b": "\u2028", "a": '"q"'}},
               "detail": {"channel": "ledger", "row": 2}},
              {"action": "test.bulk_same", "obj_type": "", "obj_id": None, "result": "refused",
               "before": ["x", {"k": "é"}], "after": None, "detail": None}]
    since = _last_id()
    audit_log_bulk(actor=actor, rows=events)
    for e in events:
        audit_log(actor=actor, action=e["action"], obj_type=e["obj_type"], obj_id=e["obj_id"],
                  result=e.get("result", "ok"), before=e["before"], after=e["after"], detail=e["detail"])
    assert audit_verify().ok
    bulk, single = _new_rows(since)[:2], _new_rows(since)[2:]
    fields = ["username", "org_code", "ip", "request_id", "action", "object_type", "object_id", "result", "before",
              "after", "detail", "user_id"]
    for b, s in zip(bulk, single, strict=True):
        assert {f: getattr(b, f) for f in fields} == {f: getattr(s, f) for f in fields}
    assert bulk[0].after["号码"] == "522730********0019"


@pytest.mark.parametrize("column, value", [("action", "person.view"), ("username", "someone_else"),
                                           ("detail", '{"channel": "api"}'), ("ip", "8.8.8.8")])
def test_a_row_altered_out_of_band_is_reported_by_its_id(world, disable_update_trigger, column, value):
    target = AuditEntry.objects.order_by("id")[5]
    disable_update_trigger()
    with connection.cursor() as cur:
        cur.execute(f"UPDATE core_auditentry SET {column} = %s WHERE id = %s", [value, target.id])
    result = audit_verify()
    assert not result.ok
    assert result.first_bad_id == target.id
    assert result.checked == 5


def test_a_row_altered_with_its_hash_recomputed_breaks_the_next_link(world, disable_update_trigger):
    from dangjian.core.audit import compute_hash

    rows = list(AuditEntry.objects.order_by("id")[:7])
    target, following = rows[5], rows[6]
    target.username = "forger"
    forged = compute_hash(target.prev_hash, target)
    disable_update_trigger()
    with connection.cursor() as cur:
        cur.execute("UPDATE core_auditentry SET username = %s, hash = %s WHERE id = %s",
                    ["forger", forged, target.id])
    assert audit_verify().first_bad_id == following.id


def test_a_deleted_middle_row_is_detected_at_the_row_after_it(world):
    rows = list(AuditEntry.objects.order_by("id")[:8])
    with connection.cursor() as cur:
        cur.execute("DELETE FROM core_auditentry WHERE id = %s", [rows[4].id])
    result = audit_verify()
    assert (result.ok, result.first_bad_id) == (False, rows[5].id)


def test_the_database_refuses_an_update_through_the_orm(world):
    row = AuditEntry.objects.order_by("id").first()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=row.pk).update(action="tampered")
    with pytest.raises(DatabaseError), transaction.atomic():
        row.username = "tampered"
        row.save()
    assert AuditEntry.objects.get(pk=row.pk).action == row.action
    assert audit_verify().ok


def test_the_cli_verify_exits_0_on_a_clean_chain_and_1_naming_the_row_after_tampering(world, capsys,
                                                                                     disable_update_trigger):
    assert cli.main(["audit", "verify"]) == 0
    assert "审计链完整" in capsys.readouterr().out
    target = AuditEntry.objects.order_by("id")[3]
    disable_update_trigger()
    with connection.cursor() as cur:
        cur.execute("UPDATE core_auditentry SET object_id = %s WHERE id = %s", ["999", target.id])
    assert cli.main(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert f"id={target.id}" in out and "审计链被破坏" in out
