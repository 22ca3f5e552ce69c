from __future__ import annotations

from dangjian.core.models import Installation


def site(request) -> dict:
    """The demo banner: shown on every page of a demo installation."""
    inst = Installation.objects.order_by("id").values("is_demo").first()
    return {"is_demo": bool(inst and inst["is_demo"])}
