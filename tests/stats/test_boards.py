"""Dormant villages at the window boundaries, quota completion and its rules, rush admissions."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from dangjian.core import clock
from dangjian.core.audit import Actor
from dangjian.core.errors import NotAllowed, OutOfScope
from dangjian.development.models import Dossier
from dangjian.orgs.models import OrgKind, PlaceType, Role
from dangjian.orgs.services import org_create, user_create
from dangjian.people.models import Person
from dangjian.rules.dates import add_months, add_years
from dangjian.stats.models import Quota, StatsSettings
from dangjian.stats.selectors import (
    dormant_board,
    dormant_counts,
    dormant_summary,
    quota_board,
    rush_list,
    warning_counts,
)
from dangjian.stats.services import quota_set, stats_settings_update
from tests.conftest import PASSWORD, add_person

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


# --- the "will cross soon" mark (6个月内到线), a county setting ----------------------------------------------------
@pytest.mark.parametrize("soon_months, last, within", [
    # Default 6 months (2026-06-30 + 6 months = 2026-12-30). Yellow: the 2-year line.
    (None, dt.date(2024, 12, 29), True),  # none in 2 years from 2026-12-30: on the window's last day
    (None, dt.date(2024, 12, 30), False),  # from 2026-12-31: one day too late (still yellow)
    (None, dt.date(2024, 7, 1), True),  # crosses tomorrow
    # Orange: the 3-year line.
    (None, dt.date(2023, 12, 29), True),
    (None, dt.date(2023, 12, 30), False),
    (None, dt.date(2023, 6, 29), False),  # red already: nothing left to cross
    # The county sets 3 months: 2026-09-30.
    (3, dt.date(2024, 9, 29), True),
    (3, dt.date(2024, 9, 30), False),
    (3, dt.date(2024, 12, 29), False),
])
def test_a_village_is_marked_when_it_will_cross_a_line_within_the_countys_months(world, soon_months, last, within):
    if soon_months is not None:
        stats_settings_update(actor=Actor(user=world.users["county_admin"]), county=world.county,
                              values={"soon_months": soon_months})
    admit(world, "a", world.v1, last)
    row, _rows = row_for(world, world.v1)
    assert row.within_6m is within


def test_the_board_page_and_export_name_the_countys_months(world):
    StatsSettings.objects.create(county=world.county, soon_months=4)
    admit(world, "a", world.v1, dt.date(2024, 7, 15))
    client = world.client("county_admin")
    with clock.frozen(TODAY):
        page = client.get("/stats/dormant/?org=T000").content.decode()
        r = client.get("/stats/dormant/?org=T000&format=xlsx")
    assert "4个月内到线" in page and "6个月内到线" not in page
    rows = list(load_workbook(io.BytesIO(b"".join(r.streaming_content))).active.values)
    assert rows[0][6] == "4个月内到线"
    assert {row[1]: row[6] for row in rows[1:]}["东村党支部"] == "是"


# --- rush admissions over a township's branches ------------------------------------------------------------------
@pytest.mark.parametrize("admissions, flagged", [
    ((("v1", 0), ("v2", 2), ("v1", 4), ("v2", 6)), True),  # 4 within 7 days, both ends included
    ((("v1", 0), ("v2", 2), ("v1", 4), ("v2", 7)), False),  # the fourth on the 8th day
    ((("v1", 0), ("v2", 2), ("v1", 4)), False),  # 3: below the township's 4
    ((("v1", 0), ("v2", 1), ("w1", 2), ("w1", 3)), False),  # two townships, two each
])
def test_many_admissions_across_a_townships_branches_within_a_few_days_are_flagged(world, admissions, flagged):
    StatsSettings.objects.create(county=world.county, rush_count=3, rush_town_count=4, rush_days=7)
    start = dt.date(2026, 4, 1)
    for i, (village, day) in enumerate(admissions):
        admit(world, f"t{i}", getattr(world, village), start + dt.timedelta(days=day))
    flags = rush_list(actor=Actor(user=world.users["county_admin"]), org=world.county, year=2026)
    town = [f for f in flags if f.kind == "town_burst"]
    assert [f.org.code for f in town] == (["T100"] if flagged else [])
    assert not [f for f in flags if f.kind == "burst"]  # no branch reaches its own 3
    if flagged:
        assert len(town[0].people) == 4 and "（2 个党组织）" in town[0].reason
        # The township's own organizer sees it; the other township's does not.
        mine = rush_list(actor=Actor(user=world.users["town_organizer"]), org=world.t1, year=2026)
        assert [f.kind for f in mine] == ["town_burst"]
        page = world.client("town_organizer").get("/stats/rush/?org=T100&year=2026").content.decode()
        assert "乡镇集中发展" in page and "7 天内发展 4 人及以上（各支部合计）" in page


def test_a_branch_burst_is_flagged_for_the_branch_and_its_township_only_at_the_townships_threshold(world):
    for i in range(3):
        admit(world, f"b{i}", world.v1, dt.date(2026, 4, 1) + dt.timedelta(days=i))
    flags = rush_list(actor=Actor(user=world.users["county_admin"]), org=world.county, year=2026)
    assert [(f.org.code, f.kind) for f in flags] == [("T101", "burst")]  # default township threshold: 10
    stats_settings_update(actor=Actor(user=world.users["county_admin"]), county=world.county,
                          values={"rush_town_count": 3})
    flags = rush_list(actor=Actor(user=world.users["county_admin"]), org=world.county, year=2026)
    assert [(f.org.code, f.kind) for f in flags] == [("T100", "town_burst"), ("T101", "burst")]


# --- a view over several counties uses each county's settings ----------------------------------------------------
def _province(world):
    sys_actor = Actor()
    prov = org_create(actor=sys_actor, code="P000", name="测试省委", kind=OrgKind.PROVINCE, check_scope=False)
    out = {}
    for c in ("A", "B"):
        county = org_create(actor=sys_actor, code=f"P{c}00", name=f"{c}县委", kind=OrgKind.COUNTY, parent=prov,
                            check_scope=False)
        town = org_create(actor=sys_actor, code=f"P{c}10", name=f"{c}镇党委", kind=OrgKind.TOWNSHIP, parent=county,
                          check_scope=False)
        village = org_create(actor=sys_actor, code=f"P{c}11", name=f"{c}村党支部", kind=OrgKind.BRANCH, parent=town,
                             place_type=PlaceType.VILLAGE, check_scope=False)
        out[c] = (county, town, village)
    user = user_create(actor=sys_actor, username="province", password=PASSWORD, organization=prov,
                       role=Role.COUNTY_ADMIN, must_change_password=False)
    world.users["county_admin"] = user  # add_person registers people as this user: now the province's
    return prov, user, out


def test_a_province_view_colours_each_village_by_its_own_countys_windows(world):
    prov, user, counties = _province(world)
    StatsSettings.objects.create(county=counties["A"][0], dormant_years=2, warn_years=1)
    for c in ("A", "B"):
        admit(world, f"p{c}", counties[c][2], dt.date(2024, 1, 1))  # 2½ years before TODAY
    rows = {r.org.code: r for r in dormant_board(actor=Actor(user=user), org=prov, today=TODAY)}
    assert (rows["PA11"].color, rows["PB11"].color) == ("red", "orange")  # A: 2 years is its red line
    assert dormant_counts(user=user, org=prov, today=TODAY) == {"red": 1, "orange": 1, "yellow": 0, "green": 0}


def test_a_province_view_flags_rush_admissions_by_each_countys_thresholds(world):
    prov, user, counties = _province(world)
    StatsSettings.objects.create(county=counties["A"][0], rush_count=2)
    for c in ("A", "B"):
        for i in range(2):
            admit(world, f"r{c}{i}", counties[c][2], dt.date(2026, 4, 1) + dt.timedelta(days=i))
    flags = rush_list(actor=Actor(user=user), org=prov, year=2026)
    assert [(f.org.code, f.kind) for f in flags] == [("PA11", "burst")]  # B keeps the default 3


# --- the start page's warning counts -------------------------------------------------------------------------------
def test_the_warning_counts_are_the_boards_colours_and_the_rush_flags(world):
    admit(world, "a", world.v1, dt.date(2024, 12, 1))  # yellow on TODAY
    for i in range(3):
        admit(world, f"w{i}", world.w1, dt.date(2026, 4, 1) + dt.timedelta(days=i))  # a burst; w1 green
    w = warning_counts(user=world.users["county_admin"], org=world.county, today=TODAY)
    assert w["dormant"] == {"red": 1, "orange": 0, "yellow": 1, "green": 1}  # v2: never
    assert (w["rush"], w["rush_by_kind"]) == (1, {"quota": 0, "burst": 1, "town_burst": 0})
    mine = warning_counts(user=world.users["town_organizer"], org=world.t1, today=TODAY)
    assert (mine["dormant"]["red"], mine["dormant"]["yellow"], mine["rush"]) == (1, 1, 0)
