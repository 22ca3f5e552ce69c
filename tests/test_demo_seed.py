"""The demo county is deterministic from its seed (issue 2, item 10). Each generation runs on an empty
database inside a savepoint that is then thrown away, with the clock pinned (ages count back from "today")."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone

from dangjian.core import clock, crypto
from dangjian.demo.generate import generate
from dangjian.orgs.models import Organization, User
from dangjian.people.models import Person

NOW = timezone.now()


class _Undo(Exception):
    pass


def _snapshot() -> dict:
    orgs = list(Organization.objects.order_by("path").values_list("code", "name", "kind", "path", "place_type",
                                                                  "has_branch_committee", "can_approve"))
    people = [(p.name, crypto.decrypt(p.id_number_enc), p.birth_date, p.gender, p.ethnicity, p.organization.code,
               p.party_status, p.status_date, p.education, p.household_type, p.occupations, p.phone)
              for p in Person.objects.select_related("organization").order_by("id")]
    users = list(User.objects.order_by("username").values_list("username", "organization__code", "role"))
    return {"orgs": orgs, "people": people, "users": users}


def _generate_and_undo(seed: int) -> dict:
    snap: dict = {}
    try:
        with transaction.atomic(), clock.frozen(NOW):
            summary = generate(seed=seed, scale="small")
            snap = {"summary": summary, **_snapshot()}
            raise _Undo
    except _Undo:
        pass
    assert not Organization.objects.exists()
    return snap


@pytest.mark.slow
def test_the_same_seed_gives_the_same_county(db):
    first, again = _generate_and_undo(11), _generate_and_undo(11)
    assert first["orgs"] and first["people"]
    assert first == again


def test_generate_refuses_a_database_that_already_has_data(world):
    before = Person.objects.count()
    with pytest.raises(RuntimeError, match="已有数据"):
        generate(seed=1, scale="small")
    assert Person.objects.count() == before
