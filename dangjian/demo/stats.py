"""Demo data of the stats app: this year's quotas for the demo county's townships and their villages, then
a roll-up rebuild (the triggers kept it current during generation; a rebuild also clears anything a flush
before it left behind)."""

from __future__ import annotations

import datetime as dt
import random

from dangjian.orgs.models import Organization, OrgKind
from dangjian.stats.models import Quota
from dangjian.stats.rollup import rollup_rebuild


def demo_stats(*, rng: random.Random, county: Organization, today: dt.date) -> None:
    from dangjian.stats.selectors import villages

    class _All:  # the generator runs as the system: every organization of the county
        is_authenticated = is_active = True
        organization = county

    quotas = []
    for town in Organization.objects.filter(parent=county, kind=OrgKind.TOWNSHIP).order_by("path"):
        vs = villages(user=_All(), org=town)
        per_village = [rng.choice((0, 1, 1, 1, 2)) for _ in vs]
        quotas += [Quota(year=today.year, organization=v, org_path=v.path, total=n, young=min(n, 1))
                   for v, n in zip(vs, per_village, strict=True)]
        total = max(sum(per_village), 3)
        quotas.append(Quota(year=today.year, organization=town, org_path=town.path, total=total,
                            young=round(total * 0.6)))
    Quota.objects.bulk_create(quotas, batch_size=1000)
    rollup_rebuild()
