"""Benchmark: a township organizer's people list and /api/people on a province-scale database.

    .venv/bin/python bench/people_list.py                 # SQLite: var/bench/province.sqlite3
    .venv/bin/python bench/people_list.py --db postgres   # PostgreSQL: database dangjian_bench
    make bench                                            # the first of these

The first run generates the province (`generate(scale="province")`: 50 counties, 1,140,000 people) and
times it; later runs reuse it. Each case is requested through Django's test Client, logged in (force_login) as
the demo `town_organizer` (the first township of the first county, about 1,500 people), with the whole
middleware stack, session save and audit row of a real request: warm-up, then --requests timed requests.
Prints p50/p95/max in ms per case, the queries per request, and (--explain) the plans of the person queries.
Target (issue 2): p95 ≤ 150 ms on SQLite and on PostgreSQL on the 2-core machine. Figures: docs/performance.md.
Never a timed test: this is run by hand or by `make bench`.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchdb  # noqa: E402

TARGET_P95_MS = 150.0
TARGET_COUNTY_S = 20.0


@dataclass
class Case:
    name: str
    url: str
    user: str = "town_organizer"
    timings: list[float] = field(default_factory=list)
    queries: int = 0
    found: int = 0
    sql: list[str] = field(default_factory=list)

    def pct(self, p: float) -> float:
        ordered = sorted(self.timings)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]

    @property
    def is_target(self) -> bool:
        return self.user == "town_organizer"


def _common_surname(user) -> str:
    from collections import Counter

    from dangjian.core.scope import visible_to
    from dangjian.people.models import Person

    names = visible_to(user, Person).values_list("name", flat=True)
    return Counter(n[0] for n in names).most_common(1)[0][0]


def _sample_person(user):
    from dangjian.core.scope import visible_to
    from dangjian.people.models import Person

    qs = visible_to(user, Person).order_by("org_path", "id")
    return qs[qs.count() // 2]


def build_cases(users: dict) -> list[Case]:
    from dangjian.core import crypto

    organizer = users["town_organizer"]
    surname = _common_surname(organizer)
    person = _sample_person(organizer)
    initials = person.name_initials.split()[0]
    village = person.organization
    number = crypto.decrypt(person.id_number_enc)
    return [
        Case("网页 列表首页（无搜索）", "/people/"),
        Case("网页 拼音 wang", "/people/?q=wang"),
        Case(f"网页 拼音首字母 {initials}", f"/people/?q={initials}"),
        Case(f"网页 姓名 {surname}", f"/people/?q={surname}"),
        Case(f"网页 姓名 {surname} + 积极分子", f"/people/?q={surname}&party_status=activist"),
        Case("网页 筛选 高中学历 + 女", "/people/?education=senior&gender=female"),
        Case("网页 筛选 退役军人", "/people/?occupation=veteran"),
        Case("网页 完整身份证号", f"/people/?q={number}"),
        Case("网页 本乡镇某村的人员", f"/people/?org={village.code}"),
        Case("API 首页（无搜索）", "/api/people"),
        Case("API 拼音 wang", "/api/people?q=wang"),
        Case(f"API 姓名 {surname} + 正式党员", f"/api/people?q={surname}&party_status=full_member"),
        # Not the target (the target is the township organizer), shown for scale: the whole county (≈23,000).
        Case("参考：县管理员 网页 拼音 wang", "/people/?q=wang", user="county_admin"),
        Case("参考：县管理员 API 姓名 " + surname, f"/api/people?q={surname}", user="county_admin"),
    ]


def _pad(text: str, width: int) -> str:
    """Left-justify counting a Chinese character as two columns, so the table lines up in a terminal."""
    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - shown, 1)


_COUNT_RE = re.compile(r"共 (\d+) 人")


def _found(response) -> int:
    if response["Content-Type"].startswith("application/json"):
        return response.json()["count"]
    m = _COUNT_RE.search(response.content.decode())
    return int(m.group(1)) if m else -1


def run_case(case: Case, client, *, warmup: int, requests: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        response = client.get(case.url)
        if response.status_code != 200:
            raise SystemExit(f"{case.name}: {case.url} answered {response.status_code}")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(case.url)
    case.queries = len(ctx.captured_queries)
    case.sql = [q["sql"] for q in ctx.captured_queries if '"people_person"' in q["sql"]]
    case.found = _found(response)
    for _ in range(requests):
        started = time.perf_counter()
        client.get(case.url)
        case.timings.append((time.perf_counter() - started) * 1000)


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING ON) " + sql)
            return "\n".join(r[0] for r in cur.fetchall())
        cur.execute("EXPLAIN QUERY PLAN " + sql)
        return "\n".join(row[-1] for row in cur.fetchall())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--requests", type=int, default=200, help="timed requests per case (default 200)")
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--explain", action="store_true", help="print the plans of the person queries of each case")
    p.add_argument("--skip-county", action="store_true", help="do not time the county demo generation")
    p.add_argument("--rebuild", action="store_true", help="drop the province database and generate it again")
    p.add_argument("--only", default="", help="run only the cases whose name contains this text")
    args = p.parse_args(argv)

    benchdb.configure(args.db, rebuild=args.rebuild)
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from dangjian.core.audit import scrub
    from dangjian.orgs.models import User
    from dangjian.people.models import Person

    generation = benchdb.ensure_province(args.db)
    users = {u.username: u for u in User.objects.select_related("organization")
             .filter(username__in=["town_organizer", "county_admin"])}
    people = Person.objects.count()
    scope = Person.objects.filter(org_path__startswith=users["town_organizer"].organization.path).count()
    print(f"数据库：{connection.vendor} {connection.settings_dict['NAME']}，人员 {people:,} 人，"
          f"大小 {benchdb.database_size(args.db) / 2**20:,.0f} MiB；"
          f"town_organizer（{users['town_organizer'].organization.name}）范围内 {scope:,} 人")
    if generation.get("seconds"):
        print(f"省级规模生成：{generation['seconds']} s（另 ANALYZE {generation.get('analyze_seconds')} s）")

    cases = [c for c in build_cases(users) if args.only in c.name]
    clients = {}
    for username, user in users.items():
        clients[username] = Client()
        clients[username].force_login(user)
    print(f"负载（1/5/15 分钟）：{' '.join(f'{x:.2f}' for x in os.getloadavg())}（2 核；明显大于 0 时说明有其他进程在抢 CPU）")
    print(f"\n每项预热 {args.warmup} 次，计时 {args.requests} 次（毫秒）：")
    print(f"{_pad('用例', 36)}{'p50':>8}{'p95':>8}{'max':>8}{_pad('', 2)}查询数  结果数")
    failed = []
    for case in cases:
        run_case(case, clients[case.user], warmup=args.warmup, requests=args.requests)
        p50, p95 = case.pct(50), case.pct(95)
        mark = "" if not case.is_target else ("  ✓" if p95 <= TARGET_P95_MS else "  ✗ 超过目标")
        if case.is_target and p95 > TARGET_P95_MS:
            failed.append(case.name)
        print(f"{_pad(case.name, 36)}{p50:>8.1f}{p95:>8.1f}{max(case.timings):>8.1f}{case.queries:>8}{case.found:>8}{mark}",
              flush=True)
        if args.explain:
            for sql in case.sql:
                print("    " + sql[:300] + (" …" if len(sql) > 300 else ""))
                print("      " + explain(sql).replace("\n", "\n      "))

    county = None
    if not args.skip_county:
        print("\n演示县生成计时（新库，独立进程）……", flush=True)
        county = benchdb.time_county_demo(args.db)
        ok = county["generate_seconds"] <= TARGET_COUNTY_S
        print(f"generate(scale=\"county\") + ANALYZE：{county['generate_seconds']} s"
              f"{'  ✓' if ok else '  ✗ 超过目标'}（目标 ≤ {TARGET_COUNTY_S:.0f} s）；"
              f"整条 `dangjian demo` 命令（另含 Python 启动、建密钥、迁移）：{county['command_seconds']} s")
        if not ok:
            failed.append("演示县生成")

    result = {"db": args.db, "people": people, "scope_people": scope,
              "database_bytes": benchdb.database_size(args.db), "province_generation": generation,
              "county_generation": county, "requests": args.requests, "warmup": args.warmup,
              # The full-ID case's URL carries a (synthetic) ID number: files keep only its masked form.
              "cases": [{"name": c.name, "url": scrub(c.url), "user": c.user, "p50_ms": round(c.pct(50), 1),
                         "p95_ms": round(c.pct(95), 1), "max_ms": round(max(c.timings), 1), "queries": c.queries,
                         "found": c.found} for c in cases],
              "at": time.strftime("%Y-%m-%d %H:%M"), "loadavg_after": [round(x, 2) for x in os.getloadavg()]}
    if args.only or args.explain:
        print("\n（--only / --explain：结果不写入文件）")
    else:
        out = benchdb.BENCH_DIR / f"results-{args.db}.json"
        out.write_text(json.dumps(result, ensure_ascii=False, indent=1))
        print(f"\n结果已写入 {out}")
    if failed:
        print("未达到目标：" + "、".join(failed))
        return 1
    print("全部达到目标。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
