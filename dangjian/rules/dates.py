"""Calendar-date arithmetic of PROCEDURE.md §1 (counting conventions).

Every period in the procedure is counted in calendar months or years from a date. The bounds follow
民法典 §1259 and §201–202: "以上/以内/届满/以下" include the bound, "超过/不满" exclude it.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from functools import lru_cache

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@lru_cache(maxsize=1 << 17)
def add_months(d: date, n: int) -> date:
    """The same day ``n`` months later (or earlier), or the last day of that month if it has no such day.

    2025-01-31 + 1 month = 2025-02-28; 2024-01-31 + 1 month = 2024-02-29 (PROCEDURE.md §1).
    Memoized: the engine asks for the same few periods (1, 3, 6, 12 months) from the same dates again and again.
    """
    total = d.year * 12 + (d.month - 1) + n
    year, month0 = divmod(total, 12)
    day = d.day
    if day > 28:
        day = min(day, calendar.monthrange(year, month0 + 1)[1])
    return date(year, month0 + 1, day)


@lru_cache(maxsize=1 << 16)
def add_years(d: date, n: int) -> date:
    """``add_months(d, 12 * n)``: 2024-02-29 + 1 year = 2025-02-28."""
    return add_months(d, 12 * n)


def next_day(d: date) -> date:
    """The day after ``d``."""
    return d + _ONE_DAY


_ONE_DAY = timedelta(days=1)


def first_day_after_whole_years(start: date, years: int, *, strict: bool) -> date:
    """The first date on which a minimum period of whole years counted from ``start`` is satisfied.

    "一年以上" is satisfied on the anniversary itself; with the county switch ``strict_anniversary``
    only from the day after the anniversary (PROCEDURE.md §1).
    """
    anniversary = add_years(start, years)
    return next_day(anniversary) if strict else anniversary


def eighteenth_birthday(birth: date, *, strict: bool) -> date:
    """The first date on which a person born on ``birth`` counts as 年满十八岁.

    The 18th birthday itself (born 29 February: 28 February), or with ``strict_birthday`` the day after.
    """
    birthday = add_years(birth, 18)
    return next_day(birthday) if strict else birthday


def more_than_half(count: int, total: int) -> bool:
    """ "超过半数": ``2 * count > total``. Exactly half fails (16 needs 9, 15 needs 8)."""
    return 2 * count > total


def needed_for_more_than_half(total: int) -> int:
    """The smallest count that is more than half of ``total``."""
    return max(total, -1) // 2 + 1


def fmt(d: date) -> str:
    """A date as written in messages and JSON: ISO ``YYYY-MM-DD``."""
    return d.isoformat()
