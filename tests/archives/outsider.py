"""The archives app's entries in the URL × persona registry (tests/urlmap.py imports them), and the records
they point at, made inside each case's savepoint. Own: in the persona's subtree (rounds: his county's);
foreign: the nearest thing he must not see (the other township's archive, or the outer county's round)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.archives import samples, storage
from dangjian.archives.models import ArchiveFile, AuditProblem, AuditRound, AuditSample
from dangjian.core import clock
from dangjian.development.models import Dossier
from dangjian.orgs.models import Organization
from tests.conftest import World
from tests.urlmap import (
    FOREIGN_DOSSIER,
    OWN_DOSSIER,
    Case,
    Endpoint,
    county_admin_only,
    logged_in_ok,
    read,
)

ARCHIVE_TARGETS = {"archive_file", "audit_round", "audit_sample", "audit_problem"}
_tmp: list[Path] = []


def _archive_dir() -> None:
    # The sweep's own scans go to a temporary directory, never into the working tree's var/.
    if not _tmp:
        _tmp.append(Path(tempfile.mkdtemp(prefix="dangjian-archives-")))
    settings.ARCHIVE_DIR = _tmp[0]


def _dossier(world: World, case: Case) -> Dossier:
    persona = "orphan" if case.persona == "dept_reviewer" else case.persona
    key = (OWN_DOSSIER if case.which == "own" else FOREIGN_DOSSIER)[persona]
    return Dossier.objects.get(person=world.people[key])


def _round(county: Organization) -> AuditRound:
    return AuditRound.objects.create(county=county, org_path=county.path, name="档案审查", year=2026, half=1,
                                     per_township=20, created_at=clock.now())


def _county_of(dossier: Dossier) -> Organization:
    return Organization.objects.get(code="X000" if dossier.org_path.startswith(
        Organization.objects.get(code="X000").path) else "T000")


def archive_target(world: World, target: str, case: Case) -> str:
    _archive_dir()
    if target == "audit_round":
        return str(_round(Organization.objects.get(code="T000" if case.which == "own" else "X000")).pk)
    dossier = _dossier(world, case)
    if target == "archive_file":
        data = samples.pdf_bytes()
        sid = storage.new_storage_id()
        storage.write(sid, data)
        return str(ArchiveFile.objects.create(dossier=dossier, org_path=dossier.org_path, step="S01",
                                              material="入党申请书", storage_id=sid, kind="pdf", size=len(data),
                                              sha256="0" * 64, uploaded_at=clock.now()).pk)
    county = _county_of(dossier)
    township = Organization.objects.filter(parent=county).order_by("path").first() or county
    township = next((o for o in Organization.objects.filter(parent=county) if dossier.org_path.startswith(o.path)),
                    township)
    sample = AuditSample.objects.create(round=_round(county), dossier=dossier, township=township,
                                        org_path=dossier.org_path, position=1)
    if target == "audit_sample":
        return str(sample.pk)
    return str(AuditProblem.objects.create(round=sample.round, sample=sample, township=township,
                                           org_path=dossier.org_path, problem_type="missing_material", step="S01",
                                           note="缺少入党申请书", created_at=clock.now()).pk)


# --- expected answers -----------------------------------------------------------------------------------------
def writers_400(c: Case) -> int:
    """A write in the subtree whose body is refused (400, nothing written); read-only may not (403)."""
    if c.which == "foreign":
        return 404
    return 403 if c.persona == "readonly" else 400


def writers_302(c: Case) -> int:
    if c.which == "foreign":
        return 404
    return 403 if c.persona == "readonly" else 302


def auditor(ok: int):
    """Only the county administrator audits; the others see the record (own) but may not act (403)."""
    return lambda c: 404 if c.which == "foreign" else (ok if c.persona == "county_admin" else 403)


def rectifiers(c: Case) -> int:
    if c.which == "foreign":
        return 404
    return 403 if c.persona in ("readonly", "county_admin") else 302


def _exe(w, v) -> dict:
    return {"item": "S01|入党申请书", "file": SimpleUploadedFile("申请书.pdf", b"MZ" + b"\x00" * 200, "application/pdf")}


ARCHIVE_ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("archives/", "index", "GET", lambda v: "/archives/", logged_in_ok),
    Endpoint("archives/guide/", "guide", "GET", lambda v: "/archives/guide/", logged_in_ok),
    Endpoint("archives/checklist/", "checklist", "GET", lambda v: "/archives/checklist/", county_admin_only(200)),
    Endpoint("archives/checklist/", "checklist", "POST", lambda v: "/archives/checklist/", county_admin_only(400),
             body=lambda w, v: {"S01": "很" * 61}),  # refused (400), nothing written; others: 403
    Endpoint("archives/dossiers/<int:pk>/", "dossier", "GET", lambda v: f"/archives/dossiers/{v}/", read,
             target="dossier"),
    Endpoint("archives/dossiers/<int:pk>/upload/", "upload", "POST", lambda v: f"/archives/dossiers/{v}/upload/",
             writers_400, target="dossier", body=_exe),
    Endpoint("archives/files/<int:pk>/", "file", "GET", lambda v: f"/archives/files/{v}/", read,
             target="archive_file"),
    Endpoint("archives/files/<int:pk>/delete/", "file_delete", "POST", lambda v: f"/archives/files/{v}/delete/",
             writers_302, target="archive_file"),
    Endpoint("archives/audits/", "rounds", "GET", lambda v: "/archives/audits/", logged_in_ok),
    Endpoint("archives/audits/", "rounds", "POST", lambda v: "/archives/audits/", county_admin_only(400),
             body=lambda w, v: {"name": "", "year": "2026", "half": "1", "per_township": "20"}),
    Endpoint("archives/audits/<int:pk>/", "round", "GET", lambda v: f"/archives/audits/{v}/", read,
             target="audit_round"),
    Endpoint("archives/audits/<int:pk>/draw/", "round_draw", "POST", lambda v: f"/archives/audits/{v}/draw/",
             auditor(302), target="audit_round", body=lambda w, v: {"seed": "7"}),
    Endpoint("archives/audits/<int:pk>/close/", "round_close", "POST", lambda v: f"/archives/audits/{v}/close/",
             auditor(302), target="audit_round"),
    Endpoint("archives/audits/<int:pk>/export/", "round_export", "GET", lambda v: f"/archives/audits/{v}/export/",
             read, target="audit_round"),
    Endpoint("archives/samples/<int:pk>/", "sample", "GET", lambda v: f"/archives/samples/{v}/", read,
             target="audit_sample"),
    Endpoint("archives/samples/<int:pk>/problems/", "sample_problem", "POST",
             lambda v: f"/archives/samples/{v}/problems/", auditor(302), target="audit_sample",
             body=lambda w, v: {"problem_type": "unsigned", "step": "S01", "note": "申请书未签名"}),
    Endpoint("archives/samples/<int:pk>/checked/", "sample_checked", "POST",
             lambda v: f"/archives/samples/{v}/checked/", auditor(302), target="audit_sample"),
    Endpoint("archives/problems/", "problems", "GET", lambda v: "/archives/problems/", logged_in_ok),
    Endpoint("archives/problems/<int:pk>/", "problem", "GET", lambda v: f"/archives/problems/{v}/", read,
             target="audit_problem"),
    Endpoint("archives/problems/<int:pk>/rectify/", "problem_rectify", "POST",
             lambda v: f"/archives/problems/{v}/rectify/", rectifiers, target="audit_problem",
             body=lambda w, v: {"answer": "已补齐并归档"}),
    Endpoint("api/archives/rounds", "rounds", "GET", lambda v: "/api/archives/rounds", logged_in_ok, access="api"),
    Endpoint("api/archives/rounds/<int:round_id>", "round_detail", "GET", lambda v: f"/api/archives/rounds/{v}",
             read, access="api", target="audit_round"),
    # The own problem is still open: the county cannot close it yet (400, nothing written); others: 403.
    Endpoint("archives/problems/<int:pk>/review/", "problem_review", "POST",
             lambda v: f"/archives/problems/{v}/review/", auditor(400), target="audit_problem",
             body=lambda w, v: {"decision": "close"}),
)
