"""Reads for ledgers: the user's jobs, and the rows of each standard ledger in the user's scope — always from
`visible_to(user)`. Export rows carry the same columns as the import templates, so an exported ledger imports
back unchanged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from dangjian.core import crypto
from dangjian.core.errors import OutOfScope
from dangjian.core.scope import subtree_q, visible_to
from dangjian.development.models import Dossier
from dangjian.development.stepdefs import STEP_DEFS
from dangjian.ledgers.columns import COLUMNS, KIND_STEP, TEMPLATES
from dangjian.ledgers.models import LedgerJob
from dangjian.orgs.models import Organization
from dangjian.people.models import Education, Gender, HouseholdType, Occupation, PartyStatus, Person


def job_list(*, user) -> QuerySet[LedgerJob]:
    """The user's own jobs (an upload is personal data of the one who made it), inside his scope."""
    if user is None or not user.is_authenticated:
        return LedgerJob.objects.none()
    return visible_to(user, LedgerJob).filter(created_by=user).order_by("-id")


def job_get(*, user, job_id: int) -> LedgerJob:
    job = job_list(user=user).filter(pk=job_id).first()
    if job is None:
        raise OutOfScope()
    return job


def export_org(*, user, code: str) -> Organization:
    """The organization whose subtree is exported: the user's own by default, or one inside it."""
    if not code:
        org = getattr(user, "organization", None)
        if org is None:
            raise OutOfScope()
        return org
    org = visible_to(user, Organization).filter(code=code).first()
    if org is None:
        raise OutOfScope()
    return org


_LABELS = {"gender": dict(Gender.choices), "education": dict(Education.choices),
           "household_type": dict(HouseholdType.choices)}
_OCC = dict(Occupation.choices)


def _person_values(p: dict, reveal: bool) -> dict[str, Any]:
    return {"name": p["name"], "gender": _LABELS["gender"].get(p["gender"], ""), "ethnicity": p["ethnicity"],
            "id_number": crypto.decrypt(p["id_number_enc"]) if reveal else p["id_number_masked"],
            "birth_date": p["birth_date"], "education": _LABELS["education"].get(p["education"], ""),
            "household_type": _LABELS["household_type"].get(p["household_type"], ""),
            "occupations": "、".join(_OCC.get(o, o) for o in (p["occupations"] or "").split()),
            "phone": p["phone"], "org": p["organization__name"]}


_PERSON_VALUES = ("id", "name", "gender", "ethnicity", "id_number_enc", "id_number_masked", "birth_date", "education",
                  "household_type", "occupations", "phone", "organization__name", "party_status", "status_date")


def export_count(*, user, kind: str, org: Organization) -> int:
    return _base(user, kind, org).count()


def _base(user, kind: str, org: Organization) -> QuerySet:
    if kind in KIND_STEP:
        return visible_to(user, Dossier).filter(subtree_q(org.path, "org_path"), status=kind)
    people = visible_to(user, Person).filter(subtree_q(org.path, "org_path"))
    if kind == "members":
        return people.filter(party_status__in=[PartyStatus.FULL_MEMBER, PartyStatus.PROBATIONARY])
    return people.filter(ledger_note__reserve_since__isnull=False, party_status=PartyStatus.NONE)


def export_rows(*, user, kind: str, org: Organization, reveal: bool) -> Iterator[list]:
    """The ledger's rows for the organization's subtree (inside the user's scope), in organization order.
    Streams: a chunk of rows at a time, never the whole ledger in memory."""
    cols = TEMPLATES[kind]
    n = 0
    if kind in KIND_STEP:
        qs = (_base(user, kind, org).select_related("person", "organization")
              .prefetch_related("records").order_by("org_path", "id"))
        for d in qs.iterator(chunk_size=1000):
            p = d.person
            n += 1
            values = _person_values({"name": p.name, "gender": p.gender, "ethnicity": p.ethnicity,
                                     "id_number_enc": p.id_number_enc, "id_number_masked": p.id_number_masked,
                                     "birth_date": p.birth_date, "education": p.education,
                                     "household_type": p.household_type, "occupations": p.occupations,
                                     "phone": p.phone, "organization__name": d.organization.name}, reveal)
            values.update(_step_values(list(d.records.all())))
            values["seq"] = n
            yield [values.get(c.key) for c in cols]
        return
    fields = _PERSON_VALUES + ("ledger_note__reserve_since", "ledger_note__joined_on", "ledger_note__remark")
    for p in _base(user, kind, org).order_by("org_path", "id").values(*fields).iterator(chunk_size=2000):
        n += 1
        values = _person_values(p, reveal)
        values.update(seq=n, reserve_since=p["ledger_note__reserve_since"], remark=p["ledger_note__remark"] or "",
                      joined_on=p["ledger_note__joined_on"])
        if kind == "members":
            full = p["party_status"] == PartyStatus.FULL_MEMBER
            values["member_kind"] = "正式党员" if full else "预备党员"
            values["full_on"] = p["status_date"] if full else None
            if not full:
                values["joined_on"] = values["joined_on"] or p["status_date"]
        yield [values.get(c.key) for c in cols]


def _label(step: str, fname: str, value: Any) -> Any:
    f = next((f for f in STEP_DEFS[step].fields if f.name == fname), None)
    if f is None or not f.choices:
        return value
    labels = dict(f.choices)
    if isinstance(value, list):
        return "、".join(labels.get(v, v) for v in value)
    return labels.get(value, value)


def _step_values(records: list) -> dict[str, Any]:
    out: dict[str, Any] = {}
    by_step: dict[str, list] = {}
    for r in sorted(records, key=lambda r: (r.step, r.seq)):
        by_step.setdefault(r.step, []).append(r)
    for step, recs in by_step.items():
        if step not in COLUMNS:
            continue
        if COLUMNS[step].kind == "dates":
            out[step] = "、".join(r.date.isoformat() for r in recs)
            continue
        r = recs[-1]
        out[step] = r.date
        for key, col in COLUMNS.items():
            if not key.startswith(step + "."):
                continue
            fname = key.split(".", 1)[1]
            if fname in ("mentors", "introducers"):
                prefix = "mentor" if fname == "mentors" else "introducer"
                out[key] = "、".join(r.data[f"{prefix}{i}_name"] for i in (1, 2) if r.data.get(f"{prefix}{i}_name"))
            elif col.kind in ("date",) and r.data.get(fname):
                out[key] = _date(r.data[fname])
            elif fname in r.data:
                out[key] = _label(step, fname, r.data[fname])
    return out


def _date(value):
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else value
    except ValueError:
        return value
