"""Dossiers (one per person in the pipeline), their step records, persisted findings and county settings."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dangjian.orgs.models import Organization
from dangjian.people.models import Person


class DossierStatus(models.TextChoices):
    NONE = "none", "群众"
    APPLICANT = "applicant", "入党申请人"
    ACTIVIST = "activist", "入党积极分子"
    CANDIDATE = "candidate", "发展对象"
    PROBATIONARY = "probationary", "预备党员"
    FULL_MEMBER = "full_member", "正式党员"
    CANCELLED = "cancelled", "取消预备党员资格"


class Tier(models.TextChoices):
    CURRENT_YEAR = "current_year", "当年计划发展"
    NEAR_TERM = "near_term", "近年计划发展"
    LONG_TERM = "long_term", "远期计划发展"


class Dossier(models.Model):
    """One person's development record (一人一档). Status, next step and computed dates are derived by the
    rule engine from the step records and stored for lists; they change only when a step is recorded."""

    SCOPE_PATH_FIELD = "org_path"

    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="dossier", verbose_name="人员")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="dossiers",
                                     verbose_name="所在党支部")
    org_path = models.CharField(max_length=160)
    status = models.CharField("状态", max_length=16, choices=DossierStatus.choices, default=DossierStatus.NONE)
    next_step = models.CharField("下一步", max_length=3, blank=True)
    computed = models.JSONField("计算日期", default=dict, blank=True)
    # What falls due, derived with the findings: [{"kind", "step", "date"}] for steps not yet recorded.
    due = models.JSONField("待办", default=list, blank=True)
    rule_version = models.CharField(max_length=16, blank=True)
    tier = models.CharField("发展梯次", max_length=16, choices=Tier.choices, blank=True)
    expected_departure = models.DateField("预计外出（离开本地）日期", null=True, blank=True)
    errors = models.PositiveIntegerField("违规数", default=0)
    warnings = models.PositiveIntegerField("提示数", default=0)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "发展党员档案"
        indexes = [models.Index(fields=["org_path", "status"], name="dossier_scope_status_idx")]

    def __str__(self) -> str:
        return f"{self.person.name}的发展档案"


class RecordMode(models.TextChoices):
    LIVE = "live", "按时记录"
    PAST = "past", "补录"


class StepRecord(models.Model):
    """One recorded step: the date it claims, its fields, and who entered it when (全程纪实)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="records")
    step = models.CharField("步骤", max_length=3)
    seq = models.PositiveSmallIntegerField("序号", default=1)
    date = models.DateField("日期")
    data = models.JSONField("内容", default=dict, blank=True)
    responsible_name = models.CharField("责任人", max_length=50, blank=True)
    responsible_role = models.CharField("责任人职务", max_length=50, blank=True)
    mode = models.CharField("记录方式", max_length=8, choices=RecordMode.choices, default=RecordMode.LIVE)
    entered_at = models.DateTimeField("录入时间")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    override_reason = models.TextField("违规放行理由", blank=True)
    override_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        verbose_name = "步骤记录"
        ordering = ["step", "seq"]
        constraints = [models.UniqueConstraint(fields=["dossier", "step", "seq"], name="step_record_unique")]

    def __str__(self) -> str:
        return f"{self.step}#{self.seq} {self.date}"

    @property
    def late_days(self) -> int:
        return (self.entered_at.date() - self.date).days


class Finding(models.Model):
    """A rule finding on a dossier, refreshed in the same transaction as every write to the dossier."""

    SCOPE_PATH_FIELD = "org_path"

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="findings")
    org_path = models.CharField(max_length=160)
    code = models.CharField("规则", max_length=32)
    severity = models.CharField("级别", max_length=1)
    step = models.CharField("步骤", max_length=3, blank=True)
    message = models.TextField("说明")
    source = models.CharField("依据", max_length=100, blank=True)
    provisional = models.BooleanField(default=False)

    class Meta:
        verbose_name = "问题"
        indexes = [models.Index(fields=["org_path", "code"], name="finding_scope_code_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.step}"


class CountyConfig(models.Model):
    """A county's rule settings (PROCEDURE §5 `config`), edited by the county admin."""

    county = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="rule_config")
    config = models.JSONField(default=dict)
    late_entry_days = models.PositiveSmallIntegerField("超过多少天录入视为补录", default=30)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    def __str__(self) -> str:
        return f"{self.county} 规则设置"
