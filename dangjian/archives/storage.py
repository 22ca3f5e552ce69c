"""Where scans live: settings.ARCHIVE_DIR/<2 hex>/<random id>, outside the web root. Nothing else touches disk."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.conf import settings


def new_storage_id() -> str:
    return secrets.token_hex(16)


def path_for(storage_id: str) -> Path:
    if len(storage_id) != 32 or any(c not in "0123456789abcdef" for c in storage_id):
        raise ValueError("bad storage id")  # never a path built from anything a user typed
    return Path(settings.ARCHIVE_DIR) / storage_id[:2] / storage_id


def write(storage_id: str, data: bytes) -> Path:
    target = path_for(storage_id)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = target.with_suffix(".part")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, target)
    return target


def remove(storage_id: str) -> None:
    path_for(storage_id).unlink(missing_ok=True)
