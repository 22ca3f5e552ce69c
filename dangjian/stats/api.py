"""/api/stats/{code}: the structure statistics of an organization's subtree (the same figures as the page)."""

from __future__ import annotations

import datetime as dt

from ninja import Router

from dangjian.core import clock
from dangjian.stats.report import summary_text
from dangjian.stats.selectors import root_org, structure

router = Router(tags=["统计"])


@router.get("/stats/{code}", response=dict, summary="党员队伍结构统计（本组织及下级）")
def stats_structure(request, code: str, as_of: dt.date | None = None, start: dt.date | None = None,
                    end: dt.date | None = None):
    org = root_org(user=request.user, code=code)
    as_of = as_of or clock.today()
    end = end or as_of
    start = start or dt.date(end.year, 1, 1)
    if start > end:
        from django.core.exceptions import ValidationError

        raise ValidationError({"start": [f"发展党员期间自：{start} 晚于截止日期 {end}"]})
    f = structure(user=request.user, org=org, as_of=as_of, start=start, end=end)
    return {"organization": {"code": org.code, "name": org.name}, "as_of": as_of, "from": start, "to": end,
            "figures": f, "text": summary_text(org, f, as_of, start, end)}
