"""Dormant villages at the window boundaries, quota completion and its rules, rush admissions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from dangjian.core.audit import Actor
from dangjian.core.errors import NotAllowed, OutOfScope
from dangjian.development.models import Dossier
from dangjian.people.models import Person
from dangjian.rules.dates import add_months, add_years
from dangjian.stats.models import Quota, StatsSettings
from dangjian.stats.selectors import dormant_board, dormant_summary, quota_board, rush_list
from dangjian.stats.services import quota_set, stats_settings_update
from tests.conftest import add_person

TODAY = dt.date(2026, 6, 30)


def admit(world, key: str, org, joined: dt.date, birth=dt.date(1990, 5, 17)) -> Person:
    p = add_person(world, key, org, "新党员", birth=birth, party_status="probationary", status_date=joined)
    Person.objects.filter(pk=p.pk).update(joined_on=joined)
    return p


def row_for(world, org, today=TODAY):
    rows = dormant_board(actor=Actor(user=world.users["county_admin"]), org=world.county, today=today)
    return next(r for r in rows if r.org.pk == org.pk), rows


@pytest.mark.parametrize("last, color", [
    (None, "red"),
    (add_years(TODAY, -3) - dt.timedelta(days=1), "red"),  # none within the last 3 years, both ends included
    (add_years(TODAY, -3), "orange"),  # admitted on the window's first day: not yet 3 years
    (add_years(TODAY, -2) - dt.timedelta(days=1), "orange"),
    (add_years(TODAY, -2), "yellow"),  # crosses the 2-year line tomorrow
    (add_years(add_months(TODAY, 12), -2) - dt.timedelta(days=1), "yellow"),  # crosses in exactly 12 months
    (add_years(add_months(TODAY, 12), -2), "green"),
    (TODAY, "green"),
])
def test_a_villages_colour_follows_its_last_admission_at_the_window_boundaries(world, last, color):
    if last is not None:
        admit(world, "a", world.v1, last)
    row, _rows = row_for(world, world.v1)
    assert row.last == last
    assert row.color == color


def test_the_board_counts_colours_per_township_and_the_windows_are_the_countys_settings(world):
    admit(world, "a", world.v1, dt.date(2026, 1, 1))
    admit(world, "b", world.w1, dt.date(2024, 1, 1))
    _row, rows = row_for(world, world.v1)
    board = {b["township"].code: b for b in dormant_summary(rows)}
    assert (board["T100"]["green"], board["T100"]["red"], board["T100"]["total"]) == (1, 1, 2)  # v2: never
    assert board["T200"]["orange"] == 1
    stats_settings_update(actor=Actor(user=world.users["county_admin"]), county=world.county, values={
        "dormant_years": 2, "warn_years": 1, "warn_months": 6, "rush_ratio": "1.5", "rush_days": 7, "rush_count": 3})
    row, _rows = row_for(world, world.w1)
    assert row.color == "red"


def test_activists_and_candidates_are_listed_with_the_engines_earliest_date(world):
    p = world.people["w1_activist"]
    Dossier.objects.create(person=p, organization=world.w1, org_path=world.w1.path, status="activist",
                           computed={"earliest_candidate_date": "2026-01-10"})
    row, _rows = row_for(world, world.w1)
    assert [(x["name"], x["earliest"]) for x in row.people] == [("曾国华", "2026-01-10")]


def test_a_township_organizer_sees_only_his_villages(world):
    rows = dormant_board(actor=Actor(user=world.users["town_organizer"]), org=world.t1, today=TODAY)
    assert {r.org.code for r in rows} == {"T101", "T102"}


# --- quotas ---------------------------------------------------------------------------------------------------
def test_completion_counts_admissions_of_the_year_and_the_young_by_age_at_the_meeting(world):
    admin = Actor(user=world.users["county_admin"])
    quota_set(actor=admin, year=2026, org_code="T100", total=2, young=2)
    meeting = dt.date(2026, 3, 10)
    admit(world, "a", world.v1, meeting, birth=add_years(meeting, -36) + dt.timedelta(days=1))  # 35 that day
    admit(world, "b", world.v2, meeting, birth=add_years(meeting, -36))  # 36 that day
    admit(world, "c", world.v2, dt.date(2025, 12, 31))  # another year
    admit(world, "d", world.w1, dt.date(2026, 1, 1))
    rows = {r.org.code: r for r in quota_board(user=world.users["county_admin"], org=world.county, year=2026)}
    assert (rows["T100"].done, rows["T100"].done_young, rows["T100"].diff, rows["T100"].diff_young) == (2, 1, 0, -1)
    assert (rows["T200"].quota, rows["T200"].done, rows["T200"].diff) == (None, 1, None)


@pytest.mark.parametrize("total, young, field, message", [
    (2, 3, "young", "其中35岁及以下：3 超过发展指标 2"),
    (-1, 0, "total", "发展指标：不能为负数"),
    ("两个", 0, "total", "发展指标：应为整数"),
])
def test_a_bad_quota_names_the_field_and_writes_nothing(world, total, young, field, message):
    with pytest.raises(ValidationError) as exc:
        quota_set(actor=Actor(user=world.users["county_admin"]), year=2026, org_code="T100", total=total, young=young)
    assert exc.value.message_dict[field] == [message]
    assert not Quota.objects.exists()


@pytest.mark.parametrize("persona, code, error", [
    ("town_organizer", "T100", NotAllowed),  # his own township: the county sets it
    ("town_organizer", "T201", OutOfScope),
    ("village_secretary", "T101", NotAllowed),
    ("readonly", "T101", NotAllowed),
])
def test_only_the_level_above_hands_out_a_quota(world, persona, code, error):
    with pytest.raises(error):
        quota_set(actor=Actor(user=world.users[persona]), year=2026, org_code=code, total=1, young=0)
    assert not Quota.objects.exists()


def test_a_township_organizer_sets_his_villages_quota_and_it_is_audited(world):
    from dangjian.core.models import AuditEntry

    quota_set(actor=Actor(user=world.users["town_organizer"]), year=2026, org_code="T101", total=2, young=1)
    quota_set(actor=Actor(user=world.users["town_organizer"]), year=2026, org_code="T101", total=3, young=1)
    q = Quota.objects.get()
    assert (q.total, q.young) == (3, 1)
    entry = AuditEntry.objects.filter(action="quota.set").order_by("-id").first()
    assert entry.before == {"total": 2, "young": 1} and entry.after["total"] == 3


# --- rush admissions -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("days, flagged", [((0, 3, 6), True), ((0, 3, 7), False), ((0, 6), False)])
def test_many_admissions_within_a_few_days_in_one_branch_are_flagged(world, days, flagged):
    start = dt.date(2026, 4, 1)
    for i, d in enumerate(days):
        admit(world, f"r{i}", world.v1, start + dt.timedelta(days=d))
    flags = rush_list(actor=Actor(user=world.users["county_admin"]), org=world.county, year=2026)
    bursts = [f for f in flags if f.kind == "burst"]
    assert bool(bursts) == flagged
    if flagged:
        assert bursts[0].org.code == "T101" and len(bursts[0].people) == 3


@pytest.mark.parametrize("quota, admitted, flagged", [(1, 2, True), (2, 3, False), (2, 4, True), (0, 1, True)])
def test_admitting_far_more_than_the_quota_is_flagged(world, quota, admitted, flagged):
    StatsSettings.objects.create(county=world.county, rush_count=99)
    quota_set(actor=Actor(user=world.users["county_admin"]), year=2026, org_code="T100", total=quota, young=0)
    for i in range(admitted):
        admit(world, f"q{i}", world.v2 if i % 2 else world.v1, dt.date(2026, 1, 10) + dt.timedelta(days=40 * i))
    flags = rush_list(actor=Actor(user=world.users["county_admin"]), org=world.county, year=2026)
    assert [f.org.code for f in flags if f.kind == "quota"] == (["T100"] if flagged else [])
