"""The roll-up of people_person by (unit, 政治面貌, dimension, value): the trigger SQL for SQLite and PostgreSQL,
the fresh count it must always equal, and `rollup_rebuild`.

Why triggers: the roll-up must change in the same transaction as every write to people — forms, the API,
imports' executemany (core/bulk.py), queryset .update() in the development and ledgers services, the demo's
bulk_create. A trigger is the one place no code path can forget (the lead's choice, docs/decisions.md).

Subtraction is an UPDATE (never an upsert): when a flush empties the roll-up before people_person, deleting
people then leaves no negative rows behind.

Inserts are counted per statement where the database can: PostgreSQL's insert trigger is a statement-level one
over the transition table (one GROUP BY per INSERT or COPY, whatever its size). SQLite has only row triggers
(seven upserts a person: 4 of a 100,000-row import's 18 s); a bulk insert wrapped in `counted_at_once` goes
without the insert trigger — dropped and created again inside the same transaction — and adds the people it
inserted with one GROUP BY (docs/decisions.md).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.db import connection, transaction

from dangjian.stats.models import ROLLUP_PATH_LEN

PERSON_TABLE = "people_person"
ROLLUP_TABLE = "stats_rollup"
DELTA_TABLE = "stats_rollupdelta"
TRIGGER_COLUMNS = ("org_path", "party_status", "gender", "education", "ethnicity", "household_type", "birth_date",
                   "joined_on")


def dims(vendor: str, p: str = "") -> list[tuple[str, str]]:
    """(dimension, SQL value expression) over a person row; `p` is "NEW." / "OLD." inside triggers."""
    if vendor == "postgresql":
        by, jy = f"to_char({p}birth_date, 'YYYY')", f"COALESCE(to_char({p}joined_on, 'YYYY'), '')"
    else:
        by, jy = f"substr({p}birth_date, 1, 4)", f"COALESCE(substr({p}joined_on, 1, 4), '')"
    return [
        ("all", "''"),
        ("gender", f"{p}gender"),
        ("edu", f"{p}education"),
        # 少数民族: any recorded ethnicity other than 汉族 (a blank one counts as not recorded, not minority).
        ("minority", f"CASE WHEN {p}ethnicity IN ('汉族', '') THEN '0' ELSE '1' END"),
        # 农村党员 = 农业户籍 (docs/stats.md: one definition, used everywhere).
        ("rural", f"CASE WHEN {p}household_type = 'agricultural' THEN '1' ELSE '0' END"),
        ("birth_year", by),
        ("joined_year", jy),
    ]


def _unit(p: str) -> str:
    return f"substr({p}org_path, 1, {ROLLUP_PATH_LEN})"


def _add_sql(vendor: str, p: str = "NEW.") -> str:
    rows = ",\n  ".join(f"({_unit(p)}, {p}party_status, '{d}', {e}, 1)" for d, e in dims(vendor, p))
    if vendor == "postgresql":
        return _append_sql(vendor, p, 1)
    return (f"INSERT INTO {ROLLUP_TABLE} (org_path, party_status, dim, val, n) VALUES\n  {rows}\n"
            f"ON CONFLICT (org_path, party_status, dim, val) DO UPDATE SET n = n + excluded.n;")


def _append_sql(vendor: str, p: str, sign: int) -> str:
    rows = ",\n  ".join(f"({_unit(p)}, {p}party_status, '{d}', {e}, {sign})" for d, e in dims(vendor, p))
    return f"INSERT INTO {DELTA_TABLE} (org_path, party_status, dim, val, n) VALUES\n  {rows};"


def _sub_sql(vendor: str, p: str = "OLD.") -> str:
    if vendor == "postgresql":
        return _append_sql(vendor, p, -1)
    terms = " OR ".join(f"(dim = '{d}' AND val = {e})" for d, e in dims(vendor, p))
    return (f"UPDATE {ROLLUP_TABLE} SET n = n - 1 WHERE org_path = {_unit(p)} AND party_status = {p}party_status "
            f"AND ({terms});")


def _changed(vendor: str) -> str:
    op = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
    return " OR ".join(f"OLD.{c} {op} NEW.{c}" for c in TRIGGER_COLUMNS)


def trigger_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [
            f"""CREATE OR REPLACE FUNCTION stats_person_rollup() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    {_sub_sql(vendor)}
  END IF;
  IF TG_OP = 'UPDATE' THEN
    {_add_sql(vendor)}
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
            # Inserts: once per statement, over the rows it inserted (an INSERT of one row or a COPY of 100,000).
            f"""CREATE OR REPLACE FUNCTION stats_person_added() RETURNS trigger AS $$
BEGIN
  INSERT INTO {DELTA_TABLE} (org_path, party_status, dim, val, n)
  {fresh_sql(vendor, unit=True, table="added")};
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
            f"CREATE TRIGGER stats_person_ins AFTER INSERT ON {PERSON_TABLE} REFERENCING NEW TABLE AS added "
            "FOR EACH STATEMENT EXECUTE FUNCTION stats_person_added()",
            f"CREATE TRIGGER stats_person_del AFTER DELETE ON {PERSON_TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION stats_person_rollup()",
            f"CREATE TRIGGER stats_person_upd AFTER UPDATE ON {PERSON_TABLE} FOR EACH ROW "
            f"WHEN ({_changed(vendor)}) EXECUTE FUNCTION stats_person_rollup()",
        ]
    return [
        _SQLITE_INSERT_TRIGGER,
        f"CREATE TRIGGER stats_person_del AFTER DELETE ON {PERSON_TABLE} BEGIN\n{_sub_sql(vendor)}\nEND",
        f"CREATE TRIGGER stats_person_upd AFTER UPDATE OF {', '.join(TRIGGER_COLUMNS)} ON {PERSON_TABLE} "
        f"WHEN {_changed(vendor)} BEGIN\n{_sub_sql(vendor)}\n{_add_sql(vendor)}\nEND",
    ]


_SQLITE_INSERT_TRIGGER = (f"CREATE TRIGGER stats_person_ins AFTER INSERT ON {PERSON_TABLE} BEGIN\n"
                          f"{_add_sql('sqlite')}\nEND")


def drop_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS stats_person_ins_del ON {PERSON_TABLE}",
                f"DROP TRIGGER IF EXISTS stats_person_ins ON {PERSON_TABLE}",
                f"DROP TRIGGER IF EXISTS stats_person_del ON {PERSON_TABLE}",
                f"DROP TRIGGER IF EXISTS stats_person_upd ON {PERSON_TABLE}",
                "DROP FUNCTION IF EXISTS stats_person_rollup()",
                "DROP FUNCTION IF EXISTS stats_person_added()"]
    return ["DROP TRIGGER IF EXISTS stats_person_ins", "DROP TRIGGER IF EXISTS stats_person_del",
            "DROP TRIGGER IF EXISTS stats_person_upd"]


def fresh_sql(vendor: str, *, unit: bool, where: str = "", table: str = PERSON_TABLE) -> str:
    """One GROUP BY per dimension over people_person (or a table of its rows): (path or '', party_status, dim,
    val, n)."""
    path = _unit("") if unit else "''"
    parts = []
    for d, e in dims(vendor):
        # PostgreSQL refuses a constant in GROUP BY: group by the non-constant terms only.
        group = ", ".join(t for t in (path, "party_status", e) if not t.startswith("'"))
        parts.append(f"SELECT {path}, party_status, '{d}', {e}, COUNT(*) FROM {table} {where} GROUP BY {group}")
    return "\nUNION ALL\n".join(parts)


@contextlib.contextmanager
def counted_at_once() -> Iterator[None]:
    """Around a bulk INSERT into people_person (inside a transaction): the people it inserts are added to the
    roll-up by one GROUP BY when it ends, not row by row. Wrap the INSERT alone — no update or delete of people
    may run inside (their triggers would count against rows not yet added).

    SQLite: an AFTER INSERT trigger costs about 20 µs a row even when it does nothing (WHEN 0; measured on the
    bench's 100,000 people: 3.4 s against 1.2 s without), so the insert trigger is dropped for the block and
    created again at its end, in the same transaction. SQLite's DDL is transactional: no other connection ever
    sees the table without it (readers see the last commit; there is one writer at a time), and a crash or a
    rollback brings it back with everything else. The people inserted are those above the highest id before the
    block (ids only grow under the write lock: core/bulk.py). PostgreSQL's insert trigger counts each statement
    at once already (transition table): nothing to do."""
    if connection.vendor != "sqlite":
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("counted_at_once needs a transaction (the table must never be committed without its "
                           "trigger)")
    with connection.cursor() as cur:
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {PERSON_TABLE}")  # noqa: S608
        low = cur.fetchone()[0]
        cur.execute("DROP TRIGGER stats_person_ins")
        try:
            yield
        finally:
            cur.execute(_SQLITE_INSERT_TRIGGER)
        cur.execute(f"INSERT INTO {ROLLUP_TABLE} (org_path, party_status, dim, val, n) "  # noqa: S608
                    f"SELECT * FROM ({fresh_sql('sqlite', unit=True, where='WHERE id > %s')}) WHERE 1 = 1 "
                    "ON CONFLICT (org_path, party_status, dim, val) DO UPDATE SET n = n + excluded.n",
                    [low] * len(dims("sqlite")))


def fresh_counts(path: str | None = None, statuses: tuple[str, ...] | None = None) -> dict[tuple, int]:
    """{(party_status, dim, val): n} counted fresh from people_person, for a subtree (or everything)."""
    from dangjian.core.scope import path_upper_bound

    where, params = [], []
    if path:
        where.append("org_path >= %s AND org_path < %s")
        params += [path, path_upper_bound(path)]
    if statuses:
        where.append(f"party_status IN ({', '.join(['%s'] * len(statuses))})")
        params += list(statuses)
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    sql = fresh_sql(connection.vendor, unit=False, where=clause)
    with connection.cursor() as cur:
        cur.execute(sql, params * len(dims(connection.vendor)))
        return {(s, d, v): n for _p, s, d, v, n in cur.fetchall()}


def rollup_counts(path: str | None = None, statuses: tuple[str, ...] | None = None) -> dict[tuple, int]:
    """{(party_status, dim, val): n} summed from the roll-up rows of a subtree whose path is at most
    ROLLUP_PATH_LEN long (or everything)."""
    from dangjian.core.scope import path_upper_bound

    where, params = [], []
    if path:
        if len(path) > ROLLUP_PATH_LEN:
            raise ValueError("subtree below the roll-up unit: count fresh")
        where.append("org_path >= %s AND org_path < %s")
        params += [path, path_upper_bound(path)]
    if statuses:
        where.append(f"party_status IN ({', '.join(['%s'] * len(statuses))})")
        params += list(statuses)
    where = where or ["1 = 1"]
    clause = " AND ".join(where)
    # The appended increments not yet folded in (PostgreSQL; empty on SQLite) count as well.
    sql = (f"SELECT party_status, dim, val, SUM(n) FROM (SELECT party_status, dim, val, n FROM {ROLLUP_TABLE} "  # noqa: S608
           f"WHERE {clause} UNION ALL SELECT party_status, dim, val, n FROM {DELTA_TABLE} WHERE {clause}) t "
           "GROUP BY party_status, dim, val")
    with connection.cursor() as cur:
        cur.execute(sql, params * 2)
        return {(s, d, v): int(n) for s, d, v, n in cur.fetchall() if n}


def category_counts(path: str, statuses: tuple[str, ...]) -> dict[tuple, int]:
    """The counts of a subtree: from the roll-up when its root is a unit or above, else fresh."""
    if len(path) <= ROLLUP_PATH_LEN:
        return rollup_counts(path, statuses)
    return fresh_counts(path, statuses)


def status_counts_by_prefix(path: str, length: int, statuses: tuple[str, ...]) -> list[tuple[str, str, int]]:
    """[(path prefix of `length` characters, party_status, n)] of a subtree: from the roll-up (and the increments
    not yet folded in) when the prefixes are units or above, else counted fresh from people_person."""
    from dangjian.core.scope import path_upper_bound

    marks = ", ".join(["%s"] * len(statuses))
    where = f"org_path >= %s AND org_path < %s AND party_status IN ({marks})"
    params = [path, path_upper_bound(path), *statuses]
    if length <= ROLLUP_PATH_LEN:
        sql = (f"SELECT substr(org_path, 1, {int(length)}), party_status, SUM(n) FROM (SELECT org_path, "  # noqa: S608
               f"party_status, n FROM {ROLLUP_TABLE} WHERE dim = 'all' AND {where} UNION ALL SELECT org_path, "
               f"party_status, n FROM {DELTA_TABLE} WHERE dim = 'all' AND {where}) t "
               f"GROUP BY substr(org_path, 1, {int(length)}), party_status")
        params *= 2
    else:
        sql = (f"SELECT substr(org_path, 1, {int(length)}), party_status, COUNT(*) FROM {PERSON_TABLE} "  # noqa: S608
               f"WHERE {where} GROUP BY substr(org_path, 1, {int(length)}), party_status")
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return [(p, s, int(n)) for p, s, n in cur.fetchall() if n]


@transaction.atomic
def rollup_rebuild() -> int:
    """Recompute the whole roll-up from people_person (`dangjian stats rebuild`). Returns the rows written."""
    vendor = connection.vendor
    with connection.cursor() as cur:
        if vendor == "postgresql":
            # Writers wait while the table is rebuilt, so no increment falls between the delete and the insert.
            cur.execute(f"LOCK TABLE {PERSON_TABLE} IN SHARE MODE")
        cur.execute(f"DELETE FROM {ROLLUP_TABLE}")  # noqa: S608
        cur.execute(f"DELETE FROM {DELTA_TABLE}")  # noqa: S608
        cur.execute(f"INSERT INTO {ROLLUP_TABLE} (org_path, party_status, dim, val, n)\n"  # noqa: S608
                    + fresh_sql(vendor, unit=True))
        cur.execute(f"SELECT COUNT(*) FROM {ROLLUP_TABLE}")  # noqa: S608
        return cur.fetchone()[0]


@transaction.atomic
def rollup_compact() -> int:
    """Fold the appended increments into the roll-up (`dangjian stats compact`; PostgreSQL, nightly). Writers
    wait for the moment it takes; the result is the same with or without it. Returns the increments folded."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(f"LOCK TABLE {DELTA_TABLE} IN SHARE ROW EXCLUSIVE MODE")
        cur.execute(f"SELECT COUNT(*) FROM {DELTA_TABLE}")  # noqa: S608
        n = cur.fetchone()[0]
        if n:
            target = "stats_rollup.n" if connection.vendor == "postgresql" else "n"
            cur.execute(f"INSERT INTO {ROLLUP_TABLE} (org_path, party_status, dim, val, n) "  # noqa: S608
                        f"SELECT org_path, party_status, dim, val, SUM(n) FROM {DELTA_TABLE} WHERE 1 = 1 "
                        "GROUP BY org_path, party_status, dim, val "
                        f"ON CONFLICT (org_path, party_status, dim, val) DO UPDATE SET n = {target} + excluded.n")
            cur.execute(f"DELETE FROM {DELTA_TABLE}")  # noqa: S608
            cur.execute(f"DELETE FROM {ROLLUP_TABLE} WHERE n = 0")  # noqa: S608
    return n


def install_triggers(apps=None, schema_editor=None) -> None:
    conn = schema_editor.connection if schema_editor is not None else connection
    with conn.cursor() as cur:
        for sql in drop_sql(conn.vendor) + trigger_sql(conn.vendor):
            cur.execute(sql)


def remove_triggers(apps=None, schema_editor=None) -> None:
    conn = schema_editor.connection if schema_editor is not None else connection
    with conn.cursor() as cur:
        for sql in drop_sql(conn.vendor):
            cur.execute(sql)
