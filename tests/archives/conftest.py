"""Archives tests: scans go to a temporary ARCHIVE_DIR; helpers make archives (dossiers) quickly."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.core import clock
from dangjian.core.audit import Actor
from dangjian.development.models import Dossier, StepRecord
from dangjian.development.services import dossier_open
from tests.conftest import add_person

TODAY = dt.date(2026, 6, 30)


@pytest.fixture(autouse=True)
def archive_dir(settings, tmp_path):
    settings.ARCHIVE_DIR = tmp_path / "archives"
    return settings.ARCHIVE_DIR


@pytest.fixture
def frozen():
    with clock.frozen(TODAY):
        yield


def actor(world, persona: str) -> Actor:
    return Actor(user=world.users[persona])


_n = [0]


def make_archive(world, org, *, status: str = "candidate", steps: dict | None = None, name: str = "") -> Dossier:
    """A person in `org` with a dossier at `status` and step records {step: (responsible_name, role)} (test setup:
    written directly, the rule engine is not what these tests are about)."""
    _n[0] += 1
    key = f"arch{_n[0]}"
    person = add_person(world, key, org, name or "档案" + "".join("零一二三四五六七八九"[int(c)] for c in str(_n[0])) + "号", birth=dt.date(1995, 1, 1 + _n[0] % 27),
                        party_status="applicant", status_date=dt.date(2024, 1, 1))
    d = dossier_open(actor=actor(world, "county_admin"), person_id=person.pk)
    Dossier.objects.filter(pk=d.pk).update(status=status)
    d.refresh_from_db()
    for i, (step, (rname, role)) in enumerate((steps or {}).items()):
        StepRecord.objects.create(dossier=d, step=step, date=dt.date(2024, 1, 1) + dt.timedelta(days=30 * i),
                                  responsible_name=rname, responsible_role=role, entered_at=clock.now())
    return d


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)
