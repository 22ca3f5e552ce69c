"""The `dangjian` command (called in-process through dangjian.cli.main)."""

from __future__ import annotations

import json
import sys

import pytest

from dangjian import cli


def test_orgs_json_prints_the_tree_with_code_name_kind_and_parent_code(world, capsys):
    assert cli.main(["orgs", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows == [
        {"code": "T000", "name": "测试县委", "kind": "county", "parent_code": None},
        {"code": "T100", "name": "甲镇党委", "kind": "township", "parent_code": "T000"},
        {"code": "T101", "name": "东村党支部", "kind": "branch", "parent_code": "T100"},
        {"code": "T102", "name": "西村党支部", "kind": "branch", "parent_code": "T100"},
        {"code": "T200", "name": "乙镇党委", "kind": "township", "parent_code": "T000"},
        {"code": "T201", "name": "南村党支部", "kind": "branch", "parent_code": "T200"},
    ]


def test_orgs_without_json_prints_an_indented_tree(world, capsys):
    assert cli.main(["orgs"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "T000  测试县委（县委）"
    assert lines[2] == "    T101  东村党支部（党支部）"


def test_orgs_json_on_an_empty_database_is_an_empty_list(db, capsys):
    assert cli.main(["orgs", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


@pytest.mark.parametrize("argv", [[], ["nonsense"], ["audit"], ["audit", "purge"], ["demo", "--scale", "galaxy"],
                                  ["token", "create"]])
def test_bad_arguments_exit_with_usage_status_2(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 2


def test_demo_refuses_to_overwrite_an_existing_database(world, capsys, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    assert cli.main(["demo"]) == 0
    assert "已有数据" in capsys.readouterr().out
    from dangjian.orgs.models import Organization

    assert Organization.objects.count() == 6


def test_serve_logs_paths_without_query_strings(db, monkeypatch, settings, tmp_path, capsys):
    # A search may carry an ID number in its query string; the access log must never hold it.
    settings.VAR_DIR = tmp_path
    seen = {}

    def fake_run():
        seen["argv"] = list(sys.argv)
        return 0

    import gunicorn.app.wsgiapp

    monkeypatch.setattr(gunicorn.app.wsgiapp, "run", fake_run)
    monkeypatch.setattr(sys, "argv", ["dangjian"])
    assert cli.main(["serve", "--port", "8123"]) == 0
    argv = seen["argv"]
    log_format = argv[argv.index("--access-logformat") + 1]
    assert "%(U)s" in log_format
    for query_bearing in ("%(r)s", "%(q)s", "%({raw_uri}e)s"):
        assert query_bearing not in log_format
    assert "127.0.0.1:8123" in argv
    assert "http://127.0.0.1:8123/" in capsys.readouterr().out


def test_keygen_keeps_an_existing_key(settings, capsys, tmp_path):
    settings.VAR_DIR = tmp_path
    before = settings.DANGJIAN_KEY_FILE.read_text()
    assert cli.main(["keygen"]) == 0
    assert "已存在" in capsys.readouterr().out
    assert settings.DANGJIAN_KEY_FILE.read_text() == before
    assert (tmp_path / "secret_key").exists()
