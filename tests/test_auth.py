"""Login, passwords and sessions (SECURITY.md A1–A3). Every limit is read from settings, never hard-coded."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from dangjian.core import clock
from dangjian.orgs.models import PasswordHistory, User
from tests.conftest import PASSWORD


@pytest.fixture
def world(shared_world):
    """This module's tests share one built world (tests/conftest.py: shared_world)."""
    return shared_world


# --- A1: password rules -------------------------------------------------------------------------------------
@pytest.mark.parametrize("password, code", [
    ("Ab1!xyz", "password_too_short"),  # 7 characters
    ("abcdefgh", "password_classes"),  # one class
    ("abcdefg1", "password_classes"),  # two classes
    ("ABCDEFG!", "password_classes"),
    ("长长长长长长长长1a", "password_classes"),  # Chinese characters are not a class of their own
    ("Xtown_organizer1", "password_contains_username"),
    ("xTOWN_ORGANIZER!", "password_contains_username"),  # whatever the case
])
def test_it_refuses_a_password_that_breaks_a_rule(world, password, code):
    with pytest.raises(ValidationError) as exc:
        validate_password(password, world.users["town_organizer"])
    assert code in [e.code for e in exc.value.error_list]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in exc.value.messages)  # Chinese messages


@pytest.mark.parametrize("password", ["abcdefG1", "abcdefg!1", "ABCDEFG1!", "Ab1!Ab1!", "好好学习Ab1天天向上"])
def test_it_accepts_a_password_with_eight_characters_and_three_classes(world, password):
    validate_password(password, world.users["town_organizer"])


def test_the_rules_follow_the_settings(world, settings):
    settings.PASSWORD_MIN_LENGTH = 12
    with pytest.raises(ValidationError, match="12"):
        validate_password("Abcdefg1!", world.users["town_organizer"])
    settings.PASSWORD_MIN_CLASSES = 4
    with pytest.raises(ValidationError):
        validate_password("abcdefghijk1!", world.users["town_organizer"])


def _change(client, old: str, new: str):
    return client.post("/accounts/password/", {"old_password": old, "new_password1": new, "new_password2": new})


def test_the_password_page_refuses_any_of_the_last_five_passwords(world, settings):
    client = world.client("village_secretary")
    used = [PASSWORD] + [f"Rotate-{i}x" for i in range(1, settings.PASSWORD_HISTORY + 1)]
    for old, new in zip(used, used[1:], strict=False):
        assert _change(client, old, new).status_code == 302
    current = used[-1]
    for reused in used[-settings.PASSWORD_HISTORY:]:  # the current one and the four before
        response = _change(client, current, reused)
        assert response.status_code == 200
        assert f"不能使用最近 {settings.PASSWORD_HISTORY} 次用过的密码" in response.content.decode()
    user = User.objects.get(username="village_secretary")
    assert user.check_password(current)
    # The sixth-last is allowed again.
    assert _change(client, current, used[0]).status_code == 302
    assert User.objects.get(username="village_secretary").check_password(used[0])


def test_the_password_page_needs_the_old_password_and_two_equal_new_ones(world):
    client = world.client("readonly")
    before = PasswordHistory.objects.count()
    assert "原密码不正确" in _change(client, "wrong", "Fresh-2026a").content.decode()
    response = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": "Fresh-2026a",
                                                   "new_password2": "Fresh-2026b"})
    assert "两次输入的新密码不一致" in response.content.decode()
    assert "密码至少 8 位" in _change(client, PASSWORD, "Ab1!").content.decode()
    assert PasswordHistory.objects.count() == before
    assert User.objects.get(username="readonly").check_password(PASSWORD)


def test_a_password_change_keeps_the_session_and_records_the_date(world):
    client = world.client("readonly")
    with clock.frozen(timezone.now() + dt.timedelta(days=3)):
        assert _change(client, PASSWORD, "Fresh-2026a").status_code == 302
        assert client.get("/").status_code == 200
    user = User.objects.get(username="readonly")
    assert user.password_changed_at > timezone.now() + dt.timedelta(days=2)
    assert user.must_change_password is False


@pytest.mark.parametrize("age_days, forced", [(0, False), (89, False), (91, True), (400, True)])
def test_an_old_password_forces_a_change_before_any_page(world, settings, age_days, forced):
    user = world.users["town_organizer"]
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - dt.timedelta(days=age_days))
    client = world.client("town_organizer")
    for url in ("/", "/people/", "/orgs/", f"/people/{world.people['v1_member'].pk}/"):
        response = client.get(url)
        if forced:
            assert (response.status_code, response["Location"]) == (302, "/accounts/password/"), url
        else:
            assert response.status_code == 200, url
    assert client.get("/accounts/password/").status_code == 200


def test_a_first_login_must_change_the_password_then_may_go_on(world):
    User.objects.filter(username="town_organizer").update(must_change_password=True)
    client = world.client("town_organizer")
    assert client.get("/people/")["Location"] == "/accounts/password/"
    assert _change(client, PASSWORD, "Fresh-2026a").status_code == 302
    assert client.get("/people/").status_code == 200


def test_a_user_who_must_change_his_password_cannot_read_data_through_the_api_session(world):
    User.objects.filter(username="town_organizer").update(must_change_password=True)
    client = world.client("town_organizer")
    assert client.get("/api/people").status_code == 403
    assert client.get(f"/api/people/{world.people['v1_member'].pk}").status_code == 403


# --- A2: lockout (django-axes) -------------------------------------------------------------------------------
def _login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_the_right_password_logs_in(world):
    client = Client()
    response = _login(client, "town_organizer", PASSWORD)
    assert (response.status_code, response["Location"]) == (302, "/")
    assert client.get("/").status_code == 200


def test_five_failures_lock_the_account_and_the_right_password_is_refused_while_locked(world, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, "town_organizer", "wrong").status_code == 200
    assert _login(client, "town_organizer", PASSWORD).status_code == 302  # four failures: not yet locked
    Client().post("/accounts/logout/")
    fresh = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(fresh, "town_organizer", "wrong")
    locked = _login(fresh, "town_organizer", PASSWORD)
    assert locked.status_code in (403, 429)
    assert "锁定" in locked.content.decode()
    assert fresh.get("/").status_code == 302  # not logged in
    # The lock is on the account: another machine is refused too; another account is not.
    assert _login(Client(REMOTE_ADDR="10.9.9.9"), "town_organizer", PASSWORD).status_code in (403, 429)
    assert _login(Client(), "county_admin", PASSWORD).status_code == 302


def _age_failures(minutes: float) -> None:
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=minutes))


def test_the_lock_lasts_thirty_minutes(world, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(Client(), "town_organizer", "wrong")
    _age_failures(settings.AXES_COOLOFF_TIME * 60 - 1)
    assert _login(Client(), "town_organizer", PASSWORD).status_code in (403, 429)
    _age_failures(settings.AXES_COOLOFF_TIME * 60 + 1)
    response = _login(Client(), "town_organizer", PASSWORD)
    assert (response.status_code, response["Location"]) == (302, "/")


def test_the_lockout_settings_are_five_failures_for_thirty_minutes_by_username(settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME * 60 == 30
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username"]


# --- A3: sessions --------------------------------------------------------------------------------------------
def _session_rows(client) -> int:
    key = client.cookies.get("sessionid")
    return Session.objects.filter(session_key=key.value).count() if key and key.value else 0


def test_thirty_minutes_idle_logs_out_and_deletes_the_session_row(world, settings):
    client = world.client("town_organizer")
    t0 = timezone.now()
    with clock.frozen(t0):
        assert client.get("/").status_code == 200
    key = client.cookies["sessionid"].value
    with clock.frozen(t0 + dt.timedelta(seconds=settings.SESSION_IDLE_SECONDS - 60)):
        assert client.get("/people/").status_code == 200  # 29 minutes: still in; the idle clock restarts
    t1 = t0 + dt.timedelta(seconds=settings.SESSION_IDLE_SECONDS - 60)
    with clock.frozen(t1 + dt.timedelta(seconds=settings.SESSION_IDLE_SECONDS + 1)):
        response = client.get("/people/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/") and "expired=1" in response["Location"]
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/people/")["Location"].startswith("/accounts/login/")


def test_an_idle_api_session_answers_401_and_is_deleted(world, settings):
    client = world.client("town_organizer")
    t0 = timezone.now()
    with clock.frozen(t0):
        assert client.get("/api/people").status_code == 200
    key = client.cookies["sessionid"].value
    with clock.frozen(t0 + dt.timedelta(seconds=settings.SESSION_IDLE_SECONDS + 1)):
        assert client.get("/api/people").status_code == 401
    assert not Session.objects.filter(session_key=key).exists()


def test_eight_hours_of_activity_end_the_session_anyway(world, settings):
    client = world.client("town_organizer")
    t0 = timezone.now()
    step = dt.timedelta(seconds=settings.SESSION_IDLE_SECONDS // 2)
    t = t0
    with clock.frozen(t0):
        client.get("/")
    key = client.cookies["sessionid"].value
    while t + step < t0 + dt.timedelta(seconds=settings.SESSION_ABSOLUTE_SECONDS):
        t += step
        with clock.frozen(t):
            assert client.get("/").status_code == 200, t - t0
    with clock.frozen(t0 + dt.timedelta(seconds=settings.SESSION_ABSOLUTE_SECONDS + 1)):
        response = client.get("/")
    assert response.status_code == 302 and "expired=1" in response["Location"]
    assert not Session.objects.filter(session_key=key).exists()


def test_the_session_limits_are_thirty_minutes_idle_and_eight_hours_in_all(settings):
    assert settings.SESSION_IDLE_SECONDS == 30 * 60
    assert settings.SESSION_ABSOLUTE_SECONDS == 8 * 3600
    assert settings.SESSION_COOKIE_HTTPONLY


def test_an_expired_session_is_audited(world, settings):
    from dangjian.core.models import AuditEntry

    client = world.client("readonly")
    t0 = timezone.now()
    with clock.frozen(t0):
        client.get("/")
    with clock.frozen(t0 + dt.timedelta(seconds=settings.SESSION_IDLE_SECONDS + 1)):
        client.get("/")
    row = AuditEntry.objects.filter(action="auth.session_expired").get()
    assert row.username == "readonly"


def test_logout_is_a_post_that_deletes_the_session_row(world):
    client = world.client("county_admin")
    assert client.get("/").status_code == 200
    key = client.cookies["sessionid"].value
    assert client.get("/accounts/logout/").status_code == 405  # a link or an image cannot log anyone out
    assert Session.objects.filter(session_key=key).exists()
    response = client.post("/accounts/logout/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/")
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/")["Location"].startswith("/accounts/login/")


def test_an_inactive_user_is_refused_at_login(world):
    User.objects.filter(username="readonly").update(is_active=False)
    response = _login(Client(), "readonly", PASSWORD)
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode() or "停用" in response.content.decode()


def test_session_cookies_are_http_only_and_same_site(world):
    client = Client()
    _login(client, "town_organizer", PASSWORD)
    cookie = client.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
