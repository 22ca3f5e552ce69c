"""Writes of the stats app: quotas (发展指标), the county's statistics settings, the roll-up rebuild.
One transaction each, audited by the service itself."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from dangjian.core.audit import Actor, audit_log
from dangjian.core.errors import NotAllowed, OutOfScope
from dangjian.core.scope import path_visible
from dangjian.orgs.models import Organization, OrgKind, Role
from dangjian.stats.models import Quota, StatsSettings
from dangjian.stats.rollup import rollup_rebuild

QUOTA_YEARS = (2000, 2100)


def quota_target_allowed(user, org: Organization) -> bool:
    """The county sets its townships' quotas (and may set villages'); a township organizer his villages'."""
    if user.organization is None or org.path == user.organization.path:
        return False
    if user.role == Role.COUNTY_ADMIN:
        return True
    return user.role == Role.TOWNSHIP_ORGANIZER and org.kind != OrgKind.TOWNSHIP


@transaction.atomic
def quota_set(*, actor: Actor, year: int, org_code: str, total, young) -> Quota:
    """Set (or change) one organization's quota for a year. Bad input: a Chinese message per field."""
    org = Organization.objects.filter(code=org_code).first()
    if org is None or not path_visible(actor.user, org.path):
        raise OutOfScope()
    if not quota_target_allowed(actor.user, org):
        raise NotAllowed("县委组织部下达乡镇的发展指标，乡镇党委下达所属村的发展指标")
    errors: dict[str, list[str]] = {}
    values = {}
    for field, label, raw in (("total", "发展指标", total), ("young", "其中35岁及以下", young)):
        try:
            values[field] = int(raw)
        except (TypeError, ValueError):
            errors[field] = [f"{label}：应为整数"]
            continue
        if values[field] < 0:
            errors[field] = [f"{label}：不能为负数"]
    if not isinstance(year, int) or not QUOTA_YEARS[0] <= year <= QUOTA_YEARS[1]:
        errors["year"] = ["年度：应为 2000 至 2100 之间的年份"]
    if not errors and values["young"] > values["total"]:
        errors["young"] = [f"其中35岁及以下：{values['young']} 超过发展指标 {values['total']}"]
    if errors:
        raise ValidationError(errors)
    quota = Quota.objects.select_for_update().filter(year=year, organization=org).first()
    before = {"total": quota.total, "young": quota.young} if quota else None
    if quota is None:
        quota = Quota(year=year, organization=org, org_path=org.path)
    quota.total, quota.young, quota.updated_by = values["total"], values["young"], actor.user
    quota.full_clean(exclude=["organization", "updated_by"])
    quota.save()
    audit_log(actor=actor, action="quota.set", obj_type="organization", obj_id=org.code, before=before,
              after={"year": year, **values})
    return quota


SETTING_FIELDS = {"dormant_years": ("长期未发展（年）", 1, 10), "warn_years": ("预警（年）", 1, 10),
                  "warn_months": ("即将到期提前（月）", 1, 36), "soon_months": ("即将到线提示（月）", 1, 36),
                  "rush_days": ("集中发展天数", 1, 60), "rush_count": ("集中发展人数", 2, 100),
                  "rush_town_count": ("集中发展人数（乡镇）", 2, 500)}


@transaction.atomic
def stats_settings_update(*, actor: Actor, county: Organization, values: dict) -> StatsSettings:
    """The county admin sets the dormant-village windows and the rush-admission thresholds."""
    if not path_visible(actor.user, county.path):
        raise OutOfScope()
    if actor.user.role != Role.COUNTY_ADMIN or county.kind != OrgKind.COUNTY:
        raise NotAllowed("只有县委组织部管理员可以修改统计设置")
    errors: dict[str, list[str]] = {}
    clean: dict = {}
    # A value not given keeps the county's current one (the page always sends all of them).
    current = StatsSettings.objects.filter(county=county).first() or StatsSettings(county=county)
    values = {f: getattr(current, f) for f in [*SETTING_FIELDS, "rush_ratio"]} | dict(values)
    for field, (label, lo, hi) in SETTING_FIELDS.items():
        try:
            clean[field] = int(values.get(field))
        except (TypeError, ValueError):
            errors[field] = [f"{label}：应为整数"]
            continue
        if not lo <= clean[field] <= hi:
            errors[field] = [f"{label}：应在 {lo} 至 {hi} 之间"]
    try:
        clean["rush_ratio"] = Decimal(str(values.get("rush_ratio")))
        if not Decimal("1") <= clean["rush_ratio"] <= Decimal("10"):
            errors["rush_ratio"] = ["超指标倍数：应在 1 至 10 之间"]
    except (InvalidOperation, ValueError):
        errors["rush_ratio"] = ["超指标倍数：应为数字，如 1.5"]
    if not errors and clean["warn_years"] >= clean["dormant_years"]:
        errors["warn_years"] = ["预警（年）：应少于长期未发展（年）"]
    if errors:
        raise ValidationError(errors)
    row, _ = StatsSettings.objects.select_for_update().get_or_create(county=county)
    before = {f: str(getattr(row, f)) for f in clean}
    for f, v in clean.items():
        setattr(row, f, v)
    row.updated_by = actor.user
    row.save()
    audit_log(actor=actor, action="stats.settings", obj_type="organization", obj_id=county.code, before=before,
              after={f: str(v) for f, v in clean.items()})
    return row


def stats_rebuild(*, actor: Actor) -> int:
    """Recompute the roll-up from the person registry (`dangjian stats rebuild`); audited."""
    with transaction.atomic():
        n = rollup_rebuild()
        audit_log(actor=actor, action="stats.rebuild", detail={"rows": n})
    return n
