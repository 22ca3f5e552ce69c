"""The person registry: everyone the system knows, from 群众 in the reserve to full members."""

from __future__ import annotations

from django.db import models

from dangjian.orgs.models import Organization


class Gender(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"


class Education(models.TextChoices):
    PRIMARY = "primary", "小学及以下"
    JUNIOR = "junior", "初中"
    SENIOR = "senior", "高中/中专/中技"
    COLLEGE = "college", "大学专科"
    BACHELOR = "bachelor", "大学本科"
    POSTGRADUATE = "postgraduate", "研究生"


HIGH_SCHOOL_OR_ABOVE = {Education.SENIOR, Education.COLLEGE, Education.BACHELOR, Education.POSTGRADUATE}


class HouseholdType(models.TextChoices):
    AGRICULTURAL = "agricultural", "农业"
    NON_AGRICULTURAL = "non_agricultural", "非农"


class Occupation(models.TextChoices):
    RICH_LEADER = "rich_leader", "致富能手"
    MIGRANT = "migrant", "外出务工经商"
    RETURNED_ENTREPRENEUR = "returned_entrepreneur", "返乡创业"
    RETURNED_GRADUATE = "returned_graduate", "回乡大学毕业生"
    VETERAN = "veteran", "退役军人"
    VILLAGE_CADRE = "village_cadre", "村组干部"
    FARMER = "farmer", "农牧渔民"
    WORKER = "worker", "工人"
    STUDENT = "student", "学生"
    OTHER = "other", "其他"


class PartyStatus(models.TextChoices):
    NONE = "none", "群众"
    APPLICANT = "applicant", "入党申请人"
    ACTIVIST = "activist", "入党积极分子"
    CANDIDATE = "candidate", "发展对象"
    PROBATIONARY = "probationary", "预备党员"
    FULL_MEMBER = "full_member", "正式党员"


PIPELINE_STATUSES = [PartyStatus.APPLICANT, PartyStatus.ACTIVIST, PartyStatus.CANDIDATE, PartyStatus.PROBATIONARY]


class Person(models.Model):
    """A person. The ID number is stored encrypted (`id_number_enc`), with a keyed hash for exact lookup
    (`id_number_hash`) and its masked form for display (`id_number_masked`); never in clear."""

    SCOPE_PATH_FIELD = "org_path"

    name = models.CharField("姓名", max_length=50)
    name_initials = models.CharField("拼音首字母", max_length=120, blank=True)
    name_pinyin = models.CharField("拼音", max_length=400, blank=True)
    gender = models.CharField("性别", max_length=8, choices=Gender.choices)
    ethnicity = models.CharField("民族", max_length=20, default="汉族")
    birth_date = models.DateField("出生日期")
    id_number_enc = models.TextField("公民身份号码（密文）")
    id_number_hash = models.CharField(max_length=64, unique=True)
    id_number_masked = models.CharField("公民身份号码", max_length=18)
    education = models.CharField("学历", max_length=16, choices=Education.choices, blank=True)
    household_type = models.CharField("户籍类型", max_length=20, choices=HouseholdType.choices, blank=True)
    # Space-separated Occupation codes with a leading and trailing space (" veteran migrant "), so a filter is
    # one indexed-free `contains " code "` on a small subtree; a join table would cost more than it gives here.
    occupations = models.CharField("人员类别", max_length=200, blank=True, default="")
    phone = models.CharField("联系电话", max_length=20, blank=True)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="people",
                                     verbose_name="所在党组织")
    org_path = models.CharField(max_length=160)
    party_status = models.CharField("政治面貌", max_length=16, choices=PartyStatus.choices, default=PartyStatus.NONE)
    status_date = models.DateField("状态日期", null=True, blank=True)
    # 入党时间: the 支部大会 admission meeting date (S15 once S17 approval is recorded, or the roster's 入党时间
    # for imported members). Statistics count admissions by it (docs/stats.md).
    joined_on = models.DateField("入党时间", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "人员"
        indexes = [
            models.Index(fields=["org_path", "id"], name="person_scope_idx"),
            models.Index(fields=["org_path", "party_status"], name="person_scope_status_idx"),
            models.Index(fields=["name"], name="person_name_idx"),
            # Statistics (docs/stats.md): admissions in a period, and the one boundary birth year of an age limit,
            # both in any subtree: the path and status in the index, so the count never reads the table.
            models.Index(fields=["joined_on", "org_path"], name="person_joined_idx"),
            models.Index(fields=["birth_date", "org_path", "party_status"], name="person_birth_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def occupation_list(self) -> list[str]:
        return self.occupations.split()

    @property
    def occupation_labels(self) -> list[str]:
        labels = dict(Occupation.choices)
        return [labels.get(code, code) for code in self.occupation_list]
