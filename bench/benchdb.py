"""The benchmark databases: where they live, how they are made, and what they hold.

Kept apart from the everyday database: everything goes under var/bench/ (its own key file and secret key),
and PostgreSQL uses its own databases (`dangjian_bench`, `dangjian_bench_county`). `configure()` must run
before Django is imported, because settings read DATABASE_URL and DANGJIAN_VAR_DIR once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
PG_SERVER = os.environ.get("DANGJIAN_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PROVINCE_DB = "dangjian_bench"
COUNTY_DB = "dangjian_bench_county"
SEED = 2026


def sqlite_path(name: str) -> Path:
    return BENCH_DIR / f"{name}.sqlite3"


def database_url(db: str, name: str) -> str:
    if db == "sqlite":
        return f"sqlite:///{sqlite_path(name)}"
    return f"{PG_SERVER}/{name}"


def configure(db: str, *, rebuild: bool = False) -> None:
    """Point Django at the province-scale bench database of `db` (before django.setup()); `rebuild` drops it."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    if rebuild:
        meta_path(db).unlink(missing_ok=True)
        if db == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{sqlite_path('province')}{suffix}").unlink(missing_ok=True)
        else:
            pg_create_database(PROVINCE_DB, fresh=True)
    os.environ["DANGJIAN_VAR_DIR"] = str(BENCH_DIR)
    os.environ["DATABASE_URL"] = database_url(db, "province" if db == "sqlite" else PROVINCE_DB)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    if db == "postgres":
        pg_create_database(PROVINCE_DB)


def _pg_admin():
    import psycopg

    return psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True)


def pg_create_database(name: str, *, fresh: bool = False) -> None:
    with _pg_admin() as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def meta_path(db: str) -> Path:
    return BENCH_DIR / f"province-{db}.json"


def ensure_province(db: str, progress=print) -> dict:
    """Migrate, and generate the province once (timed). Returns the generation record."""
    from django.core.management import call_command

    from dangjian.cli import _keygen
    from dangjian.core.models import Installation
    from dangjian.demo.generate import generate, has_data

    _keygen()
    call_command("migrate", interactive=False, verbosity=0)
    if has_data():
        inst = Installation.objects.order_by("id").first()
        if inst is None or inst.demo_scale != "province":
            raise SystemExit(f"基准库中已有数据但不是省级规模（{inst and inst.demo_scale}）；删除 {BENCH_DIR} 或数据库后重试")
        if meta_path(db).exists():
            return json.loads(meta_path(db).read_text())
        return {"seconds": None}
    progress(f"生成省级规模基准库（{db}），约需 10 分钟……")
    started = time.perf_counter()
    summary = generate(seed=SEED, scale="province", progress=lambda m: progress("  " + m))
    generated = time.perf_counter() - started
    analyze_started = time.perf_counter()
    analyze()
    record = {**summary, "seconds": round(generated, 1),
              "analyze_seconds": round(time.perf_counter() - analyze_started, 1),
              "at": time.strftime("%Y-%m-%d %H:%M"), "loadavg_after": [round(x, 2) for x in os.getloadavg()]}
    meta_path(db).write_text(json.dumps(record, ensure_ascii=False, indent=1))
    return record


def analyze() -> None:
    """Planner statistics after the bulk load. PostgreSQL also gets a VACUUM, so the visibility map is set as it
    would be after autovacuum on a database that grew normally (index-only scans depend on it)."""
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("VACUUM (ANALYZE)")
        else:
            cur.execute("ANALYZE")


def database_size(db: str) -> int:
    from django.db import connection

    if db == "sqlite":
        with connection.cursor() as cur:
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # so the size is the database's, not the log's
        return Path(connection.settings_dict["NAME"]).stat().st_size
    with connection.cursor() as cur:
        cur.execute("SELECT pg_database_size(current_database())")
        return cur.fetchone()[0]


def _fresh_county_database(db: str) -> str:
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite_path('county')}{suffix}").unlink(missing_ok=True)
        return database_url(db, "county")
    pg_create_database(COUNTY_DB, fresh=True)
    return database_url(db, COUNTY_DB)


def time_county_demo(db: str) -> dict:
    """The demo county into a fresh database, each run in its own process: the generation alone (plus ANALYZE),
    then the whole `dangjian demo` command as a user runs it (key, migrations, generation, ANALYZE)."""
    county_var = BENCH_DIR / "county"
    county_var.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DANGJIAN_VAR_DIR": str(county_var), "DJANGO_SETTINGS_MODULE": "dangjian.settings"}
    code = ("import time, django; django.setup()\n"
            "from dangjian.cli import _keygen, _migrate\n"
            "_keygen(); _migrate()\n"
            "from dangjian.demo.generate import analyze, generate\n"
            "t = time.perf_counter(); generate(seed=2026, scale='county'); analyze()\n"
            "print(round(time.perf_counter() - t, 2))\n")
    env["DATABASE_URL"] = _fresh_county_database(db)
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True)
    generate_s = float(out.stdout.strip().splitlines()[-1])
    env["DATABASE_URL"] = _fresh_county_database(db)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "dangjian.cli", "demo", "--scale", "county"], env=env, check=True,
                   capture_output=True)
    command_s = time.perf_counter() - started
    return {"generate_seconds": generate_s, "command_seconds": round(command_s, 2)}
