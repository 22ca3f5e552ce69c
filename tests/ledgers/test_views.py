"""Ledger pages and API: upload → columns → preview → commit; check-up; export; outsiders get 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.ledgers.models import JobState, LedgerJob
from dangjian.people.models import Person
from tests.ledgers.conftest import activist_rows
from tests.ledgers.files import write_csv, write_xlsx
from tests.support import full_ids_in, people_fingerprint, row_counts

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload(client, url, path, **data):
    with open(path, "rb") as fh:
        return client.post(url, {"file": SimpleUploadedFile(path.name, fh.read()), **data})


def _job(response) -> LedgerJob:
    assert response.status_code == 302, response.content.decode()[:2000]
    return LedgerJob.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def test_upload_fix_the_mapping_preview_and_commit(world, today, tmp_path, settings):
    rows, ids = activist_rows(3)
    rows[0][5] = "申请日"  # an unusual header the system cannot recognize
    path = write_csv(tmp_path / "旧台账.csv", rows, encoding="gbk")
    client = world.client("town_organizer")
    job = _job(_upload(client, "/ledgers/import/", path))
    assert job.state == JobState.MAPPING and job.kind == "activist"
    assert job.table["encoding"] == "GBK/GB18030" and "5" not in job.mapping
    assert not (settings.LEDGER_DIR / job.upload_path).stat().st_mode & 0o077  # only the server may read it
    page = client.get(f"/ledgers/jobs/{job.pk}/").content.decode()
    assert "确认各列的对应关系" in page and "申请日" in page
    assert not full_ids_in(page)  # the sample rows are masked
    form = {"kind": "activist", "default_org": ""}
    form.update({f"col_{i}": k for i, k in job.mapping.items()})
    form["col_5"] = "S01"
    before = row_counts()
    response = client.post(f"/ledgers/jobs/{job.pk}/mapping/", form)
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == JobState.PREVIEW and job.result["created"] == 3 and job.result["error_count"] == 0
    preview = client.get(f"/ledgers/jobs/{job.pk}/").content.decode()
    assert "将新增" in preview and "确认导入" in preview
    assert row_counts() == before
    response = client.post(f"/ledgers/jobs/{job.pk}/commit/")
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.upload_path == ""  # the upload is deleted after use
    assert Person.objects.filter(name__in=[r[1] for r in rows[1:]]).count() == 3
    assert "导入完成" in client.get(f"/ledgers/jobs/{job.pk}/").content.decode()
    assert not list((settings.LEDGER_DIR / "uploads").iterdir())


def test_a_preview_with_errors_cannot_be_committed(world, today, tmp_path):
    rows, _ = activist_rows(2)
    rows[2][4] = "T201"
    client = world.client("town_organizer")
    job = _job(_upload(client, "/ledgers/import/", write_xlsx(tmp_path / "a.xlsx", rows)))
    form = {"kind": "activist", **{f"col_{i}": k for i, k in job.mapping.items()}}
    client.post(f"/ledgers/jobs/{job.pk}/mapping/", form)
    page = client.get(f"/ledgers/jobs/{job.pk}/").content.decode()
    assert "有 <strong>1</strong> 个错误" in page and "不在您管辖的范围内" in page and 'id="commit"' not in page
    before = row_counts(), people_fingerprint()
    assert client.post(f"/ledgers/jobs/{job.pk}/commit/").status_code == 400
    assert (row_counts(), people_fingerprint()) == before


def test_a_mapping_without_the_required_columns_is_sent_back(world, today, tmp_path):
    rows, _ = activist_rows(1)
    client = world.client("town_organizer")
    job = _job(_upload(client, "/ledgers/import/", write_xlsx(tmp_path / "a.xlsx", rows)))
    response = client.post(f"/ledgers/jobs/{job.pk}/mapping/", {"kind": "activist", "col_1": "name"})
    assert response.status_code == 400 and "缺少必需的列" in response.content.decode()


def test_a_bad_file_fails_with_its_reason_and_nothing_kept(world, today, tmp_path, settings):
    path = tmp_path / "virus.xlsx"
    path.write_bytes(b"MZ" + b"\x00" * 100)
    job = _job(_upload(world.client("town_organizer"), "/ledgers/import/", path))
    assert job.state == JobState.FAILED and "可执行程序" in job.message and job.upload_path == ""
    assert "可执行程序" in world.client("town_organizer").get(f"/ledgers/jobs/{job.pk}/").content.decode()


def test_the_check_up_page_and_its_annotated_workbook(world, today, tmp_path, settings):
    rows, _ = activist_rows(1)
    rows[1][6] = "2023-05-20"
    client = world.client("readonly")  # reading is enough to check a ledger
    job = _job(_upload(client, "/ledgers/check/", write_xlsx(tmp_path / "c.xlsx", rows)))
    form = {"kind": "activist", **{f"col_{i}": k for i, k in job.mapping.items()}}
    assert client.post(f"/ledgers/jobs/{job.pk}/mapping/", form).status_code == 302
    page = client.get(f"/ledgers/jobs/{job.pk}/").content.decode()
    assert "N-TALK-1M" in page and "G2" in page
    before = row_counts()
    response = client.get(f"/ledgers/jobs/{job.pk}/download/")
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    b"".join(response.streaming_content)
    assert client.get(f"/ledgers/jobs/{job.pk}/download/").status_code == 410  # deleted after download
    assert row_counts() == before and not list((settings.LEDGER_DIR / "out").iterdir())


def test_export_page_job_and_download(world, today):
    client = world.client("town_organizer")
    response = client.post("/ledgers/export/", {"kind": "members", "org": ""})
    job = _job(response)
    assert job.state == JobState.DONE and job.result["rows"] == 2
    download = client.get(f"/ledgers/jobs/{job.pk}/download/")
    body = b"".join(download.streaming_content)
    assert body[:2] == b"PK" and not full_ids_in(body)


def test_the_index_lists_templates_and_the_template_downloads(world):
    client = world.client("village_secretary")
    page = client.get("/ledgers/").content.decode()
    for label in ("后备力量台账", "入党申请人台账", "入党积极分子台账", "发展对象台账", "预备党员台账", "党员名册"):
        assert label in page
    response = client.get("/ledgers/templates/activist/")
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert client.get("/ledgers/templates/nothing/").status_code == 404


@pytest.mark.parametrize("persona", ["other_town_organizer", "village_secretary", "readonly", "county_admin"])
def test_someone_elses_job_answers_404_even_a_colleagues(world, today, tmp_path, persona):
    rows, _ = activist_rows(1)
    job = _job(_upload(world.client("town_organizer"), "/ledgers/import/", write_xlsx(tmp_path / "a.xlsx", rows)))
    client = world.client(persona)
    for url in (f"/ledgers/jobs/{job.pk}/", f"/ledgers/jobs/{job.pk}/progress/", f"/ledgers/jobs/{job.pk}/download/",
                f"/api/ledgers/jobs/{job.pk}"):
        assert client.get(url).status_code == 404, url
    for url in (f"/ledgers/jobs/{job.pk}/mapping/", f"/ledgers/jobs/{job.pk}/commit/",
                f"/ledgers/jobs/{job.pk}/cancel/"):
        assert client.post(url, {"kind": "activist"}).status_code == 404, url
    job.refresh_from_db()
    assert job.state == JobState.MAPPING


def test_the_api_reports_a_jobs_progress_to_its_owner(world, today, tmp_path):
    rows, _ = activist_rows(2)
    client = world.client("town_organizer")
    job = _job(_upload(client, "/ledgers/import/", write_xlsx(tmp_path / "a.xlsx", rows)))
    body = client.get(f"/api/ledgers/jobs/{job.pk}").json()
    assert body["state"] == "mapping" and body["total"] == 2 and body["state_label"] == "待确认列"


def test_a_job_whose_process_died_is_shown_as_failed(world, today, tmp_path):
    rows, _ = activist_rows(1)
    client = world.client("town_organizer")
    job = _job(_upload(client, "/ledgers/import/", write_xlsx(tmp_path / "a.xlsx", rows)))
    LedgerJob.objects.filter(pk=job.pk).update(state=JobState.RUNNING, phase="commit",
                                               heartbeat_at=dt.datetime(2025, 6, 30, 1, 0, tzinfo=dt.UTC))
    response = client.get(f"/ledgers/jobs/{job.pk}/progress/")
    assert response["HX-Refresh"] == "true"
    job.refresh_from_db()
    assert job.state == JobState.FAILED and "任务中断" in job.message


def test_a_running_job_shows_a_polling_progress_bar(world, today, tmp_path):
    rows, _ = activist_rows(1)
    client = world.client("town_organizer")
    job = _job(_upload(client, "/ledgers/import/", write_xlsx(tmp_path / "a.xlsx", rows)))
    from dangjian.core import clock

    LedgerJob.objects.filter(pk=job.pk).update(state=JobState.RUNNING, done=40, total=100, message="检查：40/100 行",
                                               heartbeat_at=clock.now())
    page = client.get(f"/ledgers/jobs/{job.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in page and "40%" in page
    assert "40/100" in client.get(f"/ledgers/jobs/{job.pk}/progress/").content.decode()


def test_readonly_users_cannot_import(world):
    assert world.client("readonly").get("/ledgers/import/").status_code == 403


def test_subprocess_runner_is_started_after_commit(world, tmp_path, settings, monkeypatch, django_capture_on_commit_callbacks):
    settings.LEDGER_JOB_RUNNER = "subprocess"
    started = []
    monkeypatch.setattr("dangjian.ledgers.jobs._spawn", lambda job_id: started.append(job_id))
    rows, _ = activist_rows(1)
    with django_capture_on_commit_callbacks(execute=True):
        job = _job(_upload(world.client("town_organizer"), "/ledgers/import/", write_xlsx(tmp_path / "a.xlsx", rows)))
    assert started == [job.pk] and job.state == JobState.QUEUED
