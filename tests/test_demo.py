"""The demo county (dangjian/demo/generate.py), at the "small" scale: the county's tree with fewer people.

Valid ID numbers that agree with birth dates and genders; the four demo accounts in the right organizations;
the tree the issue names. Determinism from the seed: tests/test_demo_seed.py (it needs an empty database).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.test import Client

from dangjian.core import clock, crypto
from dangjian.core.audit import audit_verify
from dangjian.core.models import Installation
from dangjian.demo.generate import DEMO_PASSWORD, SIZES
from dangjian.orgs.models import Organization, OrgKind, PlaceType, User
from dangjian.people import idnumber
from dangjian.people.models import Person
from tests.support import demo_county


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One small county for the whole module (generating takes seconds): inside a transaction that is
    rolled back when the module ends; each test still runs in its own savepoint (the `db` fixture)."""
    with demo_county(django_db_blocker) as summary:
        yield summary


@pytest.fixture
def county(demo, db):
    return demo


def test_every_id_number_is_valid_unique_and_agrees_with_birth_date_and_gender(county):
    numbers = set()
    for p in Person.objects.all():
        number = crypto.decrypt(p.id_number_enc)
        info = idnumber.parse(number)
        assert (info.birth_date, info.gender) == (p.birth_date, p.gender), p.pk
        assert p.id_number_hash == crypto.blind_index(number)
        assert p.id_number_masked == idnumber.mask(number)
        assert (p.name_initials, p.name_pinyin) != ("", "")
        assert p.org_path == p.organization.path
        numbers.add(number)
    assert len(numbers) == Person.objects.count() == sum(SIZES["small"].values())


def test_ages_and_dates_are_plausible(county):
    today = clock.today()
    for p in Person.objects.all():
        age = (today - p.birth_date).days / 365.25
        assert 17 < age < 91, (p.pk, p.birth_date)
        if p.party_status == "full_member":
            assert p.status_date and p.birth_date + dt.timedelta(days=18 * 365) < p.status_date <= today
        elif p.party_status != "none":
            assert p.status_date and p.status_date <= today


def test_the_tree_has_one_county_fifteen_townships_village_and_community_branches(county):
    kinds = Counter(Organization.objects.values_list("kind", flat=True))
    assert kinds[OrgKind.COUNTY] == 1
    assert kinds[OrgKind.TOWNSHIP] == 15
    county = Organization.objects.get(kind=OrgKind.COUNTY)
    assert county.parent is None and county.depth == 0
    assert Organization.objects.filter(kind=OrgKind.TOWNSHIP, parent=county).count() == 15
    village_branches = Organization.objects.filter(kind__in=[OrgKind.BRANCH, OrgKind.JOINT_BRANCH],
                                                   place_type=PlaceType.VILLAGE).count()
    assert 300 <= village_branches <= 380, village_branches  # "about 330"
    other_branches = Organization.objects.filter(kind__in=[OrgKind.BRANCH, OrgKind.JOINT_BRANCH],
                                                 place_type__in=[PlaceType.COMMUNITY, PlaceType.NEW_ORG]).count()
    assert 15 <= other_branches <= 25, other_branches  # "about 20"
    assert Organization.objects.filter(kind=OrgKind.JOINT_BRANCH).exists()
    assert Organization.objects.filter(kind=OrgKind.GROUP).exists()
    # A 乡镇党委 may approve admissions; a 村党委 may not.
    assert not Organization.objects.filter(kind=OrgKind.TOWNSHIP, can_approve=False).exists()
    assert not Organization.objects.filter(kind=OrgKind.PRIMARY_COMMITTEE, can_approve=True).exists()
    for org in Organization.objects.exclude(parent=None).select_related("parent"):
        assert org.path.startswith(org.parent.path) and len(org.path) == len(org.parent.path) + 4
        assert org.depth == org.parent.depth + 1
    assert Organization.objects.values("code").distinct().count() == Organization.objects.count()


def test_people_sit_only_in_branches_and_the_pipeline_covers_every_stage(county):
    assert not Person.objects.exclude(organization__kind__in=[OrgKind.BRANCH, OrgKind.JOINT_BRANCH]).exists()
    statuses = Counter(Person.objects.values_list("party_status", flat=True))
    assert statuses["full_member"] == SIZES["small"]["members"]
    for stage in ("applicant", "activist", "candidate", "probationary"):
        assert statuses[stage] > 0, stage
    assert sum(statuses[s] for s in ("applicant", "activist", "candidate", "probationary")) == SIZES["small"][
        "pipeline"]


@pytest.mark.parametrize("username, expected", [
    ("county_admin", lambda county, towns: county),
    ("town_organizer", lambda county, towns: towns[0]),
    ("other_town_organizer", lambda county, towns: towns[1]),
])
def test_the_demo_accounts_belong_to_the_right_organizations(county, username, expected):
    county = Organization.objects.get(kind=OrgKind.COUNTY)
    towns = list(Organization.objects.filter(kind=OrgKind.TOWNSHIP).order_by("path"))
    assert User.objects.get(username=username).organization == expected(county, towns)
    assert towns[0].name.endswith("龙泉镇委员会") and towns[1].name.endswith("青山镇委员会")


def test_the_village_secretary_belongs_to_a_village_branch_of_the_first_township(county):
    first = Organization.objects.filter(kind=OrgKind.TOWNSHIP).order_by("path").first()
    org = User.objects.get(username="village_secretary").organization
    assert (org.kind, org.place_type, org.parent_id) == (OrgKind.BRANCH, PlaceType.VILLAGE, first.pk)


@pytest.mark.parametrize("username", ["county_admin", "town_organizer", "village_secretary", "other_town_organizer"])
def test_each_demo_account_logs_in_with_the_demo_password_and_sees_his_start_page(county, username):
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
    assert (response.status_code, response["Location"]) == (302, "/")
    page = client.get("/").content.decode()
    assert User.objects.get(username=username).organization.name in page
    assert "演示数据" in page  # the demo banner


def test_the_demo_installation_is_flagged_and_its_audit_chain_verifies(county):
    inst = Installation.objects.get()
    assert (inst.is_demo, inst.demo_seed, inst.demo_scale) == (True, 7, "small")
    assert audit_verify().ok
    assert county["people"] == Person.objects.count()
