"""The compiled build of the engine (rules/native.py): used only when it matches the sources, same results."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import dangjian.rules as rules
from dangjian.rules import native, schema
from dangjian.rules.sampler import sample_documents

CHECK = """
import json, sys
import dangjian.rules as rules
from dangjian.rules.sampler import sample_documents
assert rules.COMPILED is False, "DANGJIAN_PURE_RULES=1 must give the plain-Python engine"
out = [rules.check_document(doc) for doc in sample_documents(int(sys.argv[1]), seed=int(sys.argv[2]))]
json.dump(out, sys.stdout)
"""


@pytest.mark.skipif(importlib.util.find_spec("Cython") is None or bool(os.environ.get("DANGJIAN_PURE_RULES")),
                    reason="no Cython here: the engine runs as plain Python")
def test_set_up_compiled_the_engine_and_it_is_in_use():
    assert rules.COMPILED
    assert Path(schema.__file__).parent == native.COMPILED_DIR
    assert type(schema.fast_parser(schema.Dossier)).__name__ == "cython_function_or_method"


def test_the_engine_in_use_gives_the_same_results_as_plain_python():
    n, seed = 3000, 7
    mine = [rules.check_document(doc) for doc in sample_documents(n, seed=seed)]
    env = {**os.environ, "DANGJIAN_PURE_RULES": "1"}
    done = subprocess.run([sys.executable, "-c", CHECK, str(n), str(seed)], env=env, capture_output=True,
                          text=True, check=True)
    pure = json.loads(done.stdout)
    assert len(pure) == len(mine) and sum(len(d["results"]) for d in pure) == n
    assert json.loads(json.dumps(mine)) == pure
    assert any(r["findings"] for d in pure for r in d["results"])  # the sample has faults to compare


def _copy_sources(tmp_path: Path) -> Path:
    root = tmp_path / "rules"
    root.mkdir()
    for name in (*native.MODULES, "native"):
        shutil.copy(native.HERE / f"{name}.py", root / f"{name}.py")
    compiled = root / "_compiled"
    compiled.mkdir()
    files = [f"{name}.so" for name in (*native.MODULES, native.GENERATED)]
    for f in files:
        (compiled / f).write_bytes(b"")
    (compiled / "manifest.json").write_text(json.dumps({"fingerprint": native._fingerprint(root), "files": files}))
    return root


def test_a_build_matching_its_sources_is_active(tmp_path, monkeypatch):
    monkeypatch.delenv("DANGJIAN_PURE_RULES", raising=False)
    assert native.active(_copy_sources(tmp_path))


@pytest.mark.parametrize("module", [*native.MODULES, "native"])
def test_editing_any_source_retires_the_build(tmp_path, monkeypatch, module):
    monkeypatch.delenv("DANGJIAN_PURE_RULES", raising=False)
    root = _copy_sources(tmp_path)
    with (root / f"{module}.py").open("a") as f:
        f.write("\n# edited\n")
    assert not native.active(root)


def test_a_build_with_a_missing_module_or_manifest_is_not_used(tmp_path, monkeypatch):
    monkeypatch.delenv("DANGJIAN_PURE_RULES", raising=False)
    root = _copy_sources(tmp_path)
    (root / "_compiled" / "engine.so").unlink()
    assert not native.active(root)
    (tmp_path / "again").mkdir()
    root = _copy_sources(tmp_path / "again")
    (root / "_compiled" / "manifest.json").write_text("{not json")
    assert not native.active(root)


def test_pure_rules_switch_turns_the_build_off(tmp_path, monkeypatch):
    root = _copy_sources(tmp_path)
    monkeypatch.setenv("DANGJIAN_PURE_RULES", "1")
    assert not native.active(root)


def test_generated_parsers_are_the_schemas_parsers():
    """The generated module holds, per schema class, exactly the source the schema generates now; compiled from
    that text here (as plain Python), each factory's parser parses like the run-time one."""
    namespace: dict = {}
    exec(compile(native.generated_source(), "_fastparse", "exec"), namespace)  # noqa: S102 - our own generator
    for name, source in namespace["SOURCES"].items():
        cls = getattr(schema, name)
        assert schema.parser_source(cls)[0] == source
    doc = next(iter(sample_documents(50, seed=3)))
    for raw in doc["dossiers"]:
        made = namespace["FACTORIES"]["Dossier"](**schema.parser_source(schema.Dossier)[1])
        assert made(raw) == schema.fast_parser(schema.Dossier)(raw)
