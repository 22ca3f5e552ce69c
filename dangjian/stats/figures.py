"""Structure statistics: a registry of figure providers over one subtree, one report date and one period.

A provider is a function of a `StatsContext` registered with `@figure("key", "中文名")`; the statistics page,
the dashboard, the report and the API read `compute_figures(ctx)` and show what they know. A later module
(training, talent pools, audits) adds its figures by registering providers in its own app — nothing here
changes. Every figure's definition is in docs/stats.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db.models import Count, Q

from dangjian.core.scope import subtree_q
from dangjian.orgs.models import Organization, OrgKind
from dangjian.people.models import HIGH_SCHOOL_OR_ABOVE, Education, PartyStatus, Person
from dangjian.rules.dates import add_years
from dangjian.stats import rollup
from dangjian.stats.ages import AGE_BANDS, YOUNG_MAX, age_at, band_of, latest_birth_reaching

MEMBER_STATUSES = (PartyStatus.PROBATIONARY.value, PartyStatus.FULL_MEMBER.value)
PIPELINE_STAGES = (PartyStatus.APPLICANT.value, PartyStatus.ACTIVIST.value, PartyStatus.CANDIDATE.value,
                   PartyStatus.PROBATIONARY.value)
ALL_STATUSES = tuple(dict.fromkeys(PIPELINE_STAGES + MEMBER_STATUSES))
STATUS_LABELS = dict(PartyStatus.choices)
EDU_LABELS = [(e.value, e.label) for e in Education] + [("", "未填写")]
HS = {e.value for e in HIGH_SCHOOL_OR_ABOVE}
# Ages at which a band starts (36, 46, 56, 61): counted exactly in their boundary birth year.
_THRESHOLDS = tuple(lo for lo, _hi, _label in AGE_BANDS if lo > 0)
# PROCEDURE.md §2 Status: the dossier steps that start a stage, in the order of the stages (a person's stage on a
# past date is that of the furthest of them dated on or before it), and what the last conversion approved by
# then (S24, with the decision of the S23 meeting of the same number) makes of a probationary member.
STAGE_STEPS = (("S01", PartyStatus.APPLICANT.value), ("S03", PartyStatus.ACTIVIST.value),
               ("S07", PartyStatus.CANDIDATE.value), ("S17", PartyStatus.PROBATIONARY.value))
DECISION_STATUS = {"on_time": PartyStatus.FULL_MEMBER.value, "extend": PartyStatus.PROBATIONARY.value,
                   "cancel": None}
# Dossiers of people not members today whose stage on a past date may be another one: in the pipeline, or
# whose probation was cancelled (群众 again). A dossier still at "none" (no S01) had no stage on any date.
OPEN_DOSSIER_STATUSES = ("applicant", "activist", "candidate", "cancelled")
NON_MEMBER_STATUSES = (PartyStatus.APPLICANT.value, PartyStatus.ACTIVIST.value, PartyStatus.CANDIDATE.value,
                       PartyStatus.NONE.value)
# 党章第七条: the probation lasts one year and may be extended by at most one: a full member converted (转正)
# after a past report date was admitted at most two years before it. Three leaves room for a late record and
# bounds the search to the (joined_on, org_path) index.
PROBATION_BOUND_YEARS = 3
_ROW_FIELDS = ("party_status", "gender", "education", "ethnicity", "household_type", "birth_date", "joined_on",
               "org_path")


@dataclass(frozen=True)
class Shifts:
    """What the people whose status on a past report date was not their current one change in the roll-up's
    counts (docs/stats.md, 截至日在过去): `counts` {(status, dim, val): ±n} — their rows now taken out (a 群众
    now is not counted), their rows then put in (none when in no stage then); `older` {(status, age
    threshold): ±n} the same for the boundary birth years of `StatsContext.older`; `moved` how many people."""

    counts: dict[tuple, int]
    older: dict[tuple[str, int], int]
    moved: int


@dataclass
class StatsContext:
    """One subtree (its root organization), the report date (ages and membership at that date) and a period
    (admissions by their admission meeting date, both ends included)."""

    org: Organization
    as_of: dt.date
    start: dt.date
    end: dt.date
    cache: dict = field(default_factory=dict)

    @property
    def path(self) -> str:
        return self.org.path

    @property
    def past(self) -> bool:
        return self.as_of < _today()

    @cached_property
    def counts(self) -> dict[tuple, int]:
        """{(status, dim, val): n} of the subtree as at `as_of`: the roll-up, with the people whose status on
        `as_of` was another one (`shifts`) taken from their current status and put at the one they had."""
        counts = dict(rollup.category_counts(self.path, ALL_STATUSES))
        for key, n in self.shifts.counts.items():
            counts[key] = counts.get(key, 0) + n
        return counts

    def status_by_prefix(self, length: int) -> dict[str, dict[str, int]]:
        """{path prefix of `length` characters: {status: n}} as at `as_of` — the children of the root for
        drill-down, from the same counts and the same moved people as `counts` (one definition of each figure):
        one query over the roll-up and, on a past date, one over the moved people grouped by prefix."""
        out: dict[str, dict[str, int]] = {}
        for prefix, status, n in rollup.status_counts_by_prefix(self.path, length, ALL_STATUSES):
            out.setdefault(prefix, {})[status] = out.setdefault(prefix, {}).get(status, 0) + n
        if not self.past:
            return out
        sql, params = self._moved_sql()
        prefix = f"substr(org_path, 1, {int(length)})"
        sql = (f"WITH m AS ({sql}) SELECT {prefix}, party_status, then_status, COUNT(*) FROM m "  # noqa: S608
               f"GROUP BY {prefix}, party_status, then_status")
        for key, now, then, n in _fetch(sql, params):
            if now == then:
                continue
            for status, sign in ((now, -1), (then, 1)):
                if status in ALL_STATUSES:
                    by = out.setdefault(key, {})
                    by[status] = by.get(status, 0) + sign * n
        return out

    @cached_property
    def shifts(self) -> Shifts:
        """The moved people's changes to the counts, grouped in the database: one query whatever the number of
        people (the rows of `_moved_sql` by their status now and then and by every dimension of the roll-up),
        a few thousand groups for a province two years back instead of its 180,000 people. Nothing on today or
        later: the roll-up is the status now."""
        if not self.past:
            return Shifts(counts={}, older={}, moved=0)
        from django.db import connection

        from dangjian.development.models import StepRecord

        vendor = connection.vendor
        sql, params = self._moved_sql()
        dim = dict(rollup.dims(vendor))
        members = ", ".join(f"'{s}'" for s in MEMBER_STATUSES)
        # 入党时间 then: his own, or for a member then who has none now (his probation was cancelled since) the
        # admission meeting (S15) of his dossier, looked up only for those: after the grouping, by the dossier
        # kept as a key for them alone (a subquery among the keys would keep PostgreSQL from hashing them).
        lookup = f"CASE WHEN then_status IN ({members}) AND joined_on IS NULL THEN dossier_id END"
        bounds = [(a, dt.date(self.as_of.year - a, 1, 1), latest_birth_reaching(self.as_of, a)) for a in _THRESHOLDS]
        edge = ("CASE " + " ".join(f"WHEN birth_date >= %s AND birth_date <= %s THEN {int(a)}" for a, _lo, _hi in bounds)
                + " ELSE 0 END")
        keys = ["party_status", "then_status", dim["gender"], dim["edu"], dim["minority"], dim["rural"],
                dim["birth_year"], dim["joined_year"], lookup, edge]
        cols = ", ".join(f"{k} AS k{i}" for i, k in enumerate(keys))
        group_by = ", ".join(f"k{i}" for i in range(len(keys)))
        admitted = (f"(SELECT MAX(r.date) FROM {StepRecord._meta.db_table} r WHERE r.dossier_id = g.k8 "
                    "AND r.step = 'S15')")
        joined_then = (f"CASE WHEN k1 IN ({members}) THEN CASE WHEN k8 IS NULL THEN k7 "
                       f"ELSE COALESCE({_year(vendor, admitted)}, '') END ELSE '' END")
        sql = (f"WITH m AS ({sql}) SELECT k0, k1, k2, k3, k4, k5, k6, k7, {joined_then}, k9, n FROM "  # noqa: S608
               f"(SELECT {group_by}, COUNT(*) AS n FROM (SELECT {cols} FROM m) t GROUP BY {group_by}) g")
        params = [*params, *(d for _a, lo, hi in bounds for d in (lo, hi))]
        counts: dict[tuple, int] = {}
        older: dict[tuple[str, int], int] = {}
        moved = 0
        for now, then, gender, edu, minority, rural, by, jy_now, jy_then, at, n in _fetch(sql, params):
            if now == then:
                continue
            moved += n
            for status, jy, sign in ((now, jy_now, -1), (then, jy_then, 1)):
                if status not in ALL_STATUSES:
                    continue
                for key in ((status, "all", ""), (status, "gender", gender), (status, "edu", edu),
                            (status, "minority", minority), (status, "rural", rural), (status, "birth_year", by),
                            (status, "joined_year", jy)):
                    counts[key] = counts.get(key, 0) + sign * n
                if at:
                    older[(status, int(at))] = older.get((status, int(at)), 0) + sign * n
        return Shifts(counts=counts, older=older, moved=moved)

    def _moved_sql(self) -> tuple[str, list]:
        """The people of the subtree whose status on a past report date may not be their current one, one row
        each: their row now (party_status, gender, education, ethnicity, household_type, birth_date, joined_on,
        org_path), their dossier (dossier_id) and `then_status`, the status they had then (NULL: in no stage).
        Two parts (docs/stats.md, 截至日在过去):
        - members admitted after it (入党时间 > as_of): at the stage their dossier had reached — the furthest of
          its stage steps dated on or before `as_of`, at most 发展对象 (not admitted yet); in no stage when there
          is none (a member imported from a roster has no dossier); full members admitted on or before it but
          converted (转正, their status date) after it: 预备党员. Found by the (joined_on, org_path) index over the
          last PROBATION_BOUND_YEARS years before `as_of`; the dossier is read only for those admitted after it;
        - people not members now, with a dossier in the pipeline or cancelled, and a stage step (S01, S03, S07,
          S17, S24) dated after `as_of`: at the stage of their dossier's steps dated on or before it — the
          decision of the last conversion approved (S24) by then, else the furthest of S01/S03/S07/S17. Found by
          the dossier's (org_path, status) index; the stage subqueries run only for the rows found.
        Nobody else moves: without a stage step after `as_of`, the status then was the status now. A row whose
        status then is its status now moves nobody (the callers skip it)."""
        from django.db import connection

        from dangjian.core.scope import path_upper_bound
        from dangjian.development.models import Dossier, StepRecord

        vendor = connection.vendor
        dossiers, records, people = Dossier._meta.db_table, StepRecord._meta.db_table, Person._meta.db_table
        # On SQLite the unary + keeps the planner off the path index, which would read the whole subtree (a
        # county: 22,000 rows) to find the few admitted since.
        col = "+p.org_path" if vendor == "sqlite" else "p.org_path"
        select = ", ".join("p." + f for f in _ROW_FIELDS)
        rank = " ".join(f"WHEN '{step}' THEN {i}" for i, (step, _s) in enumerate(STAGE_STEPS))
        stage_steps = ", ".join(f"'{step}'" for step, _s in STAGE_STEPS)
        furthest = (f"(SELECT MAX(CASE r.step {rank} END) FROM {records} r WHERE r.dossier_id = d.id "
                    f"AND r.step IN ({stage_steps}) AND r.date <= %s)")
        # A member admitted after the report date had not been admitted yet: a stage step of a later one out of
        # order does not make him a member then.
        not_yet = " ".join(f"WHEN {i} THEN '{PartyStatus.CANDIDATE.value if s in MEMBER_STATUSES else s}'"
                           for i, (_step, s) in enumerate(STAGE_STEPS))
        stage = " ".join(f"WHEN {i} THEN '{s}'" for i, (_step, s) in enumerate(STAGE_STEPS))
        furthest_of_person = (f"(SELECT MAX(CASE r.step {rank} END) FROM {dossiers} d JOIN {records} r "
                              f"ON r.dossier_id = d.id WHERE d.person_id = p.id AND r.step IN ({stage_steps}) "
                              "AND r.date <= %s)")
        decision = "json_extract(m.data, '$.decision')" if vendor == "sqlite" else "(m.data ->> 'decision')"
        decisions = ", ".join(f"'{k}'" for k in DECISION_STATUS)
        converted = (f"(SELECT {decision} FROM {records} a JOIN {records} m ON m.dossier_id = a.dossier_id "
                     "AND m.step = 'S23' AND m.seq = a.seq WHERE a.dossier_id = d.id AND a.step = 'S24' "
                     f"AND a.date <= %s AND m.date <= %s AND {decision} IN ({decisions}) ORDER BY a.seq DESC LIMIT 1)")
        # The decision's status ('' for none: cancelled), else the furthest stage; CASE x evaluates x once.
        by_decision = " ".join(f"WHEN '{k}' THEN '{v or ''}'" for k, v in DECISION_STATUS.items())
        then_open = f"NULLIF(COALESCE(CASE {converted} {by_decision} END, CASE {furthest} {stage} END), '')"
        open_marks = ", ".join(["%s"] * len(OPEN_DOSSIER_STATUSES))
        non_marks = ", ".join(["%s"] * len(NON_MEMBER_STATUSES))
        later = ", ".join(f"'{s}'" for s in (*[step for step, _s in STAGE_STEPS], "S24"))
        sql = (f"SELECT {select}, CAST(NULL AS INTEGER) AS dossier_id, CASE WHEN p.joined_on <= %s "  # noqa: S608
               f"THEN '{PartyStatus.PROBATIONARY.value}' ELSE CASE {furthest_of_person} {not_yet} END END "
               f"AS then_status FROM {people} p "
               f"WHERE p.joined_on > %s AND {col} >= %s AND {col} < %s AND p.party_status IN (%s, %s) "
               "AND (p.joined_on > %s OR (p.party_status = %s AND p.status_date > %s)) "
               f"UNION ALL SELECT {select}, d.id, {then_open} FROM {dossiers} d "
               f"JOIN {people} p ON p.id = d.person_id "
               f"WHERE d.org_path >= %s AND d.org_path < %s AND d.status IN ({open_marks}) "
               f"AND p.org_path >= %s AND p.org_path < %s AND p.party_status IN ({non_marks}) "
               f"AND EXISTS (SELECT 1 FROM {records} r WHERE r.dossier_id = d.id AND r.step IN ({later}) "
               "AND r.date > %s)")
        x, lo, hi = self.as_of, self.path, path_upper_bound(self.path)
        params = [x, x, add_years(x, -PROBATION_BOUND_YEARS), lo, hi, *MEMBER_STATUSES, x,
                  PartyStatus.FULL_MEMBER.value, x,
                  x, x, x, lo, hi, *OPEN_DOSSIER_STATUSES, lo, hi, *NON_MEMBER_STATUSES, x]
        return sql, params

    @cached_property
    def older(self) -> dict[str, dict[int, int]]:
        """{status: {age threshold: people of at least that age on as_of}} — birth years from the counts, and
        the one boundary birth year of each threshold counted exactly."""
        years: dict[str, dict[int, int]] = {}
        for (s, d, v), n in self.counts.items():
            if d == "birth_year" and v:
                years.setdefault(s, {})[int(v)] = years.setdefault(s, {}).get(int(v), 0) + n
        exact = _boundary_counts(self.path, self.as_of)
        for key, n in self.shifts.older.items():  # their status on as_of (as in `counts`)
            exact[key] = exact.get(key, 0) + n
        out: dict[str, dict[int, int]] = {}
        for s in ALL_STATUSES:
            by_year = years.get(s, {})
            out[s] = {a: sum(n for y, n in by_year.items() if y < self.as_of.year - a) + exact.get((s, a), 0)
                      for a in _THRESHOLDS}
        return out


def _fetch(sql: str, params: list) -> list[tuple]:
    """Run one read. On PostgreSQL without JIT compilation: the moved people's query is costed high enough for
    it, and compiling took 3.5 of its 3.9 s on a province (docs/performance.md)."""
    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        # Not in a transaction of its own: on SQLite that would take the write lock (BEGIN IMMEDIATE).
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL jit = off")  # until the end of this transaction (or of the caller's)
        cur.execute(sql, params)
        return cur.fetchall()


def _year(vendor: str, expr: str) -> str:
    """The year of a date expression as the roll-up writes it ('2024'), as in rollup.dims."""
    return f"to_char({expr}, 'YYYY')" if vendor == "postgresql" else f"substr({expr}, 1, 4)"


def _boundary_counts(path: str, as_of: dt.date) -> dict[tuple[str, int], int]:
    """{(status, age): people born in the boundary year of that age who have reached it on `as_of`}. One range
    of the (birth_date, org_path, party_status) index per age — a few thousand index entries even for a
    province, where a filter on the path would read the whole table."""
    from django.db import connection

    from dangjian.core.scope import path_upper_bound

    marks = ", ".join(["%s"] * len(ALL_STATUSES))
    parts, params = [], []
    for a in _THRESHOLDS:
        parts.append(f"SELECT party_status, {int(a)}, COUNT(*) FROM people_person WHERE birth_date >= %s "
                     f"AND birth_date <= %s AND org_path >= %s AND org_path < %s AND party_status IN ({marks})"
                     " GROUP BY party_status")
        params += [dt.date(as_of.year - a, 1, 1), latest_birth_reaching(as_of, a), path, path_upper_bound(path),
                   *ALL_STATUSES]
    with connection.cursor() as cur:
        cur.execute(" UNION ALL ".join(parts), params)
        return {(s, a): n for s, a, n in cur.fetchall()}


def _today() -> dt.date:
    from dangjian.core import clock

    return clock.today()


def _or(qs) -> Q:
    out = Q(pk__in=[])
    for q in qs:
        out |= q
    return out


def share(n: int, total: int) -> float:
    """Percent with two decimals (seed 003 writes 50.35%)."""
    return round(100.0 * n / total, 2) if total else 0.0


def group(ctx: StatsContext, statuses: tuple[str, ...]) -> dict:
    """Counts and shares of a set of statuses: total, rural, ≤35, high school+, women, minorities; age bands;
    education."""
    c = ctx.counts

    def n(dim: str, val: str) -> int:
        return sum(c.get((s, dim, val), 0) for s in statuses)

    total = n("all", "")
    at_least = {0: total, **{a: sum(ctx.older[s][a] for s in statuses) for a in _THRESHOLDS}}
    # A band is (age ≥ its lowest) − (age ≥ the next band's lowest).
    ages = [(label, at_least[lo] - (at_least[AGE_BANDS[i + 1][0]] if i + 1 < len(AGE_BANDS) else 0))
            for i, (lo, _hi, label) in enumerate(AGE_BANDS)]
    young = total - at_least[YOUNG_MAX + 1]
    return _with_shares({"total": total, "rural": n("rural", "1"), "young": young,
                         "hs": sum(n("edu", e) for e in HS), "women": n("gender", "female"),
                         "minority": n("minority", "1"),
                         "ages": ages, "edu": [(label, n("edu", code)) for code, label in EDU_LABELS]})


def _with_shares(g: dict) -> dict:
    for k in ("rural", "young", "hs", "women", "minority"):
        g[f"{k}_pct"] = share(g[k], g["total"])
    return g


def group_of_rows(rows: list[dict], age_on: Callable[[dict], dt.date]) -> dict:
    """The same figures from person rows (admissions: ages at the admission meeting)."""
    total = len(rows)
    ages = {label: 0 for _lo, _hi, label in AGE_BANDS}
    edu = {code: 0 for code, _label in EDU_LABELS}
    young = 0
    for r in rows:
        age = age_at(r["birth_date"], age_on(r))
        ages[band_of(age)] += 1
        young += age <= YOUNG_MAX
        edu[r["education"] if r["education"] in edu else ""] += 1
    return _with_shares({
        "total": total, "rural": sum(r["household_type"] == "agricultural" for r in rows), "young": young,
        "hs": sum(r["education"] in HS for r in rows), "women": sum(r["gender"] == "female" for r in rows),
        "minority": sum(r["ethnicity"] not in ("汉族", "") for r in rows),
        "ages": list(ages.items()), "edu": [(label, edu[code]) for code, label in EDU_LABELS]})


# --- the registry -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    compute: Callable[[StatsContext], Any]
    order: int


FIGURES: dict[str, Figure] = {}


def figure(key: str, label: str, order: int = 100):
    """Register a figure provider (a later module calls this from its own app's ready() or module import)."""
    def deco(fn: Callable[[StatsContext], Any]):
        FIGURES[key] = Figure(key, label, fn, order)
        return fn
    return deco


def compute_figures(ctx: StatsContext, keys: tuple[str, ...] | None = None) -> dict[str, Any]:
    chosen = sorted((f for f in FIGURES.values() if keys is None or f.key in keys), key=lambda f: f.order)
    return {f.key: f.compute(ctx) for f in chosen}


ORG_GROUPS = (("committees", "基层党（工）委", (OrgKind.TOWNSHIP, OrgKind.PRIMARY_COMMITTEE)),
              ("general_branches", "党总支", (OrgKind.GENERAL_BRANCH,)),
              ("branches", "党支部", (OrgKind.BRANCH, OrgKind.JOINT_BRANCH)))


@figure("orgs", "党组织", order=10)
def orgs_figure(ctx: StatsContext) -> dict:
    """Organizations below the root (the root itself not counted), by kind and by place type."""
    rows = (Organization.objects.filter(subtree_q(ctx.path, "path"), path__gt=ctx.path)
            .values("kind", "place_type").annotate(n=Count("id")).order_by())
    by_kind: dict[str, int] = {}
    by_place: dict[str, int] = {}
    for r in rows:
        by_kind[r["kind"]] = by_kind.get(r["kind"], 0) + r["n"]
        if r["kind"] in (OrgKind.BRANCH, OrgKind.JOINT_BRANCH):
            by_place[r["place_type"]] = by_place.get(r["place_type"], 0) + r["n"]
    from dangjian.orgs.models import PlaceType

    places = dict(PlaceType.choices)
    return {**{key: sum(by_kind.get(k, 0) for k in kinds) for key, _label, kinds in ORG_GROUPS},
            "by_kind": [(dict(OrgKind.choices)[k], n) for k, n in sorted(by_kind.items())],
            "branch_places": [(places.get(p, "未填写"), n) for p, n in sorted(by_place.items())]}


@figure("members", "党员队伍结构", order=20)
def members_figure(ctx: StatsContext) -> dict:
    g = group(ctx, MEMBER_STATUSES)
    g["probationary"] = ctx.counts.get((PartyStatus.PROBATIONARY.value, "all", ""), 0)
    return g


@figure("admissions", "期间发展党员", order=30)
def admissions_figure(ctx: StatsContext) -> dict:
    """People admitted in the period (admission meeting date from..to, both included), ages at that date."""
    from django.db import connection

    fields = ("gender", "education", "ethnicity", "household_type", "birth_date", "joined_on")
    qs = (Person.objects.filter(subtree_q(ctx.path, "org_path"), joined_on__range=(ctx.start, ctx.end))
          .values_list(*fields))
    # Plain tuples from the cursor: the ORM's row iteration took more than half the time for a province's
    # year (67,000 admissions, docs/performance.md). Both backends return the date columns as dates.
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = [dict(zip(fields, r, strict=True)) for r in cur.fetchall()]
    return group_of_rows(rows, lambda r: r["joined_on"])


@figure("pipeline", "发展党员各阶段", order=40)
def pipeline_figure(ctx: StatsContext) -> list[dict]:
    return [{"status": s, "label": STATUS_LABELS[s], **group(ctx, (s,))} for s in PIPELINE_STAGES]


@figure("admissions_by_year", "历年发展党员数", order=50)
def admissions_by_year_figure(ctx: StatsContext) -> list[tuple[int, int]]:
    """Current members by the year of their admission meeting, the last ten years up to the report date."""
    years = range(ctx.as_of.year - 9, ctx.as_of.year + 1)
    c = ctx.counts
    return [(y, sum(c.get((s, "joined_year", f"{y:04d}"), 0) for s in MEMBER_STATUSES)) for y in years]


@figure("findings", "发展党员问题", order=60)
def findings_figure(ctx: StatsContext) -> dict:
    from dangjian.development.models import Finding

    rows = (Finding.objects.filter(subtree_q(ctx.path, "org_path")).values("severity").annotate(n=Count("id"))
            .order_by())
    by = {r["severity"]: r["n"] for r in rows}
    return {"errors": by.get("E", 0), "warnings": by.get("W", 0)}
