"""Generate the demo world once per test process, and put it back before each browser test.

The browser tests need the live server, hence pytest-django's transactional database, whose teardown empties
every table after each test. Generating the demo county (small scale: the real tree, 1,850 people, their
development dossiers) takes seconds; copying its rows back takes milliseconds. So the first test generates
it and copies every table into a snapshot schema of the same test database (an attached in-memory database
on SQLite, a schema on PostgreSQL); each later test copies the rows back. The flush never touches the
snapshot (it empties only the models' tables), and the test database, snapshot included, is dropped at the
end of the session. Each xdist worker has its own test database, so nothing is shared between workers.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, transaction

SCHEMA = "browser_snapshot"


# Tables kept by database triggers from other tables (stats/rollup.py): not copied, emptied and then refilled by
# the triggers as the people rows are copied back.
DERIVED = {"stats_rollup", "stats_rollupdelta"}


def _tables() -> list[str]:
    return sorted(t for t in connection.introspection.django_table_names(only_existing=True, include_views=False)
                  if t not in DERIVED)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _snapshot_exists() -> bool:
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("PRAGMA database_list")
            if SCHEMA not in {row[1] for row in cur.fetchall()}:
                return False
            cur.execute(f"SELECT count(*) FROM {SCHEMA}.sqlite_master WHERE type = 'table'")
        else:
            cur.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = %s", [SCHEMA])
        return cur.fetchone()[0] > 0


def take() -> None:
    """Copy every model table into the snapshot schema (replacing an older snapshot)."""
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("PRAGMA database_list")
            if SCHEMA not in {row[1] for row in cur.fetchall()}:
                cur.execute(f"ATTACH DATABASE ':memory:' AS {SCHEMA}")
        else:
            cur.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
            cur.execute(f"CREATE SCHEMA {SCHEMA}")
        for table in _tables():
            cur.execute(f"DROP TABLE IF EXISTS {SCHEMA}.{_q(table)}")
            cur.execute(f"CREATE TABLE {SCHEMA}.{_q(table)} AS SELECT * FROM {_q(table)}")


def restore() -> bool:
    """Replace the content of every model table by the snapshot's. False if there is no snapshot yet."""
    if not _snapshot_exists():
        return False
    tables = _tables()
    # Django declares foreign keys DEFERRABLE INITIALLY DEFERRED on both databases: inside one transaction
    # the tables can be emptied and refilled in any order.
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("TRUNCATE " + ", ".join(_q(t) for t in tables))
        else:
            for table in tables:
                cur.execute(f"DELETE FROM {_q(table)}")
        for table in DERIVED:
            cur.execute(f"DELETE FROM {_q(table)}")
        for table in tables:
            cur.execute(f"INSERT INTO {_q(table)} SELECT * FROM {SCHEMA}.{_q(table)}")
        for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models(include_auto_created=True)):
            cur.execute(sql)
    ContentType.objects.clear_cache()
    return True
