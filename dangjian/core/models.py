"""Cross-cutting tables: the audit log, the installation flag and API tokens."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """One audited event. Append-only and hash-chained (SECURITY.md C1, C2).

    Written only by `dangjian.core.audit.audit_log` (and its bulk twin), inside the caller's transaction.
    `hash` = SHA-256(prev_hash + canonical JSON of the row); `dangjian audit verify` recomputes the chain.
    """

    at = models.DateTimeField("时间（UTC）")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    username = models.CharField("用户名", max_length=150, blank=True)
    org_code = models.CharField("组织代码", max_length=64, blank=True)
    ip = models.CharField("IP", max_length=64, blank=True)
    request_id = models.CharField("请求编号", max_length=64, blank=True)
    action = models.CharField("操作", max_length=64, db_index=True)
    object_type = models.CharField("对象类型", max_length=64, blank=True)
    object_id = models.CharField("对象", max_length=64, blank=True)
    result = models.CharField("结果", max_length=16, default="ok")
    before = models.JSONField("修改前", null=True, blank=True)
    after = models.JSONField("修改后", null=True, blank=True)
    detail = models.JSONField("详情", null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "审计记录"
        indexes = [models.Index(fields=["object_type", "object_id"]), models.Index(fields=["at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_type}:{self.object_id}"


class Installation(models.Model):
    """A single row describing this installation (demo or not)."""

    is_demo = models.BooleanField(default=False)
    demo_seed = models.IntegerField(null=True, blank=True)
    demo_scale = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "安装信息"

    def __str__(self) -> str:
        return "演示数据" if self.is_demo else "正式数据"


class ApiToken(models.Model):
    """A bearer token for /api. Only its SHA-256 is stored; the token is shown once at creation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API 令牌"

    def __str__(self) -> str:
        return f"{self.user}：{self.name or '令牌'}"
