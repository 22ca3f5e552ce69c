"""Reads of the stats app, always from the user's scope: the structure statistics of a subtree, its children
for drill-down, the dormant-village board, quota completion and rush admissions."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q
from django.db.models.functions import Substr

from dangjian.core.audit import Actor, audit_log
from dangjian.core.scope import SEGMENT, subtree_q, visible_to
from dangjian.orgs.models import BRANCH_KINDS, Organization, OrgKind, PlaceType
from dangjian.orgs.selectors import org_get
from dangjian.people.models import Person
from dangjian.rules.dates import add_months, add_years, next_day
from dangjian.stats.ages import YOUNG_MAX, age_at
from dangjian.stats.figures import MEMBER_STATUSES, PIPELINE_STAGES, StatsContext, compute_figures
from dangjian.stats.models import Quota, StatsSettings


def root_org(*, user, code: str = "") -> Organization:
    """The organization a page is about: `code` if in scope (else 404), or the user's own."""
    if code:
        return org_get(user=user, code=code)
    org = visible_to(user, Organization).filter(pk=getattr(user.organization, "pk", None)).first()
    if org is None:
        from dangjian.core.errors import OutOfScope

        raise OutOfScope()
    return org


def structure(*, user, org: Organization, as_of: dt.date, start: dt.date, end: dt.date,
              keys: tuple[str, ...] | None = None) -> dict:
    """Every registered figure of the subtree of `org` (which the caller got through `root_org`)."""
    return compute_figures(StatsContext(org=org, as_of=as_of, start=start, end=end), keys)


def county_settings(path: str) -> Callable[[str], StatsSettings]:
    """The statistics settings of each county in or above the subtree of `path`, as a lookup from any path in
    it to its county's settings (the defaults where the county never saved any, or above any county). A
    province or city view so uses each county's own windows and thresholds for its villages. One query."""
    prefixes = [path[:i] for i in range(SEGMENT, len(path) + 1, SEGMENT)]
    rows = {o.path: getattr(o, "stats_settings", None) or StatsSettings(county=o) for o in
            Organization.objects.filter(Q(path__in=prefixes) | subtree_q(path, "path"), kind=OrgKind.COUNTY)
            .select_related("stats_settings")}
    default = StatsSettings()

    def lookup(p: str) -> StatsSettings:
        return _unit_of(p, rows) or default

    return lookup


def settings_for(path: str) -> StatsSettings:
    """The settings of the county of `path` (defaults when it never saved any, or `path` is above a county)."""
    return county_settings(path)(path)


# --- children, for drill-down ------------------------------------------------------------------------------
@dataclass
class ChildRow:
    org: Organization
    counts: dict[str, int]
    admissions: int = 0

    @property
    def members(self) -> int:
        return sum(self.counts.get(s, 0) for s in MEMBER_STATUSES)

    @property
    def pipeline(self) -> int:
        return sum(self.counts.get(s, 0) for s in PIPELINE_STAGES)


def children(*, user, org: Organization, as_of: dt.date, start: dt.date, end: dt.date) -> list[ChildRow]:
    """The direct children of `org` with their subtree's people by status on `as_of` (the same counts as the
    structure figures: StatsContext.status_by_prefix) and their admissions in the period: one GROUP BY over the
    roll-up (or the people, below the roll-up unit), one over admissions, and on a past date the one query of
    the people whose status then was another."""
    kids = list(visible_to(user, Organization).filter(parent=org).order_by("path"))
    if not kids:
        return []
    length = len(kids[0].path)
    counts = StatsContext(org=org, as_of=as_of, start=start, end=end).status_by_prefix(length)
    adm = (Person.objects.filter(subtree_q(org.path, "org_path"), joined_on__range=(start, end))
           .annotate(p=Substr("org_path", 1, length)).values("p").annotate(n=Count("id")).order_by())
    admitted = {r["p"]: r["n"] for r in adm}
    return [ChildRow(org=k, counts=counts.get(k.path, {}), admissions=admitted.get(k.path, 0)) for k in kids]


# --- dormant villages ---------------------------------------------------------------------------------------
COLORS = {"red": "红", "orange": "橙", "yellow": "黄", "green": "绿"}


def crossing(last: dt.date | None, years: int) -> dt.date | None:
    """The first day on which no admission lies within the last `years` years (the window ends today and
    includes its first day, add_years(today, -years)). None: there never was an admission."""
    return None if last is None else next_day(add_years(last, years))


@dataclass
class VillageRow:
    org: Organization
    township: Organization | None
    last: dt.date | None
    color: str
    warn_on: dt.date | None  # the day it has none in `warn_years` years
    dormant_on: dt.date | None  # the day it has none in `dormant_years` years
    within_6m: bool
    people: list[dict] = field(default_factory=list)

    @property
    def color_label(self) -> str:
        return COLORS[self.color]


def village_color(last: dt.date | None, today: dt.date, s: StatsSettings) -> str:
    """红: none in the last `dormant_years` (3) years; 橙: none in `warn_years` (2); 黄: will have none in
    `warn_years` within `warn_months` (12) months unless someone is admitted; 绿 otherwise."""
    if last is None or crossing(last, s.dormant_years) <= today:
        return "red"
    if crossing(last, s.warn_years) <= today:
        return "orange"
    if crossing(last, s.warn_years) <= add_months(today, s.warn_months):
        return "yellow"
    return "green"


def crosses_soon(last: dt.date | None, today: dt.date, s: StatsSettings) -> bool:
    """6个月内到线: the village crosses the next line it has not crossed yet (`warn_years`, or `dormant_years` for
    an orange one) after today and at the latest on the day `soon_months` (6) months ahead."""
    color = village_color(last, today, s)
    if color == "red":
        return False
    line = crossing(last, s.dormant_years if color == "orange" else s.warn_years)
    return today < line <= add_months(today, s.soon_months)


def villages(*, user, org: Organization) -> list[Organization]:
    """Administrative villages of the subtree: the topmost organizations with place type 行政村 (a branch, or a
    村党委 whose branches serve the same village)."""
    rows = list(visible_to(user, Organization).filter(subtree_q(org.path, "path"), place_type=PlaceType.VILLAGE,
                                                      kind__in=[*BRANCH_KINDS, OrgKind.PRIMARY_COMMITTEE,
                                                                OrgKind.GENERAL_BRANCH])
                .order_by("path"))
    paths = {o.path for o in rows}
    return [o for o in rows if not any(o.path[:i] in paths for i in range(SEGMENT, len(o.path), SEGMENT))]


def _unit_of(path: str, units: dict[str, object]):
    for i in range(len(path), 0, -SEGMENT):
        hit = units.get(path[:i])
        if hit is not None:
            return hit
    return None


def _village_lasts(*, user, org: Organization) -> tuple[list[Organization], dict[str, dt.date]]:
    """The villages of the subtree and {village path: its last admission (max 入党时间 of its people)}."""
    vs = villages(user=user, org=org)
    by_path = {v.path: v for v in vs}
    last: dict[str, dt.date] = {}
    for r in (Person.objects.filter(subtree_q(org.path, "org_path"), joined_on__isnull=False)
              .values("org_path").annotate(m=Max("joined_on")).order_by()):
        v = _unit_of(r["org_path"], by_path)
        if v is not None and (v.path not in last or r["m"] > last[v.path]):
            last[v.path] = r["m"]
    return vs, last


def dormant_counts(*, user, org: Organization, today: dt.date,
                   settings_of: Callable[[str], StatsSettings] | None = None) -> dict[str, int]:
    """{colour: villages} of the subtree, as on the board (the start page's warning counts; no names listed,
    so not audited). Two queries, and one for the settings unless given."""
    settings_of = settings_of or county_settings(org.path)
    vs, last = _village_lasts(user=user, org=org)
    out = dict.fromkeys(COLORS, 0)
    for v in vs:
        out[village_color(last.get(v.path), today, settings_of(v.path))] += 1
    return out


def dormant_board(*, actor: Actor, org: Organization, today: dt.date) -> list[VillageRow]:
    """Every village of the subtree with its last admission (max 入党时间 of its people), its colour, the days
    it crosses the lines, and its activists and candidates with their earliest dates from the rule engine
    (Dossier.computed). Lists names: audited."""
    from dangjian.development.models import Dossier, DossierStatus

    settings_of = county_settings(org.path)
    vs, last = _village_lasts(user=actor.user, org=org)
    by_path = {v.path: v for v in vs}
    ancestors = [org.path[:i] for i in range(SEGMENT, len(org.path), SEGMENT)]
    towns = {o.path: o for o in Organization.objects.filter(subtree_q(org.path, "path") | Q(path__in=ancestors),
                                                            kind=OrgKind.TOWNSHIP)}
    people: dict[str, list[dict]] = defaultdict(list)
    for d in (Dossier.objects.filter(subtree_q(org.path, "org_path"),
                                     status__in=[DossierStatus.ACTIVIST, DossierStatus.CANDIDATE])
              .values("id", "org_path", "status", "computed", "person__name", "person__status_date")
              .order_by("org_path", "id")):
        v = _unit_of(d["org_path"], by_path)
        if v is not None:
            people[v.path].append({"dossier": d["id"], "name": d["person__name"],
                                   "status": dict(DossierStatus.choices)[d["status"]], "since": d["person__status_date"],
                                   "earliest": d["computed"].get("earliest_candidate_date")
                                   if d["status"] == DossierStatus.ACTIVIST else None})
    out = []
    for v in vs:
        lv = last.get(v.path)
        s = settings_of(v.path)
        warn_on, dormant_on = crossing(lv, s.warn_years), crossing(lv, s.dormant_years)
        color = village_color(lv, today, s)
        within_6m = crosses_soon(lv, today, s)
        out.append(VillageRow(org=v, township=_unit_of(v.path, towns), last=lv, color=color, warn_on=warn_on,
                              dormant_on=dormant_on, within_6m=within_6m, people=people.get(v.path, [])))
    audit_log(actor=actor, action="stats.dormant_view", obj_type="organization", obj_id=org.code,
              detail={"villages": len(out), "people": sum(len(r.people) for r in out)})
    return out


def dormant_summary(rows: list[VillageRow]) -> list[dict]:
    """四色 board: per township, how many villages of each colour."""
    board: dict[str, dict] = {}
    for r in rows:
        t = r.township
        key = t.code if t else ""
        b = board.setdefault(key, {"township": t, "red": 0, "orange": 0, "yellow": 0, "green": 0, "total": 0})
        b[r.color] += 1
        b["total"] += 1
    return list(board.values())


# --- quotas -------------------------------------------------------------------------------------------------
@dataclass
class QuotaRow:
    org: Organization
    quota: Quota | None
    done: int
    done_young: int

    @property
    def diff(self) -> int | None:
        return None if self.quota is None else self.done - self.quota.total

    @property
    def diff_young(self) -> int | None:
        return None if self.quota is None else self.done_young - self.quota.young


def quota_targets(*, user, org: Organization) -> list[Organization]:
    """What `org` hands quotas to: a county its townships; a township (or below) its villages."""
    if org.kind in (OrgKind.COUNTY, OrgKind.CITY, OrgKind.PROVINCE):
        return list(visible_to(user, Organization).filter(subtree_q(org.path, "path"), kind=OrgKind.TOWNSHIP)
                    .order_by("path"))
    return villages(user=user, org=org)


def admissions_by_unit(path: str, units: list[Organization], year: int) -> dict[str, tuple[int, int]]:
    """{unit path: (admitted in the year, of whom 35 or under at the admission meeting)}."""
    by_path = {u.path: u for u in units}
    out: dict[str, list[int]] = {u.path: [0, 0] for u in units}
    for r in (Person.objects.filter(subtree_q(path, "org_path"),
                                    joined_on__range=(dt.date(year, 1, 1), dt.date(year, 12, 31)))
              .values("org_path", "birth_date", "joined_on")):
        u = _unit_of(r["org_path"], by_path)
        if u is not None:
            out[u.path][0] += 1
            out[u.path][1] += age_at(r["birth_date"], r["joined_on"]) <= YOUNG_MAX
    return {k: (a, b) for k, (a, b) in out.items()}


def quota_board(*, user, org: Organization, year: int) -> list[QuotaRow]:
    units = quota_targets(user=user, org=org)
    quotas = {q.organization_id: q for q in Quota.objects.filter(year=year, organization__in=units)}
    done = admissions_by_unit(org.path, units, year)
    return [QuotaRow(org=u, quota=quotas.get(u.pk), done=done[u.path][0], done_young=done[u.path][1]) for u in units]


# --- rush admissions (突击发展, 细则第3条) ------------------------------------------------------------------
RUSH_KINDS = {"quota": "超指标", "burst": "支部集中发展", "town_burst": "乡镇集中发展"}


@dataclass
class RushFlag:
    org: Organization
    kind: str  # one of RUSH_KINDS
    reason: str
    people: list[dict]


def _densest(rows: list[dict], days: int) -> list[dict]:
    """The largest run of `rows` (ordered by 入党时间) within `days` consecutive days, both ends included."""
    window = dt.timedelta(days=days - 1)
    best: list[dict] = []
    j = 0
    for i in range(len(rows)):
        while rows[i]["joined_on"] - rows[j]["joined_on"] > window:
            j += 1
        if i - j + 1 > len(best):
            best = rows[j:i + 1]
    return best


def rush_flags(*, org: Organization, year: int,
               settings_of: Callable[[str], StatsSettings] | None = None) -> list[RushFlag]:
    """Organizations that admitted far more than their quota (more than quota × rush_ratio) in the year;
    branches that admitted `rush_count` or more within `rush_days` days; townships that admitted
    `rush_town_count` or more within `rush_days` days across their branches. Each with the county's own
    thresholds (`county_settings`). Four queries, three with `settings_of` given; not audited (the caller
    lists names or only counts them)."""
    settings_of = settings_of or county_settings(org.path)
    rows = list(Person.objects.filter(subtree_q(org.path, "org_path"),
                                      joined_on__range=(dt.date(year, 1, 1), dt.date(year, 12, 31)))
                .values("id", "name", "org_path", "organization_id", "joined_on", "dossier__id")
                .order_by("joined_on", "id"))
    flags: list[RushFlag] = []
    for q in Quota.objects.filter(subtree_q(org.path, "org_path"), year=year).select_related("organization"):
        inside = [r for r in rows if r["org_path"].startswith(q.org_path)]
        ratio = settings_of(q.org_path).rush_ratio
        if len(inside) > q.total * ratio:
            flags.append(RushFlag(org=q.organization, kind="quota",
                                  reason=f"{year}年发展 {len(inside)} 人，超过指标 {q.total} 人的 {ratio} 倍",
                                  people=inside))
    by_org: dict[int, list[dict]] = defaultdict(list)
    for r in rows:
        by_org[r["organization_id"]].append(r)
    ancestors = [org.path[:i] for i in range(SEGMENT, len(org.path) + 1, SEGMENT)]
    found = list(Organization.objects.filter(Q(pk__in=list(by_org)) | (
        (subtree_q(org.path, "path") | Q(path__in=ancestors)) & Q(kind=OrgKind.TOWNSHIP))))
    orgs = {o.pk: o for o in found}
    towns = {o.path: o for o in found if o.kind == OrgKind.TOWNSHIP}
    by_town: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        t = _unit_of(r["org_path"], towns)
        if t is not None:
            by_town[t.path].append(r)
    groups = [(orgs[k], rs, "burst", "rush_count") for k, rs in by_org.items()]
    groups += [(towns[k], rs, "town_burst", "rush_town_count") for k, rs in by_town.items()]
    for unit, rs, kind, limit in groups:
        s = settings_of(unit.path)
        best = _densest(rs, s.rush_days)
        if len(best) >= getattr(s, limit):
            where = f"（{len({r['organization_id'] for r in best})} 个党组织）" if kind == "town_burst" else ""
            flags.append(RushFlag(org=unit, kind=kind,
                                  reason=f"{best[0]['joined_on']:%Y-%m-%d} 至 {best[-1]['joined_on']:%Y-%m-%d} "
                                         f"{s.rush_days} 天内集中发展 {len(best)} 人{where}", people=best))
    return sorted(flags, key=lambda f: (f.org.path, f.kind))


def rush_list(*, actor: Actor, org: Organization, year: int) -> list[RushFlag]:
    """`rush_flags` with the people and their dossiers, for the rush page. Lists names: audited."""
    flags = rush_flags(org=org, year=year)
    audit_log(actor=actor, action="stats.rush_view", obj_type="organization", obj_id=org.code,
              detail={"year": year, "flags": len(flags)})
    return flags


def warning_counts(*, user, org: Organization, today: dt.date) -> dict:
    """The start page's warnings beside the rule findings: villages by colour on the dormant board and this
    year's rush-admission flags by kind. Six queries whatever the data (settings once for both)."""
    settings_of = county_settings(org.path)
    flags = rush_flags(org=org, year=today.year, settings_of=settings_of)
    return {"dormant": dormant_counts(user=user, org=org, today=today, settings_of=settings_of),
            "rush": len(flags), "rush_by_kind": {k: sum(f.kind == k for f in flags) for k in RUSH_KINDS}}
