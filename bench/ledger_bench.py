"""Ledger import/export benchmark (issue 4; figures in docs/performance.md, section 台账导入导出).

    .venv/bin/python bench/ledger_bench.py [--rows 100000] [--db sqlite,postgres] [--die-rows 100000] [--openpyxl]
    .venv/bin/python bench/ledger_bench.py --profile 20000    # where an import's time goes (cProfile, SQLite)

Measures, each in a fresh process (peak memory = that process's maximum RSS, Django included):
  (a) python-calamine alone reading the 20-column .xlsx (and openpyxl's read-only mode with --openpyxl);
  (b) `dangjian ledger import --commit` work (read, validate every row, write in one transaction, audit rows)
      on SQLite and PostgreSQL, into a fresh database holding the county's organizations;
  (c) export of the same 100,000 members to .xlsx (streaming writer), and openpyxl write-only for comparison;
  (d) the same import through django-import-export (tablib + a ModelResource doing the same validation).
Data: bench/ledger_data.py. Databases under var/bench/ledger/ and PostgreSQL database dangjian_bench_ledger.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIR = ROOT / "var" / "bench" / "ledger"
PG_SERVER = os.environ.get("DANGJIAN_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PG_DB = "dangjian_bench_ledger"
ORGS = [f"B{i:03d}" for i in range(1, 11)]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu() -> float:
    """CPU seconds of this process (user + system): steadier than wall time on a shared machine."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def env_for(db: str) -> dict:
    env = dict(os.environ)
    env.update(DANGJIAN_VAR_DIR=str(DIR), DANGJIAN_KEY_FILE=str(DIR / "key"), DANGJIAN_SECRET_KEY="bench",
               DJANGO_SETTINGS_MODULE="dangjian.settings", PYTHONPATH=str(ROOT),
               DATABASE_URL=f"sqlite:///{DIR / 'bench.sqlite3'}" if db == "sqlite" else f"{PG_SERVER}/{PG_DB}")
    return env


def fresh_database(db: str) -> None:
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{DIR / 'bench.sqlite3'}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DB}")


def run_worker(measure: str, db: str, path: Path, extra: list[str] | None = None) -> dict:
    cmd = [sys.executable, __file__, "worker", measure, db, str(path), *(extra or [])]
    out = subprocess.run(cmd, env=env_for(db), capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        raise SystemExit(f"{measure} on {db} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- workers (run in their own process) ----------------------------------------------------------------
def _setup_django(seed_orgs: bool) -> object:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from dangjian.core.crypto import generate_key_file

    generate_key_file(settings.DANGJIAN_KEY_FILE)
    call_command("migrate", interactive=False, verbosity=0)
    from dangjian.core.audit import Actor
    from dangjian.orgs.models import OrgKind, Role, User
    from dangjian.orgs.services import org_create, user_create

    user = User.objects.filter(username="bench").first()
    if user is None and seed_orgs:
        county = org_create(actor=Actor(), code="B000", name="基准县委", kind=OrgKind.COUNTY, check_scope=False)
        for code in ORGS:
            org_create(actor=Actor(), code=code, name=f"第{code[1:]}村党支部", kind=OrgKind.BRANCH, parent=county,
                       check_scope=False)
        user = user_create(actor=Actor(), username="bench", password="Ledger-2026x", organization=county,
                           role=Role.COUNTY_ADMIN, must_change_password=False)
    return user


def w_calamine(path: Path) -> dict:
    from python_calamine import CalamineWorkbook

    t, c0 = time.perf_counter(), cpu()
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    n = sum(1 for _ in sheet.iter_rows())
    return {"seconds": time.perf_counter() - t, "rows": n - 1, "peak_mb": peak_mb(), "cpu_seconds": cpu() - c0}


def w_openpyxl(path: Path) -> dict:
    from openpyxl import load_workbook

    t, c0 = time.perf_counter(), cpu()
    ws = load_workbook(path, read_only=True, data_only=True).active
    n = sum(1 for _ in ws.iter_rows(values_only=True))
    return {"seconds": time.perf_counter() - t, "rows": n - 1, "peak_mb": peak_mb(), "cpu_seconds": cpu() - c0}


def w_import(path: Path, commit: bool = True) -> dict:
    user = _setup_django(seed_orgs=True)
    from dangjian.core.audit import Actor
    from dangjian.ledgers.services import ledger_import

    t, c0 = time.perf_counter(), cpu()
    s = ledger_import(actor=Actor(user=user), path=path, commit=commit, filename=path.name)
    took = time.perf_counter() - t
    if s.errors:
        raise SystemExit(json.dumps([e.as_dict() for e in s.errors[:5]], ensure_ascii=False))
    return {"seconds": took, "rows": s.rows, "created": s.created, "committed": s.committed, "peak_mb": peak_mb(), "cpu_seconds": cpu() - c0}


def w_export(path: Path) -> dict:
    user = _setup_django(seed_orgs=False)
    from dangjian.core.audit import Actor
    from dangjian.ledgers.services import ledger_export

    out = DIR / "export.xlsx"
    t, c0 = time.perf_counter(), cpu()
    with open(out, "wb") as fh:
        n = ledger_export(actor=Actor(user=user), kind="members", out=fh)
    return {"seconds": time.perf_counter() - t, "rows": n, "bytes": out.stat().st_size, "peak_mb": peak_mb(), "cpu_seconds": cpu() - c0}


def w_export_openpyxl(path: Path) -> dict:
    user = _setup_django(seed_orgs=False)
    from dangjian.core.xlsx import write_xlsx
    from dangjian.ledgers import selectors
    from dangjian.ledgers.columns import TEMPLATES

    org = user.organization
    t, c0 = time.perf_counter(), cpu()
    with open(DIR / "export-openpyxl.xlsx", "wb") as fh:
        write_xlsx(fh, "党员名册", [c.label for c in TEMPLATES["members"]],
                   selectors.export_rows(user=user, kind="members", org=org, reveal=False))
    return {"seconds": time.perf_counter() - t, "peak_mb": peak_mb(), "cpu_seconds": cpu() - c0}


def w_import_export_lib(path: Path) -> dict:
    """django-import-export: tablib reads the .xlsx (openpyxl), a ModelResource validates each row through the
    same person_clean, writes it and its audit row (the library's default one-row-at-a-time path, in one
    transaction). Less work than ours still: no ledger note, no in-file duplicate check, no preview."""
    user = _setup_django(seed_orgs=True)
    import tablib
    from import_export import fields, resources

    from dangjian.core import crypto
    from dangjian.core.audit import Actor, audit_log
    from dangjian.ledgers import cells
    from dangjian.orgs.models import Organization
    from dangjian.people.models import Person
    from dangjian.people.services import PersonData, person_apply, person_clean, person_snapshot

    orgs = {o.code: o for o in Organization.objects.all()}
    actor = Actor(user=user)

    class PersonResource(resources.ModelResource):
        id_number_hash = fields.Field(attribute="id_number_hash", column_name="id_number_hash")

        class Meta:
            model = Person
            import_id_fields = ("id_number_hash",)
            fields = ("id_number_hash",)
            use_transactions = True

        def after_save_instance(self, instance, row, **kwargs):
            # The audit row every created person gets (SECURITY.md C1), as a Django developer would add it:
            # the project's audit_log, once per saved row.
            audit_log(actor=actor, action="person.create", obj_type="person", obj_id=instance.pk,
                      after=person_snapshot(instance))

        def import_instance(self, instance, row, **kwargs):
            data = PersonData(name=row["姓名"], id_number=cells.id_number(row["公民身份号码"]),
                              organization=orgs[row["所在党组织"]], party_status="full_member",
                              status_date=cells.date(row["转正时间"]), phone=cells.text(row["联系电话"]))
            info, keys = person_clean(data, check_duplicate=False)
            person_apply(instance, data, info, keys)
            instance.party_status, instance.status_date = data.party_status, data.status_date

    t, c0 = time.perf_counter(), cpu()
    with open(path, "rb") as fh:
        dataset = tablib.Dataset().load(fh.read(), format="xlsx")
    # The key the library matches rows on (the blind index), as one more column.
    dataset.append_col(lambda row: crypto.blind_index(cells.id_number(row[4])), header="id_number_hash")
    loaded = time.perf_counter() - t
    result = PersonResource().import_data(dataset, dry_run=False, raise_errors=True)
    took = time.perf_counter() - t
    return {"seconds": took, "load_seconds": loaded, "rows": len(dataset), "totals": dict(result.totals),
            "peak_mb": peak_mb(), "cpu_seconds": cpu() - c0, "user": user.username}


def w_profile(path: Path) -> dict:
    """The import (commit) under cProfile: the top functions by own time go to stderr, the stats file to
    var/bench/ledger/import.prof (`python -m pstats` reads it). Timings are inflated by the profiler."""
    import cProfile
    import pstats

    user = _setup_django(seed_orgs=True)
    from dangjian.core.audit import Actor
    from dangjian.ledgers.services import ledger_import

    profiler = cProfile.Profile()
    t, c0 = time.perf_counter(), cpu()
    s = profiler.runcall(ledger_import, actor=Actor(user=user), path=path, commit=True, filename=path.name)
    took = time.perf_counter() - t
    out = DIR / "import.prof"
    profiler.dump_stats(out)
    pstats.Stats(str(out), stream=sys.stderr).sort_stats("tottime").print_stats(30)
    return {"seconds": took, "rows": s.rows, "committed": s.committed, "peak_mb": peak_mb(),
            "cpu_seconds": cpu() - c0, "profile": str(out)}


WORKERS = {"calamine": w_calamine, "openpyxl": w_openpyxl, "import": w_import,
           "preview": lambda p: w_import(p, commit=False), "export": w_export, "export_openpyxl": w_export_openpyxl,
           "import_export": w_import_export_lib, "profile": w_profile}


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        _, _, measure, db, path = sys.argv[:5]
        print(json.dumps(WORKERS[measure](Path(path)), ensure_ascii=False, default=str))
        return 0
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--db", default="sqlite,postgres")
    p.add_argument("--die-rows", type=int, default=100_000, help="rows for the django-import-export run")
    p.add_argument("--openpyxl", action="store_true", help="also time openpyxl reading and writing")
    p.add_argument("--ratio", type=int, default=0, metavar="N",
                   help="only the target's ratio: N times, calamine then the import (each DB), side by side")
    p.add_argument("--profile", type=int, default=0, metavar="ROWS",
                   help="only profile an import of ROWS rows into a fresh SQLite database (cProfile)")
    args = p.parse_args()
    sys.path.insert(0, str(ROOT))
    from bench.ledger_data import generate

    DIR.mkdir(parents=True, exist_ok=True)
    if args.profile:
        path = DIR / f"members-{args.profile}.xlsx"
        if not path.exists():
            generate(path, args.profile, ORGS)
        fresh_database("sqlite")
        cmd = [sys.executable, __file__, "worker", "profile", "sqlite", str(path)]
        out = subprocess.run(cmd, env=env_for("sqlite"), capture_output=True, text=True, cwd=ROOT)
        print(out.stderr[-6000:])
        print(out.stdout.strip().splitlines()[-1] if out.stdout.strip() else "")
        return out.returncode
    path = DIR / f"members-{args.rows}.xlsx"
    if not path.exists():
        generate(path, args.rows, ORGS)
    if args.ratio:
        return ratio(path, args.db.split(","), args.ratio)
    results: dict[str, dict] = {}
    results["a calamine"] = run_worker("calamine", "sqlite", path)
    if args.openpyxl:
        results["a openpyxl"] = run_worker("openpyxl", "sqlite", path)
    for db in args.db.split(","):
        fresh_database(db)
        results[f"b preview {db}"] = run_worker("preview", db, path)
        results[f"b import {db}"] = run_worker("import", db, path)
        results[f"c export {db}"] = run_worker("export", db, path)
        if args.openpyxl:
            results[f"c export openpyxl {db}"] = run_worker("export_openpyxl", db, path)
    die_path = path if args.die_rows == args.rows else DIR / f"members-{args.die_rows}.xlsx"
    if not die_path.exists():
        generate(die_path, args.die_rows, ORGS)
    fresh_database("sqlite")
    results["d django-import-export sqlite"] = run_worker("import_export", "sqlite", die_path)
    print("| measure | rows | wall s | CPU s | peak MB |\n|---|---:|---:|---:|---:|")
    for name, r in results.items():
        print(f"| {name} | {r.get('rows', '')} | {r['seconds']:.1f} | {r['cpu_seconds']:.1f} | {r['peak_mb']:.0f} |")
    (DIR / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str))
    return 0


def ratio(path: Path, dbs: list[str], times: int) -> int:
    """The import target is relative to (a): on a shared machine whose speed drifts from minute to minute, each
    import is timed right after its own calamine read, and the ratio of the two is what is compared."""
    print("| run | database | calamine s | import s | import CPU s | ratio |\n|---|---|---:|---:|---:|---:|")
    best: dict[str, float] = {}
    for i in range(1, times + 1):
        for db in dbs:
            a = run_worker("calamine", "sqlite", path)
            fresh_database(db)
            b = run_worker("import", db, path)
            r = b["seconds"] / a["seconds"]
            best[db] = min(best.get(db, r), r)
            print(f"| {i} | {db} | {a['seconds']:.2f} | {b['seconds']:.2f} | {b['cpu_seconds']:.2f} | {r:.1f}× |",
                  flush=True)
    print("best ratio: " + ", ".join(f"{db} {r:.1f}×" for db, r in best.items()) + " (target ≤ 4×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
