"""Ledger jobs (an upload on its way through mapping, preview and commit; a check-up; an export) and what the
reserve ledger and the member roster know about a person that the registry does not hold."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dangjian.people.models import Person


class JobPurpose(models.TextChoices):
    IMPORT = "import", "导入"
    CHECK = "check", "体检"
    EXPORT = "export", "导出"


class JobState(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    MAPPING = "mapping", "待确认列"
    PREVIEW = "preview", "待确认导入"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"
    CANCELLED = "cancelled", "已取消"


class LedgerJob(models.Model):
    """One import, check-up or export. Its work runs outside the web request (`dangjian ledger run-job ID`, a
    separate process), so nothing here assumes one process: the state, the progress and the result live in
    this row; the uploaded file and the produced workbook live under var/ledgers/ and are deleted after use.

    An import passes through: queued/running (reading the file) → mapping (the user confirms the columns)
    → queued/running (validating) → preview (the user reads it and commits) → queued/running (writing, one
    transaction) → done. Any step may end in failed; the user may cancel while waiting."""

    SCOPE_PATH_FIELD = "org_path"

    purpose = models.CharField("用途", max_length=8, choices=JobPurpose.choices)
    kind = models.CharField("台账类型", max_length=16, blank=True)
    state = models.CharField("状态", max_length=12, choices=JobState.choices, default=JobState.QUEUED)
    phase = models.CharField("阶段", max_length=16, blank=True)  # inspect | preview | commit | check | export
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    org_path = models.CharField(max_length=160)  # the creator's organization when the job was made
    default_org = models.CharField("默认组织代码", max_length=32, blank=True)
    filename = models.CharField("文件名", max_length=200, blank=True)
    upload_path = models.CharField(max_length=300, blank=True)  # under var/ledgers/, relative
    result_path = models.CharField(max_length=300, blank=True)
    options = models.JSONField(default=dict, blank=True)  # export: {"org", "reveal_ids"}
    mapping = models.JSONField(default=dict, blank=True)  # {"column index": key}
    table = models.JSONField(default=dict, blank=True)  # what the inspection found (headers, sample rows)
    result = models.JSONField(default=dict, blank=True)  # summary: counts, errors, warnings, findings
    message = models.TextField("说明", blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    pid = models.IntegerField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "台账任务"
        indexes = [models.Index(fields=["created_by", "-id"], name="ledgerjob_user_idx")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} #{self.pk} {self.filename}"

    @property
    def percent(self) -> int:
        return min(100, int(100 * self.done / self.total)) if self.total else 0

    @property
    def kind_label(self) -> str:
        from dangjian.ledgers.columns import KINDS

        return KINDS.get(self.kind, "")

    @property
    def busy(self) -> bool:
        return self.state in (JobState.QUEUED, JobState.RUNNING)


class LedgerNote(models.Model):
    """The reserve ledger's 列入时间 and the member roster's 入党时间 of a person (the registry keeps only the
    current status and its date), with the remark column. Written by ledger imports, read by exports; always
    reached through the person (whose organization path is the scope), never on its own."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="ledger_note")
    reserve_since = models.DateField("列入后备力量时间", null=True, blank=True)
    joined_on = models.DateField("入党时间", null=True, blank=True)
    remark = models.CharField("备注", max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "台账补充信息"

    def __str__(self) -> str:
        return f"{self.person_id} 台账信息"
