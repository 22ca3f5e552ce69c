"""Working days follow the State Council's notices; unknown years count Monday–Friday, provisionally."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian.rules import workdays
from dangjian.rules.workdays import count_working_days, day_info, roll_to_working_day, year_is_known

D = date.fromisoformat


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2025-10-01", False),  # 国庆节
        ("2025-10-08", False),
        ("2025-10-11", True),  # make-up working Saturday
        ("2025-09-28", True),  # make-up working Sunday
        ("2026-02-28", True),  # make-up working Saturday after 春节 2026
        ("2026-02-23", False),  # 春节 2026, a Monday off
        ("2023-09-21", True),
        ("2023-09-23", False),  # an ordinary Saturday
    ],
)
def test_known_days_follow_the_official_calendar(day, working):
    info = day_info(D(day))
    assert info == workdays.DayInfo(working, False)


def test_a_year_the_calendar_does_not_know_is_monday_to_friday_and_provisional():
    assert day_info(D("2027-10-01")) == workdays.DayInfo(True, True)  # a Friday: counted as working
    assert day_info(D("2027-10-02")) == workdays.DayInfo(False, True)  # a Saturday
    assert day_info(D("2003-01-01")) == workdays.DayInfo(True, True)  # before the calendar's data
    assert not year_is_known(2027)
    assert year_is_known(2025)


def test_notice_length_counts_working_days_both_ends_included():
    # §5 valid record: the candidate notice 2023-09-21 (Thu) … 2023-09-27 (Wed) is 5 working days.
    assert count_working_days(D("2023-09-21"), D("2023-09-27")) == workdays.Counted(5, False)
    assert count_working_days(D("2023-09-21"), D("2023-09-21")) == workdays.Counted(1, False)
    assert count_working_days(D("2023-09-27"), D("2023-09-21")) == workdays.Counted(0, False)
    # 2025 National Day: 1–8 October off, 11 October (Sat) worked.
    assert count_working_days(D("2025-09-30"), D("2025-10-11")) == workdays.Counted(4, False)


def test_counting_into_an_unknown_year_is_provisional():
    assert count_working_days(D("2026-12-28"), D("2027-01-04")) == workdays.Counted(6, True)


def test_rollover_moves_to_the_next_working_day_only_when_needed():
    assert roll_to_working_day(D("2025-10-01")) == workdays.Rolled(D("2025-10-09"), False)
    assert roll_to_working_day(D("2026-02-28")) == workdays.Rolled(D("2026-02-28"), False)
    assert roll_to_working_day(D("2025-06-28")) == workdays.Rolled(D("2025-06-30"), False)  # Sat → Mon
    assert roll_to_working_day(D("2027-01-02")) == workdays.Rolled(D("2027-01-04"), True)  # unknown year


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31)))
def test_day_info_gives_the_calendar_packages_own_answer(day):
    import chinese_calendar

    try:
        expected = workdays.DayInfo(chinese_calendar.is_workday(day), False)
    except NotImplementedError:  # a year the package does not know
        expected = workdays.DayInfo(day.weekday() < 5, True)
    assert day_info(day) == expected


def _count_day_by_day(start, end):
    days, provisional, current = 0, False, start
    while current <= end:
        info = day_info(current)
        days += info.working
        provisional = provisional or info.provisional
        current += timedelta(days=1)
    return workdays.Counted(days, provisional)


@given(
    st.dates(min_value=date(1995, 1, 1), max_value=date(2035, 12, 31)),
    st.integers(min_value=-30, max_value=4000),
)
def test_counting_working_days_gives_what_counting_day_by_day_gives(start, length):
    end = start + timedelta(days=length)
    assert count_working_days(start, end) == _count_day_by_day(start, end)
