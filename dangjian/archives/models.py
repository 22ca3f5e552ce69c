"""一人一档: the county's material checklist, scanned files, archive audit rounds (提级审查/督查), the sampled
archives and the problems found in them, with their rectification (整改). See docs/archives.md."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dangjian.archives.catalogue import PROBLEM_TYPES, RESPONSIBILITY
from dangjian.development.models import Dossier, Finding
from dangjian.orgs.models import Organization


class ChecklistItem(models.Model):
    """One material a step must leave in the archive, as the county has set it (default: PROCEDURE §7).
    A county without rows uses the default list."""

    county = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="archive_checklist")
    step = models.CharField("步骤", max_length=3)
    name = models.CharField("材料名称", max_length=60)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "档案材料清单项"
        ordering = ["county", "step", "position"]
        constraints = [models.UniqueConstraint(fields=["county", "step", "name"], name="archive_checklist_unique")]

    def __str__(self) -> str:
        return f"{self.step} {self.name}"


class FileKind(models.TextChoices):
    PDF = "pdf", "PDF"
    JPEG = "jpeg", "JPG 图片"
    PNG = "png", "PNG 图片"


class ArchiveFile(models.Model):
    """A scanned material of a dossier. The bytes live under settings.ARCHIVE_DIR, named by `storage_id` (random),
    never by the user's filename; the kind is what the content is, not what the name or the browser said."""

    SCOPE_PATH_FIELD = "org_path"

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="archive_files")
    org_path = models.CharField(max_length=160)
    step = models.CharField("步骤", max_length=3, blank=True)
    material = models.CharField("材料", max_length=60)
    problem = models.ForeignKey("AuditProblem", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="files", verbose_name="整改问题")
    storage_id = models.CharField(max_length=40, unique=True)
    original_name = models.CharField("原文件名", max_length=200, blank=True)
    kind = models.CharField("类型", max_length=8, choices=FileKind.choices)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "档案扫描件"
        indexes = [models.Index(fields=["org_path"], name="archive_file_scope_idx")]

    def __str__(self) -> str:
        return f"{self.step} {self.material}"

    @property
    def extension(self) -> str:
        return {"pdf": "pdf", "jpeg": "jpg", "png": "png"}[self.kind]


class RoundStatus(models.TextChoices):
    OPEN = "open", "进行中"
    CLOSED = "closed", "已结束"


class AuditRound(models.Model):
    """An archive audit round (提级审查/督查) of one county for one half-year. The sample is drawn once, with
    random.Random(seed) over a stable ordering, and recorded (AuditSample rows)."""

    SCOPE_PATH_FIELD = "org_path"

    county = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="archive_rounds")
    org_path = models.CharField(max_length=160)
    name = models.CharField("名称", max_length=100)
    year = models.PositiveSmallIntegerField("年度")
    half = models.PositiveSmallIntegerField("半年", choices=[(1, "上半年"), (2, "下半年")])
    per_township = models.PositiveSmallIntegerField("每个乡镇至少抽取（份）", default=20)
    seed = models.BigIntegerField("随机种子", null=True, blank=True)
    drawn_at = models.DateTimeField("抽取时间", null=True, blank=True)
    status = models.CharField("状态", max_length=8, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("开始时间")
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "档案审查轮次"
        ordering = ["-year", "-half", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def half_label(self) -> str:
        return f"{self.year}年{self.get_half_display()}"


class AuditSample(models.Model):
    """One archive (dossier) drawn into a round, with the township it was drawn for."""

    SCOPE_PATH_FIELD = "org_path"

    round = models.ForeignKey(AuditRound, on_delete=models.CASCADE, related_name="samples")
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="audit_samples")
    township = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=160)
    position = models.PositiveIntegerField("抽取顺序")
    checked = models.BooleanField("已审查", default=False)

    class Meta:
        verbose_name = "抽查档案"
        ordering = ["round", "township__path", "position"]
        constraints = [models.UniqueConstraint(fields=["round", "dossier"], name="audit_sample_unique")]

    def __str__(self) -> str:
        return f"{self.round} #{self.position}"


class ProblemStatus(models.TextChoices):
    OPEN = "open", "待整改"
    ANSWERED = "answered", "已整改待复核"
    CLOSED = "closed", "已销号"


class AuditProblem(models.Model):
    """A problem found in a sampled archive, assigned to the responsible person and role of the step concerned.
    The township answers (整改), the county re-checks and closes it or sends it back."""

    SCOPE_PATH_FIELD = "org_path"

    round = models.ForeignKey(AuditRound, on_delete=models.CASCADE, related_name="problems")
    sample = models.ForeignKey(AuditSample, on_delete=models.CASCADE, related_name="problems")
    township = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=160)
    problem_type = models.CharField("问题类型", max_length=20, choices=PROBLEM_TYPES)
    step = models.CharField("步骤", max_length=3, blank=True)
    note = models.TextField("问题说明")
    finding = models.ForeignKey(Finding, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    finding_code = models.CharField("来自规则", max_length=32, blank=True)
    responsible_name = models.CharField("责任人", max_length=50, blank=True)
    responsible_role = models.CharField("责任人职务", max_length=50, blank=True)
    responsibility = models.CharField("责任类别", max_length=10, choices=RESPONSIBILITY, blank=True)
    status = models.CharField("状态", max_length=10, choices=ProblemStatus.choices, default=ProblemStatus.OPEN)
    answer = models.TextField("整改情况", blank=True)
    answered_at = models.DateTimeField("整改时间", null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    review_note = models.TextField("复核意见", blank=True)
    returned = models.PositiveSmallIntegerField("退回次数", default=0)
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("发现时间")

    class Meta:
        verbose_name = "档案问题"
        ordering = ["round", "org_path", "id"]
        indexes = [models.Index(fields=["org_path", "status"], name="audit_problem_scope_idx")]

    def __str__(self) -> str:
        return f"{self.get_problem_type_display()} {self.step}"
