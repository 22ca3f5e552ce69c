"""入党介绍人的同时介绍人数 (N-INTRODUCER-LOAD's ``open_candidates``), from the stored step records.

An introducer is named by name in a dossier's S09 record; names are unique enough inside one branch (the rule
is about a member of that branch), so the count is per organization. A dossier is an *open candidate* from
its S07 (确定发展对象; S09 when S07 is missing) until its S17 approval (exclusive; still open when there is
none). ``open_candidates`` of an introducer in a dossier = the dossiers of the same organization naming him in
S09 whose open periods overlap this dossier's — itself included — so a historical dossier is judged by the
candidates open at its own time, not by today's. Registered as a fact provider (development.engine), so the
same count reaches step recording, recheck and the API.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from dangjian.development.models import Dossier, StepRecord
from dangjian.development.stepdefs import introducers_of

_FAR = dt.date.max
STEPS = ("S07", "S09", "S17")  # the steps whose records change the counts


def _names(data: dict) -> list[str]:
    return [n for n in (data.get("introducer1_name"), data.get("introducer2_name")) if n]


def _periods(org_ids: set[int]) -> dict[int, dict]:
    """Per dossier of these organizations that names introducers: org, S09 data, open period (start, end)."""
    out: dict[int, dict] = {}
    rows = (StepRecord.objects.filter(dossier__organization_id__in=org_ids, step__in=STEPS)
            .order_by("dossier_id", "step", "seq")
            .values_list("dossier_id", "dossier__organization_id", "step", "date", "data"))
    for dossier_id, org_id, step, date, data in rows:
        item = out.setdefault(dossier_id, {"org": org_id, "S07": None, "S09": None, "S17": None, "data": None})
        item[step] = date
        if step == "S09":
            item["data"] = data
    return {k: v for k, v in out.items() if v["data"] is not None}


def introducer_facts(dossier_ids: list[int]) -> dict[int, dict]:
    """The fact provider: ``{"introducers": [...]}`` with computed ``open_candidates`` for each dossier that
    has an S09 record (two queries per batch)."""
    orgs = set(Dossier.objects.filter(pk__in=dossier_ids, records__step="S09")
               .values_list("organization_id", flat=True))
    if not orgs:
        return {}
    periods = _periods(orgs)
    by_name: dict[tuple[int, str], list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for item in periods.values():
        start, end = item["S07"] or item["S09"], item["S17"] or _FAR
        for name in _names(item["data"]):
            by_name[(item["org"], name)].append((start, end))
    facts: dict[int, dict] = {}
    for dossier_id in dossier_ids:
        item = periods.get(dossier_id)
        if item is None:
            continue
        start, end = item["S07"] or item["S09"], item["S17"] or _FAR
        load = {name: sum(1 for s, e in by_name[(item["org"], name)] if s < end and start < e) or 1
                for name in _names(item["data"])}
        facts[dossier_id] = {"introducers": introducers_of(item["data"], load)}
    return facts


def sharing_introducers(dossier_id: int) -> list[int]:
    """The other dossiers of the same organization naming one of this dossier's introducers (whose counts
    change when this one's S07, S09 or S17 does)."""
    dossier = Dossier.objects.filter(pk=dossier_id).values_list("organization_id", flat=True).first()
    if dossier is None:
        return []
    periods = _periods({dossier})
    mine = set(_names(periods[dossier_id]["data"])) if dossier_id in periods else set()
    return sorted(k for k, v in periods.items() if k != dossier_id and mine & set(_names(v["data"])))
