"""Working days of the Chinese official calendar: the only module that knows about ``chinese_calendar``.

Working days follow the State Council's yearly holiday notice, make-up working Saturdays and Sundays
included (PROCEDURE.md §1). A year the calendar does not know (``chinese_calendar`` raises
``NotImplementedError``) is counted Monday–Friday and every answer that used such a day is marked
provisional, so that findings and computed dates built on it can say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

try:  # pragma: no cover - the import itself is exercised by every test run
    import chinese_calendar as _chinese_calendar
except (
    ImportError
):  # pragma: no cover - without the package every year is unknown (Monday–Friday, provisional)
    _chinese_calendar = None

# A deadline never needs more than a few days to reach a working day; this bounds the search.
_MAX_ROLL_DAYS = 60


@dataclass(frozen=True)
class DayInfo:
    """Whether a day is a working day, and whether that answer is only provisional (unknown year)."""

    working: bool
    provisional: bool


@dataclass(frozen=True)
class Counted:
    """A number of working days and whether any day counted belongs to a year the calendar does not know."""

    days: int
    provisional: bool


@dataclass(frozen=True)
class Rolled:
    """A date moved to a working day, and whether that used a year the calendar does not know."""

    date: date
    provisional: bool


# The years the calendar knows, read once (``chinese_calendar.is_workday`` works them out again on every call,
# with a min() and a max() over all its holidays: most of the engine's time on a small input).
if _chinese_calendar is not None:
    _FIRST_YEAR = min(_chinese_calendar.holidays).year
    _LAST_YEAR = max(_chinese_calendar.holidays).year
    _HOLIDAYS = _chinese_calendar.holidays
    _WORKDAYS = _chinese_calendar.workdays
else:  # pragma: no cover - without the package every year is unknown
    _FIRST_YEAR, _LAST_YEAR, _HOLIDAYS, _WORKDAYS = 1, 0, {}, {}

# The four possible answers, made once.
_ANSWERS = {(w, p): DayInfo(w, p) for w in (True, False) for p in (True, False)}


def day_info(d: date) -> DayInfo:
    """Whether ``d`` is a working day by the official calendar (Monday–Friday, provisional, if unknown).

    The same answer as ``chinese_calendar.is_workday``: a make-up working day works, else Monday–Friday
    unless it is a holiday."""
    if _FIRST_YEAR <= d.year <= _LAST_YEAR:
        return _ANSWERS[(d in _WORKDAYS or (d.weekday() < 5 and d not in _HOLIDAYS), False)]
    return _ANSWERS[(d.weekday() < 5, True)]


def year_is_known(year: int) -> bool:
    """Whether the official calendar has the holiday notice of ``year``."""
    return not day_info(date(year, 7, 1)).provisional


def is_working_day(d: date) -> bool:
    """Whether ``d`` is a working day (see :func:`day_info` for provisional answers)."""
    return day_info(d).working


def roll_to_working_day(d: date) -> Rolled:
    """``d`` if it is a working day, else the next working day (the ``holiday_rollover`` switch)."""
    provisional = False
    current = d
    for _ in range(_MAX_ROLL_DAYS):
        info = day_info(current)
        provisional = provisional or info.provisional
        if info.working:
            return Rolled(current, provisional)
        current += timedelta(days=1)
    return Rolled(current, provisional)  # pragma: no cover - no calendar has 60 days off in a row


def _weekdays_before(ordinal: int) -> int:
    """Monday–Friday days from 0001-01-01 (ordinal 1, a Monday) up to the day before ``ordinal``."""
    weeks, rest = divmod(ordinal - 1, 7)
    return weeks * 5 + min(rest, 5)


def _known_prefix() -> tuple[int, int, list[int]]:
    """The first and last ordinal of the years the calendar knows, and the working days before each of them:
    ``prefix[i]`` counts the working days from the first known day up to the day before ``first + i``."""
    global _PREFIX
    if _PREFIX is None:
        first = date(_FIRST_YEAR, 1, 1).toordinal() if _FIRST_YEAR <= _LAST_YEAR else 1
        last = date(_LAST_YEAR, 12, 31).toordinal() if _FIRST_YEAR <= _LAST_YEAR else 0
        prefix = [0]
        for ordinal in range(first, last + 1):
            prefix.append(prefix[-1] + day_info(date.fromordinal(ordinal)).working)
        _PREFIX = (first, last, prefix)
    return _PREFIX


_PREFIX: tuple[int, int, list[int]] | None = None


def count_working_days(start: date, end: date) -> Counted:
    """The working days from ``start`` to ``end``, both included (0 when ``end`` is before ``start``).

    Days in years the calendar knows come from a running count made once; days outside them are counted
    Monday–Friday and make the answer provisional — the same as counting day by day with :func:`day_info`."""
    a, b = start.toordinal(), end.toordinal()
    if b < a:
        return Counted(0, False)
    first, last, prefix = _known_prefix()
    days = 0
    provisional = False
    if a < first:  # the part before the known years
        stop = min(b, first - 1)
        days += _weekdays_before(stop + 1) - _weekdays_before(a)
        provisional = True
    lo, hi = max(a, first), min(b, last)
    if lo <= hi:  # the part in the known years
        days += prefix[hi - first + 1] - prefix[lo - first]
    if b > last:  # the part after them
        begin = max(a, last + 1)
        days += _weekdays_before(b + 1) - _weekdays_before(begin)
        provisional = True
    return Counted(days, provisional)
