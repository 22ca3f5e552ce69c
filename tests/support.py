"""Helpers shared by the server tests: the full-ID scanner (SECURITY.md D3), row fingerprints, savepoints.

The scanner looks for *valid* resident ID numbers (18 characters, GB 11643 check digit and birth date
right), not for any 18-digit run: hex digests (audit hashes, blind indexes, password hashes) contain
18-digit runs by chance often enough to make a bare regex flaky, but almost never a valid ID number.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Iterator
from contextvars import ContextVar
from urllib.parse import unquote_plus, urlencode

from django.db import connection, transaction
from django.test import Client
from django.utils.encoding import force_str

from dangjian.people import idnumber

FULL_ID_RE = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
MASKED_RE = re.compile(r"^\d{6}\*{8}\d{3}[\dX]$")

_allowed: ContextVar[bool] = ContextVar("full_id_allowed", default=False)


def full_ids_in(text: str | bytes) -> set[str]:
    """Every valid resident ID number in `text` (upper-cased)."""
    found = set()
    for m in FULL_ID_RE.finditer(force_str(text, errors="replace")):
        try:
            found.add(idnumber.parse(m.group()).number)
        except idnumber.IdNumberError:
            pass
    return found


@contextlib.contextmanager
def allow_full_id() -> Iterator[None]:
    """The one place a full number may be shown: the audited reveal, for a role allowed to ask."""
    token = _allowed.set(True)
    try:
        yield
    finally:
        _allowed.reset(token)


class FullIdLeak(AssertionError):
    pass


def _sent_text(path, data, kwargs) -> str:
    """What the request carried, decoded and folded like idnumber.normalize, to tell an echo from a leak."""
    parts = [force_str(path), force_str(data or "", errors="replace")]
    if kwargs.get("query_params"):
        parts.append(urlencode(kwargs["query_params"], doseq=True))
    parts.append(force_str(kwargs.get("QUERY_STRING", "")))
    text = unquote_plus(" ".join(parts))
    return unicodedata.normalize("NFKC", text).replace(" ", "").upper()


def install_response_scanner(monkeypatch) -> None:
    """Every response the Django test client gets must carry no full ID number, unless the request itself
    carried it (a form echoing what the user typed) or the test is inside `allow_full_id()`."""
    original = Client.generic

    def generic(self, method, path, data="", *args, **kwargs):
        response = original(self, method, path, data, *args, **kwargs)
        if _allowed.get() or getattr(response, "streaming", False):
            return response
        sent = _sent_text(path, data, kwargs)
        leaked = {n for n in full_ids_in(response.content) if n not in sent}
        if leaked:
            masked = sorted(idnumber.mask(n) for n in leaked)
            raise FullIdLeak(f"{method} {path} → {response.status_code} shows full ID numbers {masked}")
        return response

    monkeypatch.setattr(Client, "generic", generic)


@contextlib.contextmanager
def rolled_back() -> Iterator[None]:
    """Run a block in a savepoint and throw its writes away (many cases on one world, independently)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@contextlib.contextmanager
def demo_county(django_db_blocker, *, seed: int = 7) -> Iterator[dict]:
    """A small demo county for a whole module (generating takes seconds): inside a transaction rolled back when
    the module ends; each test still runs in its own savepoint (the `db` fixture). Yields generate()'s summary."""
    from dangjian.demo.generate import generate

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield generate(seed=seed, scale="small")
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def people_fingerprint() -> list[tuple]:
    """Every person row as it stands (what a refused write must leave untouched)."""
    from dangjian.people.models import Person

    return list(Person.objects.order_by("id").values_list(
        "id", "name", "org_path", "organization_id", "version", "id_number_hash", "phone", "education"))


def row_counts() -> dict[str, int]:
    from dangjian.core.models import ApiToken
    from dangjian.development.models import Dossier, Finding, StepRecord
    from dangjian.orgs.models import Organization, PasswordHistory, User
    from dangjian.people.models import Person

    models = (Person, Organization, User, PasswordHistory, ApiToken, Dossier, StepRecord, Finding)
    # One statement for all tables: the URL sweep counts before and after every one of its cases.
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {connection.ops.quote_name(m._meta.db_table)})"
                                for m in models)
    with connection.cursor() as cur:
        cur.execute(sql)
        counts = cur.fetchone()
    return {m.__name__: n for m, n in zip(models, counts, strict=True)}
