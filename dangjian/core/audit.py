"""The audit log (SECURITY.md C1–C2), written by the services themselves, not by signals.

Every write (before/after), and every view, search and export of personal data, calls `audit_log`
inside the same transaction as the thing it records. Rows are hash-chained; writers serialize on the
chain's head (an advisory lock on PostgreSQL; SQLite's IMMEDIATE transactions already serialize writers).
No full ID number may be passed in: `scrub` masks anything shaped like one, as a last line of defence.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

from dangjian.core import clock
from dangjian.core.bulk import insert_rows
from dangjian.core.models import AuditEntry

GENESIS = "0" * 64
_ID_RE = re.compile(r"(?<!\d)(\d{6})\d{8}(\d{3}[\dXx])(?!\d)")
_CHAIN_LOCK_KEY = 0x64616E67  # "dang"


@dataclass(frozen=True)
class Actor:
    """Who acts and from where; built from the request (web, API) or the CLI."""

    user: Any = None
    ip: str = ""
    request_id: str = ""

    @property
    def username(self) -> str:
        return getattr(self.user, "username", "") or ""

    @property
    def org_code(self) -> str:
        org = getattr(self.user, "organization", None)
        return org.code if org is not None else ""


def actor_from_request(request) -> Actor:
    user = getattr(request, "user", None)
    return Actor(
        user=user if (user is not None and user.is_authenticated) else None,
        ip=request.META.get("REMOTE_ADDR", "") or "",
        request_id=getattr(request, "request_id", ""),
    )


def _plain(value: Any) -> Any:
    """JSON-safe copy (dates as ISO strings), so the hashed payload equals what the database returns."""
    return None if value is None else json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def scrub(value: Any) -> Any:
    """Mask anything shaped like an 18-digit ID number, recursively."""
    if isinstance(value, str):
        return _ID_RE.sub(lambda m: f"{m.group(1)}********{m.group(2)}", value)
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    return value


def clean(value: Any) -> Any:
    """`scrub(_plain(value))` in one walk for the shapes audit payloads have (dicts with text keys, lists, text,
    numbers, dates); anything else takes the JSON round trip. Bulk paths call this for 100,000 rows."""
    t = type(value)
    if t is str:
        return scrub(value) if len(value) >= 18 else value  # an ID number has 18 characters
    if value is None or t is int or t is float or t is bool:
        return value
    if t is dt.date:
        return value.isoformat()
    if t is dict:
        out = {}
        for k, v in value.items():  # the scalar cases inline: a call per value costs more than the value
            if type(k) is not str:
                return scrub(_plain(value))
            tv = type(v)
            if v is None or tv is int or tv is bool or tv is float:
                out[k] = v
            elif tv is str:
                out[k] = scrub(v) if len(v) >= 18 else v
            elif tv is dt.date:
                out[k] = v.isoformat()
            else:
                out[k] = clean(v)
        return out
    if t is list or t is tuple:
        return [clean(v) for v in value]
    return scrub(_plain(value))


_PAYLOAD_FIELDS = ("at", "user_id", "username", "org_code", "ip", "request_id", "action", "object_type",
                   "object_id", "result", "before", "after", "detail")


# What `_row_payload`'s json.dumps(…) builds on every call, built once.
_PAYLOAD_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def _payload_hash(prev_hash: str, values: dict) -> str:
    # Exactly `compute_hash` of the entry these values make (`at` an aware UTC datetime).
    data = {k: values[k] for k in _PAYLOAD_FIELDS}
    data["at"] = values["at"].isoformat()
    return hashlib.sha256((prev_hash + _PAYLOAD_ENCODER.encode(data)).encode()).hexdigest()


def _row_payload(e: AuditEntry) -> str:
    data = {
        "at": e.at.isoformat(),
        "user_id": e.user_id,
        "username": e.username,
        "org_code": e.org_code,
        "ip": e.ip,
        "request_id": e.request_id,
        "action": e.action,
        "object_type": e.object_type,
        "object_id": e.object_id,
        "result": e.result,
        "before": e.before,
        "after": e.after,
        "detail": e.detail,
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def compute_hash(prev_hash: str, entry: AuditEntry) -> str:
    return hashlib.sha256((prev_hash + _row_payload(entry)).encode()).hexdigest()


def _lock_chain_head() -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
    last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
    return last or GENESIS


def _build(actor: Actor | None, action: str, obj_type: str, obj_id: Any, result: str,
           before: Any, after: Any, detail: Any) -> AuditEntry:
    actor = actor or Actor()
    at = clock.now().astimezone(dt.UTC)
    return AuditEntry(
        at=at,
        user=actor.user,
        username=actor.username,
        org_code=actor.org_code,
        ip=actor.ip,
        request_id=actor.request_id,
        action=action,
        object_type=obj_type,
        object_id="" if obj_id is None else str(obj_id),
        result=result,
        before=clean(before),
        after=clean(after),
        detail=clean(detail),
    )


@transaction.atomic
def audit_log(*, actor: Actor | None, action: str, obj_type: str = "", obj_id: Any = None,
              result: str = "ok", before: Any = None, after: Any = None, detail: Any = None) -> AuditEntry:
    """Append one row to the audit chain (inside the caller's transaction, if any)."""
    entry = _build(actor, action, obj_type, obj_id, result, before, after, detail)
    entry.prev_hash = _lock_chain_head()
    entry.hash = compute_hash(entry.prev_hash, entry)
    entry.save(force_insert=True)
    return entry


@transaction.atomic
def audit_log_bulk(*, actor: Actor | None, rows: list[dict[str, Any]]) -> int:
    """Append many rows at once (bulk paths: imports, demo generation). Each row: action, obj_type, obj_id…
    Built as plain values, not model instances (the same columns and hashes `audit_log` writes).

    Each JSON payload is encoded once, canonically (sorted keys, compact, UTF-8): the hashed text is put together
    from those pieces (what `compute_hash` encodes, piece for piece) and the same text is what the JSON columns
    store — the value read back, and so the hash `audit_verify` recomputes, is the one a model save stores."""
    actor = actor or Actor()
    user_id = actor.user.pk if actor.user is not None else None
    enc = _PAYLOAD_ENCODER.encode
    common = {"user_id": user_id, "username": actor.username, "org_code": actor.org_code, "ip": actor.ip,
              "request_id": actor.request_id}
    # Sorted keys: action, after, at, before, detail, ip, object_id, object_type, org_code, request_id, result,
    # user_id, username. The actor's part is the same on every row.
    ip_part = f',"ip":{enc(actor.ip)},"object_id":'
    tail = (f',"org_code":{enc(actor.org_code)},"request_id":{enc(actor.request_id)},"result":')
    end = f',"user_id":{enc(user_id)},"username":{enc(actor.username)}}}'
    texts: dict[str, str] = {}  # action, object type, result → their JSON (a few distinct ones)

    def word(value: str) -> str:
        got = texts.get(value)
        if got is None:
            got = texts[value] = enc(value)
        return got

    prev = _lock_chain_head()
    values = []
    sha256 = hashlib.sha256
    # One time for the rows one call writes (one statement): what they record happened in this one step.
    at = clock.now().astimezone(dt.UTC)
    at_part = f',"at":"{at.isoformat()}","before":'
    for row in rows:
        obj_id = row.get("obj_id")
        object_id = "" if obj_id is None else str(obj_id)
        action, object_type, result = row["action"], row.get("obj_type", ""), row.get("result", "ok")
        before, after, detail = clean(row.get("before")), clean(row.get("after")), clean(row.get("detail"))
        j_before = None if before is None else enc(before)
        j_after = None if after is None else enc(after)
        j_detail = None if detail is None else enc(detail)
        payload = (f'{{"action":{word(action)},"after":{j_after or "null"}{at_part}{j_before or "null"},'
                   f'"detail":{j_detail or "null"}{ip_part}{enc(object_id)},'
                   f'"object_type":{word(object_type)}{tail}{word(result)}{end}')
        digest = sha256((prev + payload).encode()).hexdigest()
        values.append([at, *common.values(), action, object_type, object_id, result, j_before, j_after, j_detail,
                       prev, digest])
        prev = digest
    if values:
        names = ["at", *common, "action", "object_type", "object_id", "result", "before", "after", "detail",
                 "prev_hash", "hash"]
        # plain executemany: Django's bulk_create (or model instances) would cost more than the hashing
        insert_rows(AuditEntry, names, values, encoded=("before", "after", "detail"))
    return len(values)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    reason: str = ""


def audit_verify() -> VerifyResult:
    """Recompute the chain; report the first row whose content or link does not match."""
    prev = GENESIS
    checked = 0
    for e in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        if e.prev_hash != prev:
            return VerifyResult(False, checked, e.id, "prev_hash 与上一条记录不符（记录被删除或插入）")
        if compute_hash(prev, e) != e.hash:
            return VerifyResult(False, checked, e.id, "内容与哈希不符（记录被修改）")
        prev = e.hash
        checked += 1
    return VerifyResult(True, checked)
