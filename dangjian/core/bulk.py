"""Fast inserts of many new rows (imports, audit chains): one `executemany` of plain tuples per batch (SQLite), or
one COPY (PostgreSQL).

Django's `bulk_create` prepares every value through the SQL compiler (checks for expressions, per-value
conversion): ~15 µs per value, i.e. most of an import's time. Here each field's conversion is decided once:
values that the database driver takes as they are (text, numbers, booleans, foreign keys) pass through, the
others (dates on SQLite, datetimes, JSON) go through the field's own `get_db_prep_save`, so the stored values
are exactly what `save()` would store. Primary keys are reserved first (PostgreSQL: from the sequence; SQLite:
after the highest ever used, under the write lock the enclosing transaction holds) and set on the objects.
No signals are sent (none are used in this project) and `save()` is not called.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models, router


def _reserve_ids(connection, table: str, n: int) -> list[int]:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n])
            return [r[0] for r in cur.fetchall()]
        if not connection.in_atomic_block:
            raise RuntimeError("insert_many needs a transaction (it reserves ids under the write lock)")
        cur.execute(f'SELECT MAX(id) FROM "{table}"')  # noqa: S608 — table name from the model, not input
        top = cur.fetchone()[0] or 0
        cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cur.fetchone()
        start = max(top, row[0] if row else 0) + 1
        return list(range(start, start + n))


_PLAIN = (models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.ForeignKey,
          models.FloatField)


def _sqlite_datetime(v):
    # What Django's SQLite backend stores (adapt_datetimefield_value): naive UTC, str() of the datetime.
    if v is None:
        return None
    if v.tzinfo is not None:
        v = v.astimezone(dt.UTC).replace(tzinfo=None)
    return str(v)


def _converter(f, connection):
    if connection.vendor == "sqlite" and settings.USE_TZ:
        if isinstance(f, models.DateTimeField):
            last: list = [None, None]

            def convert(v):
                # Bulk rows often share one timestamp object: convert it once.
                if v is not last[0]:
                    last[0], last[1] = v, _sqlite_datetime(v)
                return last[1]

            return convert
        if isinstance(f, models.DateField):
            return lambda v: None if v is None else str(v)
        if isinstance(f, models.JSONField) and f.encoder is None:
            return lambda v: None if v is None else json.dumps(v)
    if isinstance(f, models.DateTimeField | models.DateField | models.JSONField | models.DecimalField) \
            or not isinstance(f, _PLAIN):
        return lambda v, f=f: f.get_db_prep_save(v, connection)
    return None


def insert_many(objs: Sequence[models.Model], *, batch_size: int = 2000) -> None:
    """INSERT new model instances (all of one model) and set their primary keys."""
    if not objs:
        return
    connection = connections[DEFAULT_DB_ALIAS]  # the real wrapper: the `connection` proxy costs a lookup per use
    model = type(objs[0])
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            for obj in objs:
                f.pre_save(obj, add=True)
    attnames = [f.attname for f in fields]
    rows = [[getattr(obj, name) for name in attnames] for obj in objs]
    ids = insert_rows(model, attnames, rows, batch_size=batch_size)
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias


def insert_rows(model: type[models.Model], attnames: Sequence[str], rows: Sequence[Sequence],
                *, batch_size: int = 2000, encoded: Sequence[str] = ()) -> list[int]:
    """INSERT rows given as plain values (in the order of `attnames`: the concrete fields but the primary key —
    all of them in practice, Django sets no database defaults) without building model instances; returns the
    primary keys, in order. Values are converted as in `insert_many` (and `save()`); auto_now fields are not
    filled in: pass their values. The JSON fields named in `encoded` are given as JSON text already (or None for
    NULL), stored as they are."""
    if not rows:
        return []
    connection = connections[DEFAULT_DB_ALIAS]
    meta = model._meta
    by_attname = {f.attname: f for f in meta.concrete_fields if not f.primary_key}
    fields = [by_attname[name] for name in attnames]
    for name in encoded:
        if not isinstance(by_attname[name], models.JSONField):
            raise ValueError(f"encoded: {name} is not a JSON field")
    convert = [None if f.attname in encoded else _converter(f, connection) for f in fields]
    ids = _reserve_ids(connection, meta.db_table, len(rows))
    columns = ", ".join(connection.ops.quote_name(c) for c in [meta.pk.column, *(f.column for f in fields)])
    table = connection.ops.quote_name(meta.db_table)
    converted = [(i, conv) for i, conv in enumerate(convert) if conv is not None]
    if connection.vendor == "postgresql":  # psycopg 3 (pyproject.toml): Cursor.copy streams; batch_size is for SQLite
        # COPY: one statement for all the rows. An INSERT per row (executemany with client-side binding) has the
        # server parse and plan every row and the driver quote every value into SQL text. Row triggers and
        # constraints apply to COPY as to INSERT (the statistics roll-up, foreign keys at commit).
        with connection.cursor() as cur, cur.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row, pk in zip(rows, ids, strict=True):
                values = [pk, *row]
                for i, conv in converted:
                    values[i + 1] = conv(row[i])
                copy.write_row(values)
        return ids
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * (len(fields) + 1))})"
    with connection.cursor() as cur:
        for start in range(0, len(rows), batch_size):
            batch = []
            for row, pk in zip(rows[start:start + batch_size], ids[start:start + batch_size], strict=True):
                values = [pk, *row]
                for i, conv in converted:
                    values[i + 1] = conv(row[i])
                batch.append(values)
            cur.executemany(sql, batch)
    return ids


def update_many(model, fields: tuple[str, ...], rows: list[tuple]) -> None:
    """UPDATE model SET fields… WHERE id = … for each row (values of ``fields``, then the id): one executemany.
    Values are converted by each field as ``QuerySet.update`` would (JSON, dates), and, as there, auto_now
    fields are left alone. Django's bulk_update builds one CASE expression per field instead, far slower here."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    sets = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in columns)
    sql = (f"UPDATE {connection.ops.quote_name(meta.db_table)} SET {sets} "  # noqa: S608 - names from the model
           f"WHERE {connection.ops.quote_name(meta.pk.column)} = %s")
    params = [[f.get_db_prep_save(value, connection) for f, value in zip(columns, row[:-1], strict=True)] + [row[-1]]
              for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
