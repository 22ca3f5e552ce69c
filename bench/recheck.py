"""Benchmark: `dangjian recheck` of the demo county and the dossier page /dossiers/<id>/ (issue 3).

    .venv/bin/python bench/recheck.py                  # reuse var/bench-dossiers/ (build it the first time)
    .venv/bin/python bench/recheck.py --rebuild        # a fresh demo county: times `dangjian demo` as well
    .venv/bin/python bench/recheck.py --runs 5 --requests 300

The database is the demo county (2,500 dossiers) in its own SQLite file under var/bench-dossiers/, made by
the real command `dangjian demo` in a child process (its wall time is the demo generation figure). Then:

- recheck: `dossier_recheck` of the whole county (one transaction, audit row included), --runs times in each
  of three situations: nothing changed, right after a change of the county's settings, and with every stored
  result wiped first (everything rewritten);
- page: /dossiers/<id>/ through Django's test Client with the whole middleware stack, logged in (force_login)
  as the demo `town_organizer`, over the dossiers of his township (the largest ones first), after a warm-up.

Targets: recheck ≤ 10 s, page p95 ≤ 150 ms, demo generation ≤ 20 s. Figures: docs/performance.md.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench-dossiers"
DB_FILE = VAR / "dangjian.sqlite3"
DANGJIAN = Path(sys.executable).parent / "dangjian"

TARGET_RECHECK_S = 10.0
TARGET_P95_MS = 150.0
TARGET_DEMO_S = 20.0


def configure() -> None:
    """Point Django at the bench database (before django.setup())."""
    VAR.mkdir(parents=True, exist_ok=True)
    os.environ["DANGJIAN_VAR_DIR"] = str(VAR)
    os.environ["DATABASE_URL"] = f"sqlite:///{DB_FILE}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "dangjian.settings"


def build(rebuild: bool) -> float | None:
    """Run `dangjian demo` into an empty var/bench-dossiers/ (timed) unless it already holds the county."""
    if rebuild and VAR.exists():
        shutil.rmtree(VAR)
    if DB_FILE.exists():
        return None
    VAR.mkdir(parents=True, exist_ok=True)
    print(f"生成演示县（dangjian demo → {VAR}）……", flush=True)
    started = time.perf_counter()
    subprocess.run([str(DANGJIAN), "demo"], env={**os.environ}, check=True, capture_output=True, text=True)
    return time.perf_counter() - started


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


# A county setting that changes many findings (local rules on): the recheck after a config change.
LOCAL_RULES = {"application_min_months": 6, "tiers": True, "publicity_at": ["candidate", "admission"],
               "publicity_working_days": 5, "holiday_rollover": True}


def bench_recheck(runs: int) -> dict[str, list[float]]:
    """`dossier_recheck` of the whole county, timed in three situations, --runs times each:
    nothing changed; right after the county's settings changed (local rules switched on, then off again);
    every dossier's stored result wiped first (all rows and findings rewritten, as after `dangjian demo`)."""
    from dangjian.core.audit import Actor
    from dangjian.development.models import CountyConfig, Dossier, Finding
    from dangjian.development.services import dossier_recheck
    from dangjian.orgs.models import Organization, OrgKind

    county = Organization.objects.get(kind=OrgKind.COUNTY, parent__isnull=True)
    row, _ = CountyConfig.objects.get_or_create(county=county)
    original = dict(row.config)

    def timed(label: str) -> float:
        started = time.perf_counter()
        n = dossier_recheck(actor=Actor())
        seconds = time.perf_counter() - started
        print(f"  recheck {n} 份档案（{label}）：{seconds:.2f} s", flush=True)
        return seconds

    times: dict[str, list[float]] = {"无变化": [], "县级设置改变后": [], "全部重写": []}
    try:
        for i in range(runs):
            times["无变化"].append(timed("无变化"))
            row.config = {**original, **LOCAL_RULES} if i % 2 == 0 else original
            row.save()
            times["县级设置改变后"].append(timed("县级设置改变后"))
            Dossier.objects.update(status="none", next_step="", computed={}, due=[], rule_version="", errors=0,
                                   warnings=0)
            Finding.objects.all().delete()
            times["全部重写"].append(timed("全部重写"))
    finally:
        row.config = original
        row.save()
        dossier_recheck(actor=Actor())
    return times


def bench_page(requests: int, warmup: int = 10) -> tuple[list[float], int, int]:
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from dangjian.development.models import Dossier
    from dangjian.orgs.models import User

    user = User.objects.select_related("organization").get(username="town_organizer")
    ids = list(
        Dossier.objects.filter(org_path__startswith=user.organization.path)
        .annotate(n=Count("records"))
        .order_by("-n", "id")
        .values_list("id", flat=True)[:50]
    )
    client = Client()
    client.force_login(user)
    for i in range(warmup):
        assert client.get(f"/dossiers/{ids[i % len(ids)]}/").status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        client.get(f"/dossiers/{ids[0]}/")
    queries = len(ctx.captured_queries)
    timings = []
    for i in range(requests):
        url = f"/dossiers/{ids[i % len(ids)]}/"
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return timings, queries, len(ids)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rebuild", action="store_true", help="重新生成 var/bench-dossiers/ 中的演示县（并计时）")
    parser.add_argument("--runs", type=int, default=3, help="recheck 次数")
    parser.add_argument("--requests", type=int, default=200, help="档案页请求次数")
    args = parser.parse_args(argv)

    configure()
    demo_seconds = build(args.rebuild)
    import django

    django.setup()
    from django.core.management import call_command

    from dangjian.development.models import Dossier, Finding, StepRecord

    call_command("migrate", interactive=False, verbosity=0)  # a county built by an older version: bring it up

    print(f"数据库：{DB_FILE}（档案 {Dossier.objects.count()} 份，步骤记录 {StepRecord.objects.count()} 条，"
          f"问题 {Finding.objects.count()} 条）；负载 {os.getloadavg()[0]:.2f}")
    if demo_seconds is not None:
        verdict = "达标" if demo_seconds <= TARGET_DEMO_S else "未达标"
        print(f"演示县生成（dangjian demo，空库）：{demo_seconds:.1f} s（目标 ≤ {TARGET_DEMO_S:.0f} s，{verdict}）")
    times = bench_recheck(args.runs)
    for label, values in times.items():
        verdict = "达标" if max(values) <= TARGET_RECHECK_S else "未达标"
        print(f"recheck（{label}）：最好 {min(values):.2f} s，中位 {statistics.median(values):.2f} s，"
              f"最差 {max(values):.2f} s（目标 ≤ {TARGET_RECHECK_S:.0f} s，{verdict}）")
    timings, queries, pages = bench_page(args.requests)
    p50, p95 = pct(timings, 50), pct(timings, 95)
    verdict = "达标" if p95 <= TARGET_P95_MS else "未达标"
    print(f"档案页 /dossiers/<id>/（town_organizer，{pages} 份档案轮流，{len(timings)} 次请求，每次 {queries} 条 SQL）："
          f"p50 {p50:.1f} ms，p95 {p95:.1f} ms，max {max(timings):.1f} ms（目标 p95 ≤ {TARGET_P95_MS:.0f} ms，{verdict}）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
