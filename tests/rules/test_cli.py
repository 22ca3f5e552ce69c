"""`dangjian check FILE|-`: one JSON document on stdout and exit 0; malformed input exits 2 with the path."""

from __future__ import annotations

import io
import json

import pytest

from dangjian.rules import check_document
from dangjian.rules.cli import main
from tests.rules.records import changed, doc_with, valid_doc


def _run(argv, stdin_text=""):
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stdin=io.StringIO(stdin_text), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_a_file_is_checked_and_printed_as_one_json_document(tmp_path):
    path = tmp_path / "doc.json"
    doc = doc_with(changed({"talk.date": "2022-04-02"}))
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    code, out, err = _run([str(path)])
    assert (code, err) == (0, "")
    assert json.loads(out) == check_document(doc)
    assert "谈话日期" in out  # ensure_ascii=False: Chinese as is


def test_stdin_with_a_dash():
    code, out, _ = _run(["-"], json.dumps(valid_doc()))
    assert code == 0
    assert json.loads(out)["results"][0]["findings"] == []


def test_the_subcommand_word_may_come_first():
    code, out, _ = _run(["check", "-"], json.dumps(valid_doc()))
    assert code == 0 and json.loads(out)["results"][0]["status"] == "full_member"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{not json", "$: not valid JSON"),
        ('{"dossiers": [], "dossiers": []}', "$: duplicate field"),
        ('{"dossiers": [{"talk": {"date": NaN}}]}', "$: not valid JSON"),
    ],
)
def test_malformed_json_exits_2(text, expected):
    code, out, err = _run(["-"], text)
    assert (code, out) == (2, "")
    assert err.startswith(expected)


def test_an_unknown_field_exits_2_naming_its_path():
    doc = valid_doc()
    doc["dossiers"][0]["activist"]["dat"] = "2022-09-05"
    code, out, err = _run(["-"], json.dumps(doc))
    assert (code, out) == (2, "")
    assert err.startswith("$.dossiers[0].activist.dat: unknown field")


@pytest.mark.parametrize(
    ("path", "value", "at"),
    [
        (("talk", "date"), "2023-02-30", "$.dossiers[0].talk.date"),
        (("admission_meeting", "present", "full"), -3, "$.dossiers[0].admission_meeting.present.full"),
        (("approval", "mode"), "phone", "$.dossiers[0].approval.mode"),
    ],
)
def test_bad_values_exit_2_naming_their_path(path, value, at):
    doc = valid_doc()
    node = doc["dossiers"][0]
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    code, _, err = _run(["-"], json.dumps(doc))
    assert code == 2 and err.startswith(f"{at}: ")


def test_a_missing_file_exits_2(tmp_path):
    code, _, err = _run([str(tmp_path / "nope.json")])
    assert code == 2 and err.startswith("$: cannot read")


def test_a_file_not_in_utf8_exits_2(tmp_path):
    path = tmp_path / "gbk.json"
    path.write_bytes('{"dossiers": [{"id": "王某"}]}'.encode("gbk"))
    code, _, err = _run([str(path)])
    assert code == 2 and "UTF-8" in err


def test_a_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(valid_doc()).encode("utf-8"))
    assert _run([str(path)])[0] == 0


def test_usage_errors_exit_2_and_help_exits_0():
    assert _run([])[0] == 2
    assert _run(["a.json", "b.json"])[0] == 2
    code, out, _ = _run(["--help"])
    assert code == 0 and "FILE" in out
