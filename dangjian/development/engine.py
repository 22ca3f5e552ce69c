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


def _view(r: StepRecord) -> RecordView:
    return RecordView(step=r.step, seq=r.seq, date=r.date.isoformat(), data=r.data)


def document_for(dossier: Dossier, records: Iterable[StepRecord]) -> dict:
    person = dossier.person
    departure = dossier.expected_departure
    return assemble(str(dossier.pk), {"birth_date": person.birth_date.isoformat(), "near_relative_of_cadre": False,
                                      "tier": dossier.tier or None,
                                      "expected_departure": departure.isoformat() if departure else None},
                    [_view(r) for r in records])


def evaluate(dossier: Dossier, records: Iterable[StepRecord], *, as_of: dt.date, config: dict) -> dict:
    """Run the engine on one dossier; returns the §5 result dict (status, next_step, computed, findings)."""
    doc = {"as_of": as_of.isoformat(), "config": config, "dossiers": [document_for(dossier, records)]}
    return rules.check_document(doc)["results"][0]
