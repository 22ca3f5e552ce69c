"""Root conftest: the test run gets its own key file in a temporary folder, and fast password hashing."""

import shutil
import tempfile
from pathlib import Path

_VAR: list[Path] = []


def pytest_configure(config):
    from django.conf import settings

    from dangjian.core.crypto import generate_key_file

    var = Path(tempfile.mkdtemp(prefix="dangjian-test-var-"))
    _VAR.append(var)
    settings.DANGJIAN_KEY_FILE = var / "keys" / "idnumber.key"
    generate_key_file(settings.DANGJIAN_KEY_FILE)
    settings.LEDGER_DIR = var / "ledgers"  # uploads and exports made by tests stay out of var/
    # Production keeps PBKDF2; tests hash fast.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_unconfigure(config):
    for var in _VAR:
        shutil.rmtree(var, ignore_errors=True)
