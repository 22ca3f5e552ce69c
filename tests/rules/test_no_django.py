"""dangjian/rules is the pure core: nothing under it may import Django (STYLE.md, ARCHITECTURE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import dangjian.rules

RULES_DIR = Path(dangjian.rules.__file__).parent


def _imported_modules(source: str) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "__import__" and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                names.append(first.value)
    return names


def test_the_walker_sees_django_imports_in_every_form():
    source = (
        "import django\nfrom django.db import models\nimport os, django.conf as c\n__import__('django')\n"
    )
    assert [n for n in _imported_modules(source) if n.split(".")[0] == "django"] == [
        "django",
        "django.db",
        "django.conf",
        "django",
    ]


def test_no_module_under_rules_imports_django():
    files = sorted(RULES_DIR.rglob("*.py"))
    assert len(files) >= 10, files
    offenders = {
        str(f.relative_to(RULES_DIR)): name
        for f in files
        for name in _imported_modules(f.read_text(encoding="utf-8"))
        if name.split(".")[0] == "django"
    }
    assert offenders == {}
