"""`dangjian ledger import|check|export|template`, and a commit killed half-way that leaves nothing behind."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from dangjian import cli
from dangjian.people import idnumber
from dangjian.people.models import Person
from tests.conftest import make_id
from tests.ledgers.conftest import activist_rows
from tests.ledgers.files import write_csv, write_xlsx
from tests.support import full_ids_in, people_fingerprint, row_counts

ROOT = Path(__file__).resolve().parents[2]


def _run(argv, capsys):
    code = cli.main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_import_prints_the_summary_and_exits_0_when_valid_writing_only_with_commit(world, today, tmp_path, capsys):
    rows, _ = activist_rows(2)
    path = write_xlsx(tmp_path / "a.xlsx", rows)
    before = row_counts()
    code, out, err = _run(["ledger", "import", str(path), "--user", "town_organizer"], capsys)
    body = json.loads(out)
    assert code == 0 and set(body) == {"rows", "created", "updated", "unchanged", "errors", "warnings"}
    assert (body["rows"], body["created"], body["errors"]) == (2, 2, [])
    assert set(body["warnings"][0]) == {"row", "column", "value", "message"}
    assert "行" in err  # the progress line
    assert row_counts() == before
    code, out, err = _run(["ledger", "import", str(path), "--user", "town_organizer", "--commit"], capsys)
    assert code == 0 and json.loads(out)["created"] == 2 and "已写入" in err
    assert row_counts()["Person"] == before["Person"] + 2


def test_import_exits_1_and_writes_nothing_when_a_row_is_bad(world, today, tmp_path, capsys):
    rows, ids = activist_rows(3)
    rows[2][5] = "2023-02-30"
    path = write_csv(tmp_path / "a.csv", rows, encoding="gbk")
    before = row_counts(), people_fingerprint()
    code, out, err = _run(["ledger", "import", str(path), "--user", "town_organizer", "--commit"], capsys)
    body = json.loads(out)
    assert code == 1
    assert body["errors"] == [{"row": 3, "column": "申请入党时间", "value": "2023-02-30",
                               "message": "递交入党申请书时间：日期不存在（请核对月、日）"}]
    assert "没有写入" in err and (row_counts(), people_fingerprint()) == before
    assert not full_ids_in(out + err)


def test_import_with_a_default_org_and_a_kind(world, today, tmp_path, capsys):
    number = make_id(dt.date(1975, 5, 5))
    path = write_xlsx(tmp_path / "m.xlsx", [["姓名", "身份证号", "入党时间", "转正时间"],
                                            ["褚名册", number, "2000-07-01", "2001-07-01"]])
    code, out, _ = _run(["ledger", "import", str(path), "--user", "village_secretary", "--org", "T101",
                         "--kind", "members", "--commit"], capsys)
    assert code == 0, out
    assert Person.objects.get(name="褚名册").organization.code == "T101"
    code, out, _ = _run(["ledger", "import", str(path), "--user", "village_secretary", "--org", "T102"], capsys)
    assert code == 1 and "默认组织" in json.loads(out)["errors"][0]["message"]


def test_import_of_an_unreadable_file_exits_1_with_the_reason(world, tmp_path, capsys):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"MZ" + b"\0" * 50)
    code, out, _ = _run(["ledger", "import", str(path), "--user", "town_organizer"], capsys)
    assert code == 1 and "可执行程序" in json.loads(out)["errors"][0]["message"]
    code, _, err = _run(["ledger", "import", str(path), "--user", "nobody"], capsys)
    assert code == 2 and "不存在" in err


def test_check_prints_findings_as_json_and_can_save_the_marked_workbook(world, today, tmp_path, capsys):
    rows, _ = activist_rows(1)
    rows[1][6] = "2023-05-20"
    path = write_xlsx(tmp_path / "c.xlsx", rows)
    out_xlsx = tmp_path / "marked.xlsx"
    code, out, _ = _run(["ledger", "check", str(path), "--xlsx", str(out_xlsx)], capsys)
    body = json.loads(out)
    assert code == 0 and body["rows"] == 1
    talk = next(f for f in body["people"][0]["findings"] if f["code"] == "N-TALK-1M")
    assert talk["cells"] == ["G2", "F2"] and talk["severity"] == "E" and talk["source"] == "细则第7条"
    assert body["people"][0]["id_number"].count("*") == 8
    assert "N-TALK-1M" in load_workbook(out_xlsx).active["G2"].comment.text


def test_export_writes_the_users_scope_masked(world, today, tmp_path, capsys):
    out_xlsx = tmp_path / "members.xlsx"
    code, _, err = _run(["ledger", "export", "members", "--user", "other_town_organizer", "-o", str(out_xlsx)],
                        capsys)
    assert code == 0 and "已导出 1 行" in err
    rows = list(load_workbook(out_xlsx).active.values)
    assert rows[1][1] == "赵德成" and not full_ids_in(str(rows))
    code, _, err = _run(["ledger", "export", "members", "--user", "village_secretary", "-o", str(out_xlsx),
                         "--reveal-ids"], capsys)
    assert code == 2 and "不能导出完整" in err


def test_template_writes_the_standard_headers(tmp_path, capsys, db):
    out = tmp_path / "t.xlsx"
    assert cli.main(["ledger", "template", "probationary", "-o", str(out)]) == 0
    wb = load_workbook(out)
    assert wb.worksheets[0]["B1"].value == "姓名" and wb.worksheets[1].title == "填写说明"


# --- a commit killed half-way ----------------------------------------------------------------------------
def _env(tmp: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DANGJIAN_", "DATABASE_URL"))}
    env.update(DANGJIAN_VAR_DIR=str(tmp), DATABASE_URL=f"sqlite:///{tmp / 'kill.sqlite3'}",
               DANGJIAN_KEY_FILE=str(tmp / "key"), DANGJIAN_SECRET_KEY="kill-test", PYTHONPATH=str(ROOT),
               DJANGO_SETTINGS_MODULE="dangjian.settings")
    return env


SETUP = """
import django
django.setup()
from django.core.management import call_command
from dangjian.core.crypto import generate_key_file
from django.conf import settings
generate_key_file(settings.DANGJIAN_KEY_FILE)
call_command("migrate", interactive=False, verbosity=0)
from dangjian.core.audit import Actor
from dangjian.orgs.models import OrgKind, Role
from dangjian.orgs.services import org_create, user_create
county = org_create(actor=Actor(), code="K000", name="测试县委", kind=OrgKind.COUNTY, check_scope=False)
user_create(actor=Actor(), username="importer", password="Kill-2026x", organization=county,
            role=Role.COUNTY_ADMIN, must_change_password=False)
"""


@pytest.mark.slow
def test_a_commit_killed_half_way_leaves_nothing_written(tmp_path):
    env = _env(tmp_path)
    subprocess.run([sys.executable, "-c", SETUP], env=env, check=True, cwd=ROOT, timeout=120)
    n = 16_000
    rows = [["姓名", "公民身份号码", "所在党组织", "入党时间", "转正时间"]]
    for i in range(n):
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=i % 15000)
        rows.append(["党员名", idnumber.make("522730", birth, (i // 15000) * 2 + 1), "K000", "1990-07-01",
                     "1991-07-01"])
    path = write_csv(tmp_path / "big.csv", rows)
    proc = subprocess.Popen([sys.executable, "-m", "dangjian.cli", "ledger", "import", str(path), "--user",
                             "importer", "--commit"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    seen = b""
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            chunk = os.read(proc.stderr.fileno(), 4096)
            if not chunk:
                break
            seen += chunk
            # Several chunks of people are already written inside the transaction: kill it now.
            if "写入：6000/".encode() in seen:
                os.kill(proc.pid, signal.SIGKILL)
                break
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, seen.decode(errors="replace")[-500:]
    with sqlite3.connect(tmp_path / "kill.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM people_person").fetchone()[0] == 0
        assert db.execute("SELECT count(*) FROM ledgers_ledgernote").fetchone()[0] == 0
        actions = {r[0] for r in db.execute("SELECT action FROM core_auditentry")}
    assert "person.create" not in actions and "ledger.import" not in actions
    # The same file, not interrupted, goes in whole.
    done = subprocess.run([sys.executable, "-m", "dangjian.cli", "ledger", "import", str(path), "--user", "importer",
                           "--commit"], env=env, cwd=ROOT, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode()[-500:]
    assert json.loads(done.stdout)["created"] == n


UPLOAD = """
import sys, time
import django
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from dangjian.core.audit import Actor
from dangjian.ledgers.jobs import job_create_upload
from dangjian.ledgers.models import LedgerJob
from dangjian.orgs.models import User

user = User.objects.select_related("organization").get(username="importer")
with transaction.atomic():  # the runner starts only once the job row is committed
    job = job_create_upload(actor=Actor(user=user), purpose="import",
                            upload=SimpleUploadedFile("台账.csv", open(sys.argv[1], "rb").read()))
for _ in range(600):
    job.refresh_from_db()
    if not job.busy:
        break
    time.sleep(0.1)
print(job.state, job.pid is not None, job.table.get("data_rows"), job.kind)
"""


@pytest.mark.slow
def test_the_web_runner_starts_a_separate_process_that_reads_the_upload(tmp_path):
    env = _env(tmp_path)
    env["DANGJIAN_LEDGER_JOB_RUNNER"] = "subprocess"
    subprocess.run([sys.executable, "-c", SETUP], env=env, check=True, cwd=ROOT, timeout=120)
    rows = [["姓名", "公民身份号码", "所在党组织", "入党时间", "转正时间"],
            ["党员名", idnumber.make("522730", dt.date(1960, 1, 1), 1), "K000", "1990-07-01", "1991-07-01"]]
    path = write_csv(tmp_path / "m.csv", rows)
    out = subprocess.run([sys.executable, "-c", UPLOAD, str(path)], env=env, cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["mapping", "True", "1", "members"]


def test_map_corrects_an_unrecognized_column_and_prints_the_mapping(world, today, tmp_path, capsys):
    rows, _ = activist_rows(2)
    rows[0][3] = "证件号"  # a header no variant covers: the ID column is not recognized
    path = write_xlsx(tmp_path / "a.xlsx", rows)
    code, out, err = _run(["ledger", "import", str(path), "--user", "town_organizer"], capsys)
    assert code == 1 and "公民身份号码" in json.loads(out)["errors"][0]["message"]
    before = row_counts()
    for ref in ("证件号", "D", "4"):  # by header, letter and number
        code, out, err = _run(["ledger", "import", str(path), "--user", "town_organizer",
                               "--map", f"{ref}=公民身份号码"], capsys)
        assert code == 0 and json.loads(out)["created"] == 2, (ref, out)
        assert "D 证件号 → 公民身份号码" in err
    assert row_counts() == before


def test_map_can_leave_a_column_out_and_move_a_field(world, today, tmp_path, capsys):
    rows, _ = activist_rows(2)
    path = write_xlsx(tmp_path / "a.xlsx", rows)
    code, out, err = _run(["ledger", "import", str(path), "--user", "town_organizer", "--map", "谈话人=-"], capsys)
    assert code == 0 and "谈话人 →" not in err
    # 确定为入党积极分子时间 moved onto the 谈话时间 column: the old column is left out, not mapped twice
    code, out, err = _run(["ledger", "import", str(path), "--user", "town_organizer",
                           "--map", "谈话时间=确定为入党积极分子时间"], capsys)
    assert "G 谈话时间 → 确定为入党积极分子时间" in err and "I 确定为入党积极分子时间 →" not in err


@pytest.mark.parametrize(("mapping", "message"), [
    ("证件号公民身份号码", "应写成“文件中的列=字段”"),
    ("没有这列=公民身份号码", "文件中没有列「没有这列」"),
    ("Z=公民身份号码", "文件中没有列「Z」"),
    ("D=不存在的字段", "不认识字段「不存在的字段」"),
])
def test_a_mapping_it_cannot_read_is_an_error_naming_it_and_writes_nothing(world, today, tmp_path, capsys,
                                                                          mapping, message):
    rows, _ = activist_rows(2)
    path = write_xlsx(tmp_path / "a.xlsx", rows)
    before = row_counts()
    code, out, err = _run(["ledger", "import", str(path), "--user", "town_organizer", "--map", mapping,
                           "--commit"], capsys)
    body = json.loads(out)
    assert code == 1 and message in body["errors"][0]["message"] and body["created"] == 0
    assert row_counts() == before
