"""The one clock. Everything that asks "what day is it" asks here, so tests can pin it.

Use `clock.today()` / `clock.now()`; tests use `clock.frozen(...)` or the `frozen_today` fixture.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from contextvars import ContextVar

from django.utils import timezone

_pinned: ContextVar[dt.datetime | None] = ContextVar("dangjian_clock", default=None)


def now() -> dt.datetime:
    pinned = _pinned.get()
    return pinned if pinned is not None else timezone.now()


def today() -> dt.date:
    return timezone.localtime(now()).date()


@contextlib.contextmanager
def frozen(at: dt.datetime | dt.date) -> Iterator[None]:
    """Pin the clock (a date means noon local time that day)."""
    if isinstance(at, dt.date) and not isinstance(at, dt.datetime):
        at = timezone.make_aware(dt.datetime.combine(at, dt.time(12, 0)))
    token = _pinned.set(at)
    try:
        yield
    finally:
        _pinned.reset(token)
