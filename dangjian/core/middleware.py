"""Request id, session time limits (SECURITY.md A3), forced password change (A1, B1), no-store (D5)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect

from dangjian.core import clock


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request.headers.get("X-Request-Id", "")[:64] or uuid.uuid4().hex
        response = self.get_response(request)
        response["X-Request-Id"] = request.request_id
        return response


class SessionTimeoutMiddleware:
    """30 minutes idle or 8 hours in all: log out and delete the session row."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and hasattr(request, "session"):
            now = clock.now().timestamp()
            started = request.session.get("_started_at", now)
            last = request.session.get("_last_seen_at", now)
            if now - last > settings.SESSION_IDLE_SECONDS or now - started > settings.SESSION_ABSOLUTE_SECONDS:
                from dangjian.core.audit import actor_from_request, audit_log

                audit_log(actor=actor_from_request(request), action="auth.session_expired", obj_type="user",
                          obj_id=request.user.username)
                logout(request)  # flushes: the session row is deleted
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return redirect(f"{settings.LOGIN_URL}?next={request.path}&expired=1")
            request.session["_started_at"] = started
            request.session["_last_seen_at"] = now
        return self.get_response(request)


_EXEMPT_PREFIXES = ("/accounts/", "/static/")


class PasswordChangeRequiredMiddleware:
    """A first login, or a password older than the limit, must change the password before anything else.

    The API's session users too (a 403 in JSON rather than a redirect to a page): else the browser session
    of a user who must change his password could still read every record through /api."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not request.path.startswith(_EXEMPT_PREFIXES):
            changed = user.password_changed_at
            too_old = changed is None or (clock.now() - changed).days >= settings.PASSWORD_MAX_AGE_DAYS
            if user.must_change_password or too_old:
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": "请先修改密码（/accounts/password/）"}, status=403)
                return redirect("password_change")
        return self.get_response(request)


CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
       "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'")


class NoStoreMiddleware:
    """Pages may carry personal information: never cached by the browser or a proxy (D5). Also sets the CSP
    (A5): everything from this server, no inline script."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/static/"):
            response["Cache-Control"] = "no-store"
        response.setdefault("Content-Security-Policy", CSP)
        return response
