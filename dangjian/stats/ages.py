"""Ages as PROCEDURE.md §1 counts them (pure: no Django). A birthday is reached on `add_years(birth, n)`;
born 29 February, it is 28 February in a common year."""

from __future__ import annotations

import calendar
import datetime as dt

from dangjian.rules.dates import add_years


def age_at(birth: dt.date, day: dt.date) -> int:
    """Whole years reached on `day`."""
    n = day.year - birth.year
    return n if add_years(birth, n) <= day else n - 1


def latest_birth_reaching(day: dt.date, years: int) -> dt.date:
    """The latest birth date whose `years`-th birthday is on or before `day`: age ≥ years ⇔ birth ≤ this."""
    y = day.year - years
    if day.month == 2 and day.day == 28 and not calendar.isleap(day.year) and calendar.isleap(y):
        return dt.date(y, 2, 29)  # born 29 Feb: the birthday of a common year is 28 Feb
    return add_years(day, -years)


# Age bands of the reports: (lowest age, highest age or None, label).
AGE_BANDS = ((0, 35, "35岁及以下"), (36, 45, "36至45岁"), (46, 55, "46至55岁"), (56, 60, "56至60岁"),
             (61, None, "61岁及以上"))
YOUNG_MAX = 35  # 35岁及以下 (35 included, PROCEDURE §4 L-QUOTA)


def band_of(age: int) -> str:
    return next(label for lo, hi, label in AGE_BANDS if age >= lo and (hi is None or age <= hi))
