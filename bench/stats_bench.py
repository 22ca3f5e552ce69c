"""Benchmark (issue 5): structure statistics and the dormant-village board on a province-scale database.

    .venv/bin/python bench/stats_bench.py                 # SQLite: var/bench/stats.sqlite3
    .venv/bin/python bench/stats_bench.py --db postgres   # PostgreSQL: database bench_stats

Its own databases (not the people-list bench's). The first run generates the province
(`generate(scale="province")`: 50 counties, ~1.14 M people) with the roll-up triggers off, then rebuilds the
roll-up (`dangjian stats rebuild`, timed) and puts the triggers back; later runs reuse it. The province
generator builds development dossiers only at county scale, so the first run also gives every person in the
pipeline of the province (and every probationary member) the demo county's dossier (`demo.pipeline.build`,
county by county, timed): a past report date reads them (docs/stats.md, 截至日在过去). Then, each case
repeated --repeat times after a warm-up (median and max, in ms):
  - structure statistics (every registered figure) of one county subtree, and of the whole province;
  - the same at past report dates (docs/stats.md, 截至日在过去): one year before today (period from 1 January of
    that year), last year's period report (from 1 January to 31 December, as of 31 December) and 2024-12-31
    (period 2024), each for one county and the whole province; and the province's statistics page at each of
    them (the figures and the drill-down table of its children);
  - the same member counts by a plain GROUP BY over people_person (what the roll-up saves);
  - the dormant-village board of one county;
  - the trigger's cost: 20,000 people inserted by core/bulk.insert_many with and without the triggers
    (rolled back).
Targets: county ≤ 300 ms, province ≤ 3 s, dormant board ≤ 500 ms. Figures: docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchdb  # noqa: E402

SQLITE_NAME = "stats"
PG_NAME = "bench_stats"


def configure(db: str) -> None:
    benchdb.BENCH_DIR.mkdir(parents=True, exist_ok=True)
    os.environ["DANGJIAN_VAR_DIR"] = str(benchdb.BENCH_DIR)
    os.environ["DATABASE_URL"] = benchdb.database_url(db, SQLITE_NAME if db == "sqlite" else PG_NAME)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    if db == "postgres":
        benchdb.pg_create_database(PG_NAME)


def ensure_province() -> dict:
    from django.core.management import call_command

    from dangjian.cli import _keygen
    from dangjian.demo.generate import generate, has_data
    from dangjian.stats import rollup

    _keygen()
    call_command("migrate", interactive=False, verbosity=0)
    if has_data():
        return {}
    print("生成省级规模基准库（触发器关闭），约需 10 分钟……", flush=True)
    rollup.remove_triggers()
    t = time.perf_counter()
    # generate() ends with the stats demo, which rebuilds the roll-up: timed apart below.
    import dangjian.demo.stats as demo_stats

    real = demo_stats.rollup_rebuild
    demo_stats.rollup_rebuild = lambda: None
    try:
        summary = generate(seed=benchdb.SEED, scale="province", progress=lambda m: print("  " + m, flush=True))
    finally:
        demo_stats.rollup_rebuild = real
    gen_s = time.perf_counter() - t
    t = time.perf_counter()
    rows = rollup.rollup_rebuild()
    rebuild_s = time.perf_counter() - t
    rollup.install_triggers()
    benchdb.analyze()
    record = {**summary, "generate_s": round(gen_s, 1), "rebuild_s": round(rebuild_s, 1), "rollup_rows": rows}
    print(record, flush=True)
    return record


def ensure_dossiers() -> dict:
    """The pipeline's dossiers, once (the province generator makes none): the steps that brought each person in
    the pipeline to his stage, as the county demo builds them, without the recheck (status and 入党时间 stay as
    generated; the statistics read the step dates)."""
    import random

    from django.db import transaction

    from dangjian.core import clock
    from dangjian.core.scope import subtree_q
    from dangjian.demo import pipeline
    from dangjian.development.models import Dossier
    from dangjian.orgs.models import Organization, OrgKind
    from dangjian.people.models import PIPELINE_STATUSES, Person

    if Dossier.objects.exists():
        return {}
    print("为全省发展党员人员生成发展档案（每县一批）……", flush=True)
    rng = random.Random(benchdb.SEED)
    today = clock.today()
    t = time.perf_counter()
    dossiers = records = 0
    for county in Organization.objects.filter(kind=OrgKind.COUNTY).order_by("path"):
        people = list(Person.objects.filter(subtree_q(county.path, "org_path"), party_status__in=PIPELINE_STATUSES)
                      .order_by("id"))
        with transaction.atomic():
            d, r = pipeline.build(people=people, today=today, rng=rng)
        dossiers, records = dossiers + d, records + r
    seconds = time.perf_counter() - t
    benchdb.analyze()
    print(f"  {dossiers} dossiers, {records} step records in {seconds:.1f} s", flush=True)
    return {"dossiers": dossiers, "records": records, "dossiers_s": round(seconds, 1)}


def timed(fn, repeat: int) -> tuple[float, float, float, object]:
    """(median wall ms, max wall ms, median CPU ms of this process, result). Other work on the machine stretches
    the wall time; this process's CPU time much less (on PostgreSQL it leaves out the server's)."""
    out = fn()  # warm-up
    ms, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        ms.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return statistics.median(ms), max(ms), statistics.median(cpu), out


def trigger_cost(n: int = 20000) -> tuple[float, float]:
    from django.db import transaction

    from dangjian.core.bulk import insert_many
    from dangjian.people.models import Person
    from dangjian.stats import rollup

    template = Person.objects.order_by("id").first()
    fields = {f.attname: getattr(template, f.attname) for f in Person._meta.concrete_fields if not f.primary_key}

    def run(with_triggers: bool) -> float:
        people = []
        for i in range(n):
            p = Person(**fields)
            p.id_number_hash = f"bench-{i}"
            people.append(p)
        t = 0.0
        try:
            with transaction.atomic():
                if not with_triggers:
                    rollup.remove_triggers()
                t = time.perf_counter()
                insert_many(people)
                t = time.perf_counter() - t
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
        return t

    return run(False), run(True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--past-only", action="store_true", help="only the structure statistics cases")
    ap.add_argument("--profile", type=int, choices=[1, 2, 3], default=None,
                    help="only profile the whole province at the Nth past date (1: a year ago, 2: last year, 3: 2024)")
    args = ap.parse_args(argv)
    configure(args.db)
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count

    from dangjian.core import clock
    from dangjian.core.audit import Actor
    from dangjian.core.scope import subtree_q
    from dangjian.orgs.models import Organization, OrgKind, User
    from dangjian.people.models import Person
    from dangjian.rules.dates import add_years
    from dangjian.stats.figures import StatsContext, compute_figures
    from dangjian.stats.selectors import children, dormant_board

    record = ensure_province()
    ensure_dossiers()
    province = Organization.objects.get(kind=OrgKind.PROVINCE)
    county = Organization.objects.filter(kind=OrgKind.COUNTY).order_by("path").first()
    admin = User.objects.get(username="county_admin")
    today = clock.today()
    import datetime as dt

    start = dt.date(today.year - 1, 1, 1)
    people = Person.objects.count()
    print(f"{connection.vendor}: {people} people, {Organization.objects.count()} organizations", flush=True)
    results = []

    def case(name, fn, target_ms=None):
        med, mx, cpu, out = timed(fn, args.repeat)
        ok = "" if target_ms is None else ("  OK" if mx <= target_ms else "  OVER TARGET")
        print(f"{name:<48} median {med:8.1f} ms   max {mx:8.1f} ms   cpu {cpu:8.1f} ms{ok}   "
              f"load {os.getloadavg()[0]:.2f}", flush=True)
        results.append((name, med, mx))
        return out

    def figures(org):
        return lambda: compute_figures(StatsContext(org=org, as_of=today, start=start, end=today))

    def group_by(org):
        return lambda: list(Person.objects.filter(subtree_q(org.path, "org_path"))
                            .values("party_status", "gender", "education", "household_type").annotate(n=Count("id"))
                            .order_by())

    year_ago = add_years(today, -1)
    last_year = (dt.date(today.year - 1, 12, 31), dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31))
    past = [(f"as of {year_ago} (from {year_ago.year}-01-01)", (year_ago, dt.date(year_ago.year, 1, 1), year_ago)),
            (f"period {last_year[1]}..{last_year[2]}", last_year),
            ("as of 2024-12-31 (period 2024)", (dt.date(2024, 12, 31), dt.date(2024, 1, 1), dt.date(2024, 12, 31)))]

    def at(org, as_of, start, end):
        return lambda: compute_figures(StatsContext(org=org, as_of=as_of, start=start, end=end))

    if args.profile:
        import cProfile
        import pstats

        as_of, start, end = past[args.profile - 1][1]
        at(province, as_of, start, end)()  # warm-up
        prof = cProfile.Profile()
        prof.enable()
        at(province, as_of, start, end)()
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
        return 0

    f = case("structure: one county (all figures)", figures(county), 300)
    print(f"   county members {f['members']['total']}, admissions {f['admissions']['total']}", flush=True)
    f = case("structure: whole province (all figures)", figures(province), 3000)
    print(f"   province members {f['members']['total']}, ≤35 {f['members']['young_pct']}%", flush=True)
    for label, (as_of, start, end) in past:
        f = case(f"structure: county, {label}", at(county, as_of, start, end), 300)
        print(f"   county members {f['members']['total']}, admissions {f['admissions']['total']}", flush=True)
        f = case(f"structure: province, {label}", at(province, as_of, start, end), 3000)
        print(f"   province members {f['members']['total']}, ≤35 {f['members']['young_pct']}%, pipeline "
              f"{[p['total'] for p in f['pipeline']]}", flush=True)
    # The statistics page reads the figures and, apart, the children for its drill-down table.
    viewer = User(username="bench-province", organization=province, is_active=True)
    for _label, (as_of, start, end) in past:
        case(f"statistics page: province, as of {as_of} (figures + children)",
             lambda as_of=as_of, start=start, end=end: (
                 compute_figures(StatsContext(org=province, as_of=as_of, start=start, end=end)),
                 children(user=viewer, org=province, as_of=as_of, start=start, end=end)), 3000)
    if args.past_only:
        return 0
    case("plain GROUP BY people: one county", group_by(county))
    case("plain GROUP BY people: whole province", group_by(province))
    rows = case("dormant board: one county", lambda: dormant_board(actor=Actor(user=admin), org=county, today=today),
                500)
    print(f"   villages {len(rows)}", flush=True)
    without, with_t = trigger_cost()
    print(f"insert 20,000 people: {without:.2f} s without triggers, {with_t:.2f} s with triggers", flush=True)
    if record:
        print(f"province generated in {record['generate_s']} s; roll-up rebuilt in {record['rebuild_s']} s "
              f"({record['rollup_rows']} rows)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
