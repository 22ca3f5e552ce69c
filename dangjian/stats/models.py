"""Roll-up counts of the person registry, quotas (发展指标) and the county's statistics settings.

The roll-up (`Rollup`) is written only by database triggers on people_person (migration 0002), so every
write to people — a form, the API, an import's executemany, a queryset .update(), the demo — keeps it
current in its own transaction. See docs/stats.md for what each figure means and how it is computed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dangjian.orgs.models import Organization

# The roll-up counts people per "unit": their organization path cut to this many 4-digit segments (the
# triggers hard-code it: 3 segments = 12 characters). A subtree whose root path is at most this long is summed
# from the roll-up; a deeper (smaller) subtree is counted fresh from people_person (a few thousand rows at most).
ROLLUP_SEGMENTS = 3
ROLLUP_PATH_LEN = 4 * ROLLUP_SEGMENTS


class Dim(models.TextChoices):
    ALL = "all", "合计"
    GENDER = "gender", "性别"
    EDU = "edu", "学历"
    MINORITY = "minority", "少数民族"
    RURAL = "rural", "农村（农业户籍）"
    BIRTH_YEAR = "birth_year", "出生年份"
    JOINED_YEAR = "joined_year", "入党年份"


class Rollup(models.Model):
    """Count of people per (unit path, 政治面貌, dimension, value). Marginals, not a cross-tabulation: every
    figure of docs/stats.md is a marginal, and the joint key would have about as many rows as people."""

    org_path = models.CharField(max_length=160)
    party_status = models.CharField(max_length=16)
    dim = models.CharField(max_length=16)
    val = models.CharField(max_length=32)
    n = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "统计汇总"
        constraints = [models.UniqueConstraint(fields=["org_path", "party_status", "dim", "val"],
                                               name="stats_rollup_key")]

    def __str__(self) -> str:
        return f"{self.org_path} {self.party_status} {self.dim}={self.val}: {self.n}"


class RollupDelta(models.Model):
    """PostgreSQL only: the triggers append rows here (±1 a person deleted or changed, an INSERT statement's
    count per key) instead of updating `Rollup` in place. Updating one
    row many times in one transaction makes PostgreSQL walk an ever longer chain of row versions (a 20,000-row
    import took 147 s instead of 2 s), and concurrent writers would queue on the same rows. Appends cost neither;
    reads add these rows to `Rollup`'s, and `rollup_compact` (dangjian stats compact, nightly) folds them in."""

    org_path = models.CharField(max_length=160)
    party_status = models.CharField(max_length=16)
    dim = models.CharField(max_length=16)
    val = models.CharField(max_length=32)
    n = models.IntegerField()  # ±1 a row (deletes, updates), or an INSERT statement's count (rollup.py)

    class Meta:
        verbose_name = "统计汇总增量"
        indexes = [models.Index(fields=["org_path"], name="stats_delta_path_idx")]

    def __str__(self) -> str:
        return f"{self.org_path} {self.party_status} {self.dim}={self.val}: {self.n:+d}"


class StatsSettings(models.Model):
    """A county's thresholds for the dormant-village board and the rush-admission flags (细则第3条)."""

    county = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="stats_settings")
    dormant_years = models.PositiveSmallIntegerField("长期未发展（年）", default=3)
    warn_years = models.PositiveSmallIntegerField("预警（年）", default=2)
    warn_months = models.PositiveSmallIntegerField("即将到期提前（月）", default=12)
    # The board's "will cross within N months" mark (6个月内到线) of either line, beside the 12-month yellow.
    soon_months = models.PositiveSmallIntegerField("即将到线提示（月）", default=6)
    rush_ratio = models.DecimalField("超指标倍数", max_digits=4, decimal_places=2, default=1.5)
    rush_days = models.PositiveSmallIntegerField("集中发展天数", default=7)
    rush_count = models.PositiveSmallIntegerField("集中发展人数", default=3)
    # 细则第3条 speaks of a branch or township: the same `rush_days` window over a whole township, whose many
    # branches admit more in a few days than one branch does without anything being amiss.
    rush_town_count = models.PositiveSmallIntegerField("集中发展人数（乡镇）", default=10)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    def __str__(self) -> str:
        return f"{self.county} 统计设置"


class Quota(models.Model):
    """发展指标: the number of new members planned for an organization in a year, and how many of them 35 or
    under (age at the admission meeting, PROCEDURE §4 L-QUOTA). The county sets townships', a township its
    villages'."""

    SCOPE_PATH_FIELD = "org_path"

    year = models.PositiveSmallIntegerField("年度")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="quotas",
                                     verbose_name="党组织")
    org_path = models.CharField(max_length=160)
    total = models.PositiveIntegerField("发展指标")
    young = models.PositiveIntegerField("其中35岁及以下", default=0)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = "发展指标"
        constraints = [models.UniqueConstraint(fields=["year", "organization"], name="stats_quota_unique")]
        indexes = [models.Index(fields=["year", "org_path"], name="stats_quota_scope_idx")]

    def __str__(self) -> str:
        return f"{self.year} {self.organization} {self.total}"
