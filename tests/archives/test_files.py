"""Scans: validated from their content, stored under ARCHIVE_DIR by a random name, served only inside the
subtree with safe headers, every upload, download and delete audited; refused uploads write nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from dangjian.archives import samples, storage
from dangjian.archives.models import ArchiveFile
from dangjian.archives.services import archive_file_delete, archive_file_upload
from dangjian.core.errors import NotAllowed, OutOfScope
from dangjian.core.models import AuditEntry
from tests.archives.conftest import actor, make_archive, upload


@pytest.fixture
def dossier(world):
    return make_archive(world, world.v1, steps={"S01": ("王书记", "党支部书记"), "S02": ("王书记", "党支部书记")})


def _upload(world, dossier, data, name="扫描.pdf", persona="village_secretary", step="S01", material="入党申请书"):
    return archive_file_upload(actor=actor(world, persona), dossier_id=dossier.pk, step=step, material=material,
                               upload=upload(name, data))


def _stored_files(archive_dir):
    return [p for p in archive_dir.rglob("*") if p.is_file()] if archive_dir.exists() else []


def test_a_pdf_is_stored_outside_the_web_root_under_a_random_name_and_audited(world, dossier, archive_dir):
    f = _upload(world, dossier, samples.pdf_bytes("S01"), name="申请书.pdf")
    path = storage.path_for(f.storage_id)
    assert path.read_bytes() == samples.pdf_bytes("S01")
    assert path.is_relative_to(archive_dir) and "申请书" not in str(path)
    assert (f.kind, f.original_name, f.org_path) == ("pdf", "申请书.pdf", dossier.org_path)
    entry = AuditEntry.objects.filter(action="archives.file_upload").last()
    assert entry.object_id == str(f.pk) and entry.after["sha256"] == f.sha256


def test_a_png_named_pdf_is_stored_as_png_because_the_content_decides(world, dossier):
    f = _upload(world, dossier, samples.png_bytes(), name="伪装.pdf")
    assert f.kind == "png" and f.extension == "png"


@pytest.mark.parametrize("data, name, words", [
    (b"MZ\x90\x00" + b"\x00" * 500, "申请书.pdf", "可执行程序"),
    (b"MZ\x90\x00" + b"\x00" * 500, "照片.jpg", "可执行程序"),
    (b"GIF89a" + b"\x00" * 50, "照片.png", "只能上传 PDF、JPG 或 PNG"),
    (samples.pdf_bytes()[:-50], "申请书.pdf", "PDF 文件不完整"),
])
def test_wrong_content_is_refused_and_nothing_is_written(world, dossier, archive_dir, data, name, words):
    before = AuditEntry.objects.filter(action="archives.file_upload").count()
    with pytest.raises(ValidationError) as exc:
        _upload(world, dossier, data, name=name)
    assert words in exc.value.message_dict["file"][0]
    assert ArchiveFile.objects.count() == 0
    assert _stored_files(archive_dir) == []
    assert AuditEntry.objects.filter(action="archives.file_upload").count() == before


def test_an_oversize_file_is_refused_by_the_configured_limit(world, dossier, settings, archive_dir):
    settings.ARCHIVE_MAX_UPLOAD_MB = 1
    big = samples.pdf_bytes()[:-6] + b" " * (1024 * 1024) + b"%%EOF\n"
    with pytest.raises(ValidationError) as exc:
        _upload(world, dossier, big)
    assert "文件过大" in exc.value.message_dict["file"][0] and "1 MB" in exc.value.message_dict["file"][0]
    assert ArchiveFile.objects.count() == 0 and _stored_files(archive_dir) == []


def test_a_material_not_on_the_checklist_is_refused(world, dossier):
    with pytest.raises(ValidationError) as exc:
        _upload(world, dossier, samples.pdf_bytes(), step="S01", material="随便什么")
    assert "材料清单里没有" in exc.value.message_dict["item"][0]


def test_outsiders_and_read_only_users_cannot_upload(world, dossier):
    with pytest.raises(OutOfScope):
        _upload(world, dossier, samples.pdf_bytes(), persona="other_town_organizer")
    with pytest.raises(NotAllowed):
        _upload(world, dossier, samples.pdf_bytes(), persona="readonly")
    assert ArchiveFile.objects.count() == 0


def test_the_download_is_served_in_scope_with_safe_headers_and_audited(world, dossier):
    f = _upload(world, dossier, samples.png_bytes(), name="<script>.png")
    resp = world.client("town_organizer").get(f"/archives/files/{f.pk}/")
    assert resp.status_code == 200
    assert b"".join(resp.streaming_content) == samples.png_bytes()
    assert resp["Content-Type"] == "image/png"
    assert resp["X-Content-Type-Options"] == "nosniff"
    assert resp["Content-Disposition"].startswith("attachment;") and "script" not in resp["Content-Disposition"]
    entry = AuditEntry.objects.filter(action="archives.file_download").last()
    assert (entry.username, entry.object_id) == ("town_organizer", str(f.pk))


@pytest.mark.parametrize("persona", ["other_town_organizer", "orphan"])
def test_the_download_answers_404_outside_the_subtree_and_serves_nothing(world, dossier, persona):
    f = _upload(world, dossier, samples.pdf_bytes())
    resp = world.client(persona).get(f"/archives/files/{f.pk}/")
    assert resp.status_code == 404
    assert b"%PDF" not in resp.content
    assert not AuditEntry.objects.filter(action="archives.file_download").exists()


def test_a_village_secretary_of_the_sibling_branch_cannot_download(world):
    d = make_archive(world, world.v2, steps={"S01": ("李", "书记")})
    f = _upload(world, d, samples.pdf_bytes(), persona="town_organizer")
    assert world.client("village_secretary").get(f"/archives/files/{f.pk}/").status_code == 404


def test_delete_removes_row_and_file_and_is_audited(world, dossier, django_capture_on_commit_callbacks):
    f = _upload(world, dossier, samples.pdf_bytes())
    path = storage.path_for(f.storage_id)
    with pytest.raises(OutOfScope):
        archive_file_delete(actor=actor(world, "other_town_organizer"), file_id=f.pk)
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        archive_file_delete(actor=actor(world, "town_organizer"), file_id=f.pk)
    assert not ArchiveFile.objects.exists() and not path.exists()
    assert AuditEntry.objects.filter(action="archives.file_delete", object_id=str(f.pk)).exists()


def test_the_upload_page_refuses_a_renamed_executable_with_a_message_and_400(world, dossier, archive_dir):
    client = world.client("village_secretary")
    resp = client.post(f"/archives/dossiers/{dossier.pk}/upload/",
                       {"item": "S01|入党申请书", "file": upload("申请书.pdf", b"MZ" + b"\x00" * 300, "application/pdf")})
    assert resp.status_code == 400
    assert "可执行程序" in resp.content.decode()
    assert ArchiveFile.objects.count() == 0 and _stored_files(archive_dir) == []


def test_the_upload_page_stores_a_photo_and_the_checklist_shows_it(world, dossier):
    client = world.client("village_secretary")
    page = client.get(f"/archives/dossiers/{dossier.pk}/").content.decode()
    assert 'accept="application/pdf,image/jpeg,image/png' in page and 'capture="environment"' in page
    assert "完整率 0%" in page
    resp = client.post(f"/archives/dossiers/{dossier.pk}/upload/",
                       {"item": "S02|谈话记录", "file": upload("IMG_0001.jpg", samples.jpeg_bytes(), "image/jpeg")})
    assert resp.status_code == 302
    page = client.get(f"/archives/dossiers/{dossier.pk}/?partial=1").content.decode()
    # S01 has 3 materials, S02 one: 1 of 4 uploaded.
    assert "完整率 25%" in page and "已上传 1 / 应有 4 项" in page
