"""Reads of the stats app, always from the user's scope: the structure statistics of a subtree, its children
for drill-down, the dormant-village board, quota completion and rush admissions."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
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


def settings_for(path: str) -> StatsSettings:
    """The county's statistics settings (defaults when it never saved any)."""
    county = (Organization.objects.filter(kind=OrgKind.COUNTY, path__in=[path[:i] for i in range(SEGMENT, len(path) + 1,
                                                                                                  SEGMENT)])
              .order_by("-depth").first())
    row = StatsSettings.objects.filter(county=county).first() if county else None
    return row or StatsSettings(county=county)


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


def dormant_board(*, actor: Actor, org: Organization, today: dt.date) -> list[VillageRow]:
    """Every village of the subtree with its last admission (max 入党时间 of its people), its colour, the days
    it crosses the lines, and its activists and candidates with their earliest dates from the rule engine
    (Dossier.computed). Lists names: audited."""
    from dangjian.development.models import Dossier, DossierStatus

    s = settings_for(org.path)
    vs = villages(user=actor.user, org=org)
    by_path = {v.path: v for v in vs}
    ancestors = [org.path[:i] for i in range(SEGMENT, len(org.path), SEGMENT)]
    towns = {o.path: o for o in Organization.objects.filter(subtree_q(org.path, "path") | Q(path__in=ancestors),
                                                            kind=OrgKind.TOWNSHIP)}
    last: dict[str, dt.date] = {}
    for r in (Person.objects.filter(subtree_q(org.path, "org_path"), joined_on__isnull=False)
              .values("org_path").annotate(m=Max("joined_on")).order_by()):
        v = _unit_of(r["org_path"], by_path)
        if v is not None and (v.path not in last or r["m"] > last[v.path]):
            last[v.path] = r["m"]
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
        warn_on, dormant_on = crossing(lv, s.warn_years), crossing(lv, s.dormant_years)
        color = village_color(lv, today, s)
        soon = add_months(today, 6)
        within_6m = color != "red" and ((warn_on is not None and today < warn_on <= soon and color != "orange")
                                        or (dormant_on is not None and today < dormant_on <= soon))
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
@dataclass
class RushFlag:
    org: Organization
    kind: str  # "quota" | "burst"
    reason: str
    people: list[dict]


def rush_list(*, actor: Actor, org: Organization, year: int) -> list[RushFlag]:
    """Organizations that admitted far more than their quota (more than quota × rush_ratio) in the year, and
    branches that admitted `rush_count` or more within `rush_days` days. With the people and their dossiers.
    Lists names: audited."""
    s = settings_for(org.path)
    rows = list(Person.objects.filter(subtree_q(org.path, "org_path"),
                                      joined_on__range=(dt.date(year, 1, 1), dt.date(year, 12, 31)))
                .values("id", "name", "org_path", "organization_id", "joined_on", "dossier__id")
                .order_by("joined_on", "id"))
    flags: list[RushFlag] = []
    quotas = list(Quota.objects.filter(subtree_q(org.path, "org_path"), year=year).select_related("organization"))
    for q in quotas:
        inside = [r for r in rows if r["org_path"].startswith(q.org_path)]
        if len(inside) > q.total * s.rush_ratio:
            flags.append(RushFlag(org=q.organization, kind="quota",
                                  reason=f"{year}年发展 {len(inside)} 人，超过指标 {q.total} 人的 {s.rush_ratio} 倍",
                                  people=inside))
    by_org: dict[int, list[dict]] = defaultdict(list)
    for r in rows:
        by_org[r["organization_id"]].append(r)
    orgs = {o.pk: o for o in Organization.objects.filter(pk__in=list(by_org))}
    window = dt.timedelta(days=s.rush_days - 1)
    for org_id, rs in by_org.items():
        best: list[dict] = []
        j = 0
        for i in range(len(rs)):
            while rs[i]["joined_on"] - rs[j]["joined_on"] > window:
                j += 1
            if i - j + 1 > len(best):
                best = rs[j:i + 1]
        if len(best) >= s.rush_count:
            flags.append(RushFlag(org=orgs[org_id], kind="burst",
                                  reason=f"{best[0]['joined_on']:%Y-%m-%d} 至 {best[-1]['joined_on']:%Y-%m-%d} "
                                         f"{s.rush_days} 天内集中发展 {len(best)} 人", people=best))
    audit_log(actor=actor, action="stats.rush_view", obj_type="organization", obj_id=org.code,
              detail={"year": year, "flags": len(flags)})
    return sorted(flags, key=lambda f: (f.org.path, f.kind))
