"""Encryption at rest for ID numbers (SECURITY.md D1).

Authenticated encryption: SM4-GCM where the installed `cryptography`/OpenSSL offers it, else AES-256-GCM.
Each ciphertext names its algorithm, so a database may hold both and a key file serves both.
A keyed hash (HMAC-SHA256, a "blind index") allows exact lookup and duplicate checks without decrypting.
The key file lives outside the database and the repository (DANGJIAN_KEY_FILE, default var/keys/).
"""

from __future__ import annotations

import base64
import functools
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings


class KeyFileMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class Keys:
    sm4: bytes  # 16 bytes
    aes: bytes  # 32 bytes
    index: bytes  # 32 bytes, HMAC key for the blind index


def generate_key_file(path: Path) -> bool:
    """Create a new key file (mode 0600) unless one exists. Returns True when created."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {name: base64.b64encode(os.urandom(size)).decode() for name, size in (("sm4", 16), ("aes", 32), ("index", 32))}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh)
    return True


@functools.lru_cache(maxsize=4)
def _load(path: str) -> Keys:
    p = Path(path)
    if not p.exists():
        raise KeyFileMissing(f"身份证号码密钥文件不存在：{p}（运行 dangjian demo 或 dangjian keygen 生成）")
    data = json.loads(p.read_text())
    return Keys(*(base64.b64decode(data[name]) for name in ("sm4", "aes", "index")))


def keys() -> Keys:
    return _load(str(settings.DANGJIAN_KEY_FILE))


@functools.lru_cache(maxsize=1)
def sm4_gcm_available() -> bool:
    try:
        enc = Cipher(algorithms.SM4(b"\0" * 16), modes.GCM(b"\0" * 12)).encryptor()
        enc.update(b"probe")
        enc.finalize()
        return True
    except (UnsupportedAlgorithm, ValueError, AttributeError):
        return False


def encrypt(plaintext: str) -> str:
    k = keys()
    nonce = os.urandom(12)
    data = plaintext.encode()
    if sm4_gcm_available():
        enc = Cipher(algorithms.SM4(k.sm4), modes.GCM(nonce)).encryptor()
        ct = enc.update(data) + enc.finalize() + enc.tag
        tag = "sm4gcm"
    else:
        ct = AESGCM(k.aes).encrypt(nonce, data, None)
        tag = "aesgcm"
    return f"{tag}:{base64.b64encode(nonce + ct).decode()}"


def decrypt(token: str) -> str:
    k = keys()
    tag, _, b64 = token.partition(":")
    raw = base64.b64decode(b64)
    nonce, body = raw[:12], raw[12:]
    if tag == "sm4gcm":
        ct, gcm_tag = body[:-16], body[-16:]
        dec = Cipher(algorithms.SM4(k.sm4), modes.GCM(nonce, gcm_tag)).decryptor()
        return (dec.update(ct) + dec.finalize()).decode()
    if tag == "aesgcm":
        return AESGCM(k.aes).decrypt(nonce, body, None).decode()
    raise ValueError("unknown ciphertext format")


def blind_index(value: str) -> str:
    """Keyed hash for exact lookup; the same value always gives the same index under one key."""
    return hmac.digest(keys().index, value.upper().encode(), "sha256").hex()  # = hmac.new(…).hexdigest(), one call
