"""The bridge between stored dossiers and the pure rule engine (dangjian.rules). No rule lives here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

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
    """Run the engine on many §5 dossier dicts under one county config: one call, the config read once."""
    return rules.check_document({"as_of": as_of.isoformat(), "config": config, "dossiers": documents})["results"]
