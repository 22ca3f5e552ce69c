"""联审 (joint review against the negative list), 近亲属报备 (the near-relative gate), 县级复审 (the third level of
三级审查) and 公示 (public notices). What the rules read from here is assembled in facts.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dangjian.development.models import Dossier
from dangjian.orgs.models import Organization


class Stage(models.TextChoices):
    ACTIVIST = "activist", "入党积极分子"
    CANDIDATE = "candidate", "发展对象"
    ADMISSION = "admission", "接收预备党员"
    CONVERSION = "conversion", "预备党员转正"


class Effect(models.TextChoices):
    BLOCK = "block", "不得发展"
    REFER = "refer", "报县委组织部研究"


class ReplyFinding(models.TextChoices):
    NONE = "none", "未发现问题"
    CLEARED = "cleared", "经核实已排除"
    BLOCKING = "blocking", "存在否决情形"


class Department(models.Model):
    """A 联审 department of a county (公安, 法院, 检察院, 纪委监委, 信访…)."""

    SCOPE_PATH_FIELD = "org_path"

    county = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="review_departments")
    org_path = models.CharField(max_length=160)
    name = models.CharField("部门名称", max_length=50)
    active = models.BooleanField("参加联审", default=True)

    class Meta:
        verbose_name = "联审部门"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["county", "name"], name="review_department_unique")]

    def __str__(self) -> str:
        return self.name


class DepartmentReviewer(models.Model):
    """Links a user of role dept_reviewer to his department: all he may see is what is sent to it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_department")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="reviewers")

    def __str__(self) -> str:
        return f"{self.user} @ {self.department}"


class NegativeItem(models.Model):
    """One item of the county's 发展党员负面清单 (商河: 25 items), checked by the department holding the evidence."""

    SCOPE_PATH_FIELD = "org_path"

    county = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="negative_items")
    org_path = models.CharField(max_length=160)
    code = models.CharField("编号", max_length=12)
    text = models.TextField("内容")
    category = models.CharField("类别", max_length=30)
    stage = models.CharField("审查阶段", max_length=12, choices=Stage.choices)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="items",
                                   verbose_name="核查部门")
    effect = models.CharField("处理方式", max_length=8, choices=Effect.choices)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "负面清单条目"
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["county", "code"], name="negative_item_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:20]}"


class ReviewBatch(models.Model):
    """A batch of activists or candidates the county sends to 联审, with a reply due date."""

    SCOPE_PATH_FIELD = "org_path"

    county = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="review_batches")
    org_path = models.CharField(max_length=160)
    title = models.CharField("批次名称", max_length=100)
    stage = models.CharField("审查阶段", max_length=12, choices=Stage.choices)
    sent_on = models.DateField("发送日期")
    due_on = models.DateField("回复期限")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "联审批次"
        ordering = ["-sent_on", "-id"]

    def __str__(self) -> str:
        return self.title


class ReviewSubject(models.Model):
    """A person (his dossier) in a batch."""

    SCOPE_PATH_FIELD = "org_path"

    batch = models.ForeignKey(ReviewBatch, on_delete=models.CASCADE, related_name="subjects")
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="review_subjects")
    org_path = models.CharField(max_length=160)  # the dossier's: townships see their own people's reviews

    class Meta:
        constraints = [models.UniqueConstraint(fields=["batch", "dossier"], name="review_subject_unique")]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.dossier_id}"


class DepartmentReply(models.Model):
    """A department's reply on one person of a batch (finding empty: not answered yet)."""

    subject = models.ForeignKey(ReviewSubject, on_delete=models.CASCADE, related_name="replies")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="replies")
    finding = models.CharField("部门意见", max_length=10, choices=ReplyFinding.choices, blank=True)
    replied_on = models.DateField("回复日期", null=True, blank=True)
    note = models.TextField("说明", blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "联审回复"
        constraints = [models.UniqueConstraint(fields=["subject", "department"], name="review_reply_unique")]

    def __str__(self) -> str:
        return f"{self.department_id}:{self.subject_id} {self.finding}"


class ItemAnswer(models.Model):
    """A department's answer on one negative-list item for one person."""

    reply = models.ForeignKey(DepartmentReply, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(NegativeItem, on_delete=models.PROTECT, related_name="+")
    hit = models.BooleanField("命中", default=False)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["reply", "item"], name="review_item_answer_unique")]

    def __str__(self) -> str:
        return f"{self.item_id} {self.hit}"


class Relation(models.TextChoices):
    SPOUSE = "spouse", "配偶"
    PARENT = "parent", "父母"
    CHILD = "child", "子女"
    SIBLING = "sibling", "兄弟姐妹"
    OTHER = "other", "其他近亲属"


class KinshipState(models.TextChoices):
    REPORTED = "reported", "已报备，待乡镇党委审核"
    FORWARDED = "forwarded", "乡镇党委已上报县委组织部"
    APPROVED = "approved", "县委组织部同意"
    REFUSED = "refused", "县委组织部不同意"


class KinshipReport(models.Model):
    """近亲属报备: the person is a near relative of a serving village cadre (L-KIN-COUNTY). Reported by the branch
    or township, forwarded by the township, decided by the county with a document number and date."""

    SCOPE_PATH_FIELD = "org_path"

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="kinship_reports")
    org_path = models.CharField(max_length=160)
    cadre_name = models.CharField("村干部姓名", max_length=50)
    cadre_post = models.CharField("村干部职务", max_length=50)
    relation = models.CharField("亲属关系", max_length=10, choices=Relation.choices)
    reported_on = models.DateField("报备日期")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField("状态", max_length=10, choices=KinshipState.choices, default=KinshipState.REPORTED)
    township_opinion = models.CharField("乡镇党委意见", max_length=200, blank=True)
    forwarded_on = models.DateField("上报日期", null=True, blank=True)
    decided_on = models.DateField("审批日期", null=True, blank=True)
    document_no = models.CharField("批复文号", max_length=60, blank=True)
    decision_note = models.CharField("审批意见", max_length=200, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = "村干部近亲属报备"
        ordering = ["-reported_on", "-id"]

    def __str__(self) -> str:
        return f"近亲属报备 {self.cadre_name}"


class ReviewResult(models.TextChoices):
    PASS = "pass", "同意（通过）"
    FAIL = "fail", "不同意（不通过）"


class CountyReview(models.Model):
    """县委组织部复审, the third level of 三级审查 (after S12 支部审查 and S13 党委预审)."""

    SCOPE_PATH_FIELD = "org_path"

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="county_reviews")
    org_path = models.CharField(max_length=160)
    reviewed_on = models.DateField("复审日期")
    result = models.CharField("复审结论", max_length=8, choices=ReviewResult.choices)
    opinion = models.TextField("复审意见")
    reviewer = models.CharField("复审人", max_length=50)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    entered_at = models.DateTimeField()

    class Meta:
        verbose_name = "县委组织部复审"
        ordering = ["-reviewed_on", "-id"]

    def __str__(self) -> str:
        return f"复审 {self.reviewed_on} {self.result}"


class Notice(models.Model):
    """公示: one notice for one or more people of one organization at one point; its end is counted in official
    working days (rules.workdays)."""

    SCOPE_PATH_FIELD = "org_path"

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="notices",
                                     verbose_name="公示单位")
    org_path = models.CharField(max_length=160)
    point = models.CharField("公示环节", max_length=12, choices=Stage.choices)
    start = models.DateField("公示开始")
    working_days = models.PositiveSmallIntegerField("公示工作日数")
    end = models.DateField("公示结束")
    provisional = models.BooleanField(default=False)  # the end used a year the calendar does not know
    contact_phone = models.CharField("监督电话", max_length=30)
    feedback_address = models.CharField("来信来访地址", max_length=120)
    dossiers = models.ManyToManyField(Dossier, related_name="notices", verbose_name="公示对象")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "公示"
        ordering = ["-start", "-id"]

    def __str__(self) -> str:
        return f"公示 {self.start}–{self.end}"


class NoticeFeedback(models.Model):
    """Feedback received during a notice (来信来电来访) and how it was handled."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="feedback")
    received_on = models.DateField("收到日期")
    channel = models.CharField("方式", max_length=10, choices=[("phone", "来电"), ("letter", "来信"),
                                                             ("visit", "来访"), ("other", "其他")])
    content = models.TextField("反映内容")
    handling = models.TextField("核实处理情况", blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "公示反馈"
        ordering = ["received_on", "id"]

    def __str__(self) -> str:
        return f"反馈 {self.received_on}"
