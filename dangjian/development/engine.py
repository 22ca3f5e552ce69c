"""The bridge between stored dossiers and the pure rule engine (dangjian.rules). No rule lives here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from dangjian import rules
from dangjian.development.models import CountyConfig, Dossier, StepRecord
from dangjian.development.stepdefs import RecordView, assemble
from dangjian.orgs.models import Organization, OrgKind


def county_of(path: str) -> Organization | None:
    """The county an organization belongs to: the ancestor (or itself) of kind county."""
    prefixes = [path[:i] for i in range(4, len(path) + 1, 4)]
    return Organization.objects.filter(path__in=prefixes, kind=OrgKind.COUNTY).order_by("-depth").first()


def config_for(path: str) -> tuple[dict, int]:
    """The county's rule config (PROCEDURE §5) and its late-entry threshold in days."""
    county = county_of(path)
    row = CountyConfig.objects.filter(county=county).first() if county else None
    return (dict(row.config) if row else {}), (row.late_entry_days if row else 30)


class CountyConfigs:
    """``config_for`` for many organizations at once: every county and its settings read in two queries."""

    def __init__(self) -> None:
        self.counties = dict(Organization.objects.filter(kind=OrgKind.COUNTY).values_list("path", "id"))
        self.rows = {county_id: (dict(config), late) for county_id, config, late in
                     CountyConfig.objects.values_list("county_id", "config", "late_entry_days")}

    def for_path(self, path: str) -> tuple[dict, int]:
        """As ``config_for(path)``: the settings of the deepest county on the path (none: {} and 30 days)."""
        for i in range(len(path) - len(path) % 4, 3, -4):
            county_id = self.counties.get(path[:i])
            if county_id is not None:
                return self.rows.get(county_id, _NO_CONFIG)
        return _NO_CONFIG


_NO_CONFIG: tuple[dict, int] = ({}, 30)  # shared: callers read it, never change it


def _view(r: StepRecord) -> RecordView:
    return RecordView(step=r.step, seq=r.seq, date=r.date.isoformat(), data=r.data)


def document_for(dossier: Dossier, records: Iterable[StepRecord]) -> dict:
    return document_from(dossier.pk, dossier.person.birth_date, dossier.tier, dossier.expected_departure,
                         [_view(r) for r in records])


def document_from(dossier_id: int, birth_date: dt.date, tier: str, departure: dt.date | None,
                  records: list[RecordView]) -> dict:
    """The §5 dossier dict from a dossier's plain values (``document_for`` without model instances)."""
    return assemble(str(dossier_id), {"birth_date": birth_date.isoformat(), "near_relative_of_cadre": False,
                                      "tier": tier or None,
                                      "expected_departure": departure.isoformat() if departure else None},
                    records)


def evaluate(dossier: Dossier, records: Iterable[StepRecord], *, as_of: dt.date, config: dict) -> dict:
    """Run the engine on one dossier; returns the §5 result dict (status, next_step, computed, findings)."""
    return evaluate_many([document_for(dossier, records)], as_of=as_of, config=config)[0]


def evaluate_many(documents: list[dict], *, as_of: dt.date, config: dict) -> list[dict]:
    """Run the engine on many §5 dossier dicts under one county config: one call, the config read once.
    The registered fact providers (reviews, notices…) add what is not a step record first."""
    apply_facts(documents)
    return rules.check_document({"as_of": as_of.isoformat(), "config": config, "dossiers": documents})["results"]


# --- fact providers ----------------------------------------------------------------------------------
# Data the rules read that other apps hold (联审 replies, negative-list hits, the county's kinship approval and
# re-review, public notices). A provider takes the ids of saved dossiers and returns, per id, §5 keys to merge
# into the document (one query per provider per batch). Registered in the owning app's AppConfig.ready().
FactProvider = Callable[[list[int]], dict[int, dict]]
_PROVIDERS: list[FactProvider] = []


def register_facts(fn: FactProvider) -> FactProvider:
    """Add a fact provider (idempotent: registering the same function twice keeps one)."""
    if fn not in _PROVIDERS:
        _PROVIDERS.append(fn)
    return fn


def _merge(doc: dict, facts: dict) -> None:
    # Dicts merge key by key (a notice's {"publicity": …} into "candidate" keeps the step's other fields and
    # overrides the step form's own notice dates); "conversions" merges into the parts that exist of the last
    # conversion decisions (right-aligned), never creating a decision or a meeting; anything else replaces.
    for key, value in facts.items():
        if key == "conversions":
            have = doc.get("conversions") or []
            for mine, extra in zip(reversed(have), reversed(value), strict=False):
                for part, more in extra.items():
                    if isinstance(mine.get(part), dict):
                        _merge(mine[part], more)
        elif isinstance(value, dict) and isinstance(doc.get(key), dict):
            _merge(doc[key], value)
        else:
            doc[key] = value


def apply_facts(documents: list[dict]) -> None:
    """Merge every provider's facts into the documents (in place). Ids that are not ints (unsaved dossiers of
    a ledger import) get nothing."""
    if not _PROVIDERS or not documents:
        return
    by_id: dict[int, dict] = {}
    for doc in documents:
        raw = doc.get("id")
        if isinstance(raw, str) and raw.isdigit():
            by_id[int(raw)] = doc
    if not by_id:
        return
    ids = sorted(by_id)
    for provider in _PROVIDERS:
        for dossier_id, facts in provider(ids).items():
            if dossier_id in by_id and facts:
                _merge(by_id[dossier_id], facts)
