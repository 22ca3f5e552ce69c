"""Organizations (a tree by materialized path) and users (each in one organization, with a role)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class OrgKind(models.TextChoices):
    PROVINCE = "province", "省委"
    CITY = "city", "市委"
    COUNTY = "county", "县委"
    TOWNSHIP = "township", "乡镇党委/街道党工委"
    PRIMARY_COMMITTEE = "primary_committee", "基层党委"
    GENERAL_BRANCH = "general_branch", "党总支"
    BRANCH = "branch", "党支部"
    JOINT_BRANCH = "joint_branch", "联合党支部"
    GROUP = "group", "党小组"


COMMITTEE_KINDS = {OrgKind.PROVINCE, OrgKind.CITY, OrgKind.COUNTY, OrgKind.TOWNSHIP, OrgKind.PRIMARY_COMMITTEE}
BRANCH_KINDS = {OrgKind.BRANCH, OrgKind.JOINT_BRANCH}


class PlaceType(models.TextChoices):
    VILLAGE = "village", "行政村"
    COMMUNITY = "community", "社区"
    AGENCY = "agency", "机关"
    ENTERPRISE = "enterprise", "企业"
    NEW_ORG = "new_org", "两新组织"


class Organization(models.Model):
    """A party organization. `path` is its materialized path (see core/scope.py); `code` is stable."""

    SCOPE_PATH_FIELD = "path"

    code = models.CharField("组织代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类别", max_length=24, choices=OrgKind.choices)
    place_type = models.CharField("单位类型", max_length=16, choices=PlaceType.choices, blank=True)
    has_branch_committee = models.BooleanField("设支部委员会", default=False)
    can_approve = models.BooleanField("有审批权限", default=False)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name="上级组织")
    path = models.CharField(max_length=160, unique=True)
    depth = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "党组织"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_branch(self) -> bool:
        return self.kind in BRANCH_KINDS


class Role(models.TextChoices):
    COUNTY_ADMIN = "county_admin", "县委组织部管理员"
    TOWNSHIP_ORGANIZER = "township_organizer", "乡镇组织委员"
    VILLAGE_SECRETARY = "village_secretary", "村党支部书记"
    READONLY = "readonly", "只读"
    # 联审部门审查人 (公安, 法院…): outside the org tree; sees only the people sent to his department (reviews app).
    DEPT_REVIEWER = "dept_reviewer", "联审部门审查人"


WRITE_ROLES = {Role.COUNTY_ADMIN, Role.TOWNSHIP_ORGANIZER, Role.VILLAGE_SECRETARY}
REVEAL_ID_ROLES = {Role.COUNTY_ADMIN, Role.TOWNSHIP_ORGANIZER}


class User(AbstractUser):
    """A user belongs to one organization and sees only its subtree (core/scope.py)."""

    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="users", verbose_name="所属组织")
    role = models.CharField("角色", max_length=24, choices=Role.choices, default=Role.READONLY)
    full_name = models.CharField("姓名", max_length=50, blank=True)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    must_change_password = models.BooleanField("下次登录须修改密码", default=True)

    class Meta:
        verbose_name = "用户"

    @property
    def can_write(self) -> bool:
        return self.role in WRITE_ROLES

    @property
    def can_reveal_id(self) -> bool:
        return self.role in REVEAL_ID_ROLES

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class PasswordHistory(models.Model):
    """Hashes of a user's previous passwords (SECURITY.md A1: not one of the last 5)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d}"
