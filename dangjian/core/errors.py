"""Errors services raise. Views and the API turn them into a Chinese message (form errors, 400, 404, 409)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404


class OutOfScope(Http404):
    """The record or the target organization is outside the user's subtree: answer 404, reveal nothing."""

    def __init__(self, message: str = "未找到该记录") -> None:
        super().__init__(message)


class NotAllowed(PermissionDenied):
    """The user may see but not do this (e.g. a read-only user writing). Answers 403."""


class Conflict(Exception):
    """A stale save (the record changed since the form was opened). Answers 409, nothing is written."""


def field_error(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})
