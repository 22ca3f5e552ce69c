"""The archives part of the demo county: a checklist, scans, one closed and one open round with problems in
every state; the statistics' sentence agrees with the rows."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from dangjian.archives.models import ArchiveFile, AuditProblem, AuditRound, ChecklistItem
from dangjian.archives.selectors import round_stats
from dangjian.orgs.models import Organization, User
from tests.support import demo_county


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from django.conf import settings

    old = settings.ARCHIVE_DIR
    settings.ARCHIVE_DIR = Path(tempfile.mkdtemp(prefix="dangjian-demo-archives-"))
    try:
        with demo_county(django_db_blocker) as summary:
            yield summary
    finally:
        settings.ARCHIVE_DIR = old


@pytest.fixture
def county(demo, db):
    return Organization.objects.get(kind="county")


def test_the_demo_county_has_its_checklist_and_scans(county):
    assert ChecklistItem.objects.filter(county=county, step="S17", name="公示材料").exists()
    files = ArchiveFile.objects.all()
    assert files.count() >= 10
    assert {f.kind for f in files} >= {"pdf", "jpeg"}


def test_one_closed_and_one_open_round_with_problems_in_every_state(county):
    closed, current = AuditRound.objects.filter(county=county).order_by("id")
    assert (closed.status, current.status) == ("closed", "open")
    assert set(AuditProblem.objects.filter(round=closed).values_list("status", flat=True)) == {"closed"}
    states = set(AuditProblem.objects.filter(round=current).values_list("status", flat=True))
    assert states == {"open", "answered", "closed"}
    assert AuditProblem.objects.filter(round=current, returned__gt=0).exists()
    towns = set(Organization.objects.filter(parent=county).values_list("pk", flat=True))
    drawn = set(current.samples.values_list("township_id", flat=True))
    assert drawn <= towns and len(drawn) >= 10


def test_the_round_sentence_agrees_with_the_rows(county):
    admin = User.objects.get(username="county_admin")
    for rnd in AuditRound.objects.all():
        stats = round_stats(user=admin, rnd=rnd)
        assert stats.archives == rnd.samples.count()
        assert stats.problems == rnd.problems.count()
        assert stats.rectified == rnd.problems.filter(status="closed").count()
