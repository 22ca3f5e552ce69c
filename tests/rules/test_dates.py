"""§1 counting conventions: add_months / add_years, bounds, 超过半数, birthdays."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian.rules.dates import (
    add_months,
    add_years,
    eighteenth_birthday,
    first_day_after_whole_years,
    more_than_half,
    needed_for_more_than_half,
)

D = date.fromisoformat


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2025-01-31", 1, "2025-02-28"),  # §1: no 31 February → last day
        ("2024-01-31", 1, "2024-02-29"),  # leap year
        ("2025-03-31", 1, "2025-04-30"),
        ("2025-01-15", 1, "2025-02-15"),
        ("2025-12-31", 1, "2026-01-31"),  # across the year
        ("2025-08-31", 6, "2026-02-28"),
        ("2023-12-20", 3, "2024-03-20"),
        ("2025-11-30", 3, "2026-02-28"),  # §6: approval_due of a meeting on 2025-11-30
        ("2025-03-31", -1, "2025-02-28"),  # backwards
        ("2024-02-29", 0, "2024-02-29"),
    ],
)
def test_add_months(start, months, expected):
    assert add_months(D(start), months) == D(expected)


@pytest.mark.parametrize(
    ("start", "years", "expected"),
    [
        ("2024-02-29", 1, "2025-02-28"),  # §1
        ("2024-02-29", 4, "2028-02-29"),
        ("2023-12-20", 1, "2024-12-20"),
        ("1995-06-15", 18, "2013-06-15"),
    ],
)
def test_add_years(start, years, expected):
    assert add_years(D(start), years) == D(expected)


def test_one_year_or_more_is_reached_on_the_anniversary_and_strictly_the_day_after():
    assert first_day_after_whole_years(D("2022-09-05"), 1, strict=False) == D("2023-09-05")
    assert first_day_after_whole_years(D("2022-09-05"), 1, strict=True) == D("2023-09-06")
    assert first_day_after_whole_years(D("2024-02-29"), 1, strict=False) == D("2025-02-28")
    assert first_day_after_whole_years(D("2024-02-29"), 1, strict=True) == D("2025-03-01")


def test_eighteen_is_reached_on_the_birthday_born_29_february_on_28_february():
    assert eighteenth_birthday(D("2004-03-01"), strict=False) == D("2022-03-01")
    assert eighteenth_birthday(D("2004-03-01"), strict=True) == D("2022-03-02")
    assert eighteenth_birthday(D("2004-02-29"), strict=False) == D("2022-02-28")
    assert eighteenth_birthday(D("2004-02-29"), strict=True) == D("2022-03-01")


@pytest.mark.parametrize(
    ("count", "total", "ok"),
    [
        (9, 16, True),
        (8, 16, False),  # exactly half fails: 16 needs 9
        (8, 15, True),
        (7, 15, False),  # 15 needs 8
        (1, 1, True),
        (0, 1, False),
        (1, 0, True),
        (0, 0, False),
    ],
)
def test_more_than_half(count, total, ok):
    assert more_than_half(count, total) is ok


@pytest.mark.parametrize(("total", "needed"), [(16, 9), (15, 8), (19, 10), (1, 1), (0, 1), (-3, 0)])
def test_needed_for_more_than_half(total, needed):
    assert needed_for_more_than_half(total) == needed


dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2150, 12, 31))
month_counts = st.integers(min_value=-600, max_value=600)


@given(dates, month_counts)
def test_add_months_keeps_the_day_or_clamps_to_the_month_end(d, n):
    out = add_months(d, n)
    assert (out.year * 12 + out.month) - (d.year * 12 + d.month) == n
    next_month_first = add_months(out.replace(day=1), 1)
    is_month_end = (next_month_first - out).days == 1
    assert out.day == d.day or (out.day < d.day and is_month_end)


@given(dates, st.integers(min_value=-50, max_value=50))
def test_add_years_is_twelve_months(d, n):
    assert add_years(d, n) == add_months(d, 12 * n)


@given(dates, dates, month_counts)
def test_add_months_is_monotonic(a, b, n):
    lo, hi = min(a, b), max(a, b)
    assert add_months(lo, n) <= add_months(hi, n)


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2150, 12, 28)).filter(lambda d: d.day <= 28),
    st.integers(min_value=-100, max_value=100),
    st.integers(min_value=-100, max_value=100),
)
def test_add_months_composes_for_days_every_month_has(d, a, b):
    assert add_months(add_months(d, a), b) == add_months(d, a + b)


@given(dates)
def test_zero_months_is_the_same_day(d):
    assert add_months(d, 0) == d


@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=0, max_value=10_000))
def test_more_than_half_matches_the_smallest_majority(count, total):
    assert more_than_half(count, total) == (count >= needed_for_more_than_half(total))
