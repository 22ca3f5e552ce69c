"""Password rules of SECURITY.md A1: length, 3 of 4 character classes, not the username, not one of the last N."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError


class MinimumLengthValidator:
    def validate(self, password, user=None):
        n = settings.PASSWORD_MIN_LENGTH
        if len(password) < n:
            raise ValidationError(f"密码至少 {n} 位", code="password_too_short")

    def get_help_text(self):
        return f"密码至少 {settings.PASSWORD_MIN_LENGTH} 位。"


class CharacterClassValidator:
    def validate(self, password, user=None):
        classes = [any(c.islower() and c.isascii() for c in password), any(c.isupper() and c.isascii() for c in password),
                   any(c.isdigit() for c in password), any(not c.isalnum() for c in password)]
        n = settings.PASSWORD_MIN_CLASSES
        if sum(classes) < n:
            raise ValidationError(f"密码须包含大写字母、小写字母、数字、特殊字符中的至少 {n} 类", code="password_classes")

    def get_help_text(self):
        return f"须包含大写字母、小写字母、数字、特殊字符中的至少 {settings.PASSWORD_MIN_CLASSES} 类。"


class NotContainingUsernameValidator:
    def validate(self, password, user=None):
        username = getattr(user, "username", "") or ""
        if username and username.lower() in password.lower():
            raise ValidationError("密码不能包含用户名", code="password_contains_username")

    def get_help_text(self):
        return "不能包含用户名。"


class HistoryValidator:
    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        n = settings.PASSWORD_HISTORY
        for old in user.password_history.all()[:n]:
            if check_password(password, old.password):
                raise ValidationError(f"不能使用最近 {n} 次用过的密码", code="password_reused")

    def get_help_text(self):
        return f"不能与最近 {settings.PASSWORD_HISTORY} 次的密码相同。"
