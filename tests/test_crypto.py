"""Encryption at rest of ID numbers (SECURITY.md D1): authenticated, SM4-GCM where offered, a blind index."""

from __future__ import annotations

import base64
import json
import stat

import pytest
from cryptography.exceptions import InvalidTag

from dangjian.core import crypto

NUMBER = "11010519491231002X"


@pytest.fixture
def other_key(tmp_path, settings):
    """Switch to a second key file (as another installation would have)."""
    path = tmp_path / "other.key"
    crypto.generate_key_file(path)
    settings.DANGJIAN_KEY_FILE = path
    return path


def test_a_number_round_trips_and_the_ciphertext_does_not_contain_it():
    token = crypto.encrypt(NUMBER)
    assert crypto.decrypt(token) == NUMBER
    assert NUMBER not in token and NUMBER[:17] not in token


def test_the_same_number_encrypts_differently_each_time():
    assert crypto.encrypt(NUMBER) != crypto.encrypt(NUMBER)


def test_the_ciphertext_names_its_algorithm_and_sm4_is_used_when_offered():
    tag = crypto.encrypt(NUMBER).split(":", 1)[0]
    assert tag == ("sm4gcm" if crypto.sm4_gcm_available() else "aesgcm")


def test_aes_gcm_is_the_fallback_and_both_kinds_decrypt_under_one_key(monkeypatch):
    sm4_or_aes = crypto.encrypt(NUMBER)
    monkeypatch.setattr(crypto, "sm4_gcm_available", lambda: False)
    aes = crypto.encrypt(NUMBER)
    assert aes.startswith("aesgcm:")
    assert crypto.decrypt(aes) == crypto.decrypt(sm4_or_aes) == NUMBER


@pytest.mark.parametrize("algorithm", ["native", "aesgcm"])
def test_a_tampered_ciphertext_is_refused_not_decrypted_to_garbage(monkeypatch, algorithm):
    if algorithm == "aesgcm":
        monkeypatch.setattr(crypto, "sm4_gcm_available", lambda: False)
    tag, _, b64 = crypto.encrypt(NUMBER).partition(":")
    raw = bytearray(base64.b64decode(b64))
    raw[14] ^= 0x01  # one bit of the ciphertext body
    with pytest.raises(InvalidTag):
        crypto.decrypt(f"{tag}:{base64.b64encode(bytes(raw)).decode()}")


def test_an_unknown_ciphertext_format_is_refused():
    with pytest.raises(ValueError):
        crypto.decrypt("rot13:abcd")


def test_a_ciphertext_from_another_key_does_not_decrypt(other_key, settings, tmp_path):
    token = crypto.encrypt(NUMBER)
    third = tmp_path / "third.key"
    crypto.generate_key_file(third)
    settings.DANGJIAN_KEY_FILE = third
    with pytest.raises(InvalidTag):
        crypto.decrypt(token)


def test_the_blind_index_is_stable_keyed_and_ignores_the_case_of_x(other_key, settings, tmp_path):
    index = crypto.blind_index(NUMBER)
    assert index == crypto.blind_index(NUMBER.lower())
    assert len(index) == 64 and NUMBER not in index
    assert index != crypto.blind_index("110105194912310011")
    third = tmp_path / "third.key"
    crypto.generate_key_file(third)
    settings.DANGJIAN_KEY_FILE = third
    assert crypto.blind_index(NUMBER) != index  # keyed: a dictionary of numbers is useless without the key


def test_a_key_file_is_private_and_never_overwritten(tmp_path):
    path = tmp_path / "keys" / "id.key"
    assert crypto.generate_key_file(path) is True
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    content = path.read_text()
    assert set(json.loads(content)) == {"sm4", "aes", "index"}
    assert crypto.generate_key_file(path) is False
    assert path.read_text() == content


def test_a_missing_key_file_stops_with_a_chinese_message(settings, tmp_path):
    settings.DANGJIAN_KEY_FILE = tmp_path / "nowhere.key"
    with pytest.raises(crypto.KeyFileMissing, match="密钥文件不存在"):
        crypto.encrypt(NUMBER)


def test_the_key_lives_outside_the_repository_by_default():
    from django.conf import settings as django_settings

    # The default key path is under var/, which git ignores; production names its own file.
    default = django_settings.VAR_DIR / "keys" / "idnumber.key"
    gitignore = (django_settings.BASE_DIR / ".gitignore").read_text().split()
    assert default.is_relative_to(django_settings.BASE_DIR / "var") or not default.is_relative_to(
        django_settings.BASE_DIR)
    assert "var/" in gitignore
