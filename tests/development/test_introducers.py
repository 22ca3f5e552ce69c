"""N-INTRODUCER-LOAD from the stored records: an introducer's candidates open at the same time, per branch."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.core import clock
from dangjian.core.audit import Actor
from dangjian.development.introducers import introducer_facts
from dangjian.development.models import Dossier, Finding
from dangjian.development.services import StepInput, dossier_open, dossier_recheck, dossier_record_step
from tests.conftest import add_person

TODAY = dt.date(2025, 6, 30)
D = dt.date


@pytest.fixture
def frozen():
    with clock.frozen(TODAY):
        yield


def admin(world):
    return Actor(user=world.users["county_admin"])


def rec(world, dossier, step, date, data=None):
    # 补录 (past mode): saved whatever else the dossier lacks, so each case sets only what it is about.
    return dossier_record_step(actor=admin(world), dossier_id=dossier.pk,
                               inp=StepInput(step=step, date=date, data=data or {}, mode="past"))


def candidate(world, key, org, *, s07, introducers, s17=None):
    person = add_person(world, key, org, f"候{key}", party_status="applicant", status_date=s07 - dt.timedelta(600))
    d = dossier_open(actor=admin(world), person_id=person.pk)
    rec(world, d, "S01", s07 - dt.timedelta(days=600))
    rec(world, d, "S07", s07, {"opinions_heard": (s07 - dt.timedelta(days=2)).isoformat()})
    rec(world, d, "S09", s07 + dt.timedelta(days=5), INTRO(*introducers))
    if s17:
        rec(world, d, "S17", s17, {"body_type": "township_committee", "mode": "collective_meeting"})
    return d


def INTRO(*names):  # noqa: N802 - reads like the data it makes
    data = {}
    for i, name in enumerate(names, start=1):
        data |= {f"introducer{i}_name": name, f"introducer{i}_status": "full", f"introducer{i}_discipline": "none"}
    return data


def loads(dossier) -> list[str]:
    return list(Finding.objects.filter(dossier=dossier, code="N-INTRODUCER-LOAD").values_list("message", flat=True))


@pytest.mark.parametrize(("first", "second", "same_branch", "expected"), [
    # (S07, S17) of each dossier; whether both are in the same branch; the count each sees for 张三
    (((D(2024, 9, 1), None)), ((D(2024, 10, 1), None)), True, 2),           # both still open
    (((D(2023, 9, 1), D(2024, 3, 1))), ((D(2024, 9, 1), None)), True, 1),   # the first approved before
    (((D(2024, 1, 1), D(2024, 9, 1))), ((D(2024, 8, 1), None)), True, 2),   # overlapping by a month
    (((D(2024, 1, 1), D(2024, 9, 1))), ((D(2024, 9, 1), None)), True, 1),   # one ends the day the other starts
    (((D(2024, 9, 1), None)), ((D(2024, 10, 1), None)), False, 1),          # another branch's 张三
])
def test_open_candidates_counts_overlapping_candidacies_in_the_branch(world, frozen, first, second,
                                                                      same_branch, expected):
    a = candidate(world, "a", world.v1, s07=first[0], s17=first[1], introducers=["张三", "李四"])
    b = candidate(world, "b", world.v1 if same_branch else world.v2, s07=second[0], s17=second[1],
                  introducers=["张三", "赵六"])
    facts = introducer_facts([a.pk, b.pk])
    assert {i["name"]: i["open_candidates"] for i in facts[a.pk]["introducers"]} == {"张三": expected, "李四": 1}
    assert {i["name"]: i["open_candidates"] for i in facts[b.pk]["introducers"]} == {"张三": expected, "赵六": 1}
    for d in (a, b):
        found = loads(d)
        assert (len(found) == 1 and "张三" in found[0] and f"{expected} 名" in found[0]) if expected > 1 \
            else found == []


def test_recording_one_dossier_updates_the_other_and_changing_the_name_clears_it(world, frozen):
    a = candidate(world, "a", world.v1, s07=D(2024, 9, 1), introducers=["张三", "李四"])
    assert loads(a) == []
    b = candidate(world, "b", world.v1, s07=D(2024, 10, 1), introducers=["张三", "赵六"])
    assert len(loads(a)) == 1 and len(loads(b)) == 1  # a was refreshed when b's S09 was recorded
    rec(world, b, "S09", D(2024, 10, 6), INTRO("王五", "赵六"))
    assert loads(a) == [] and loads(b) == []
    rec(world, b, "S09", D(2024, 10, 6), INTRO("张三", "赵六"))
    rec(world, a, "S17", D(2024, 9, 20), {"body_type": "township_committee", "mode": "collective_meeting"})
    assert loads(a) == [] and loads(b) == []  # a approved before b became a candidate


def test_recheck_gives_the_same_counts(world, frozen):
    a = candidate(world, "a", world.v1, s07=D(2024, 9, 1), introducers=["张三", "李四"])
    b = candidate(world, "b", world.v1, s07=D(2024, 10, 1), introducers=["张三", "赵六"])
    Finding.objects.filter(code="N-INTRODUCER-LOAD").delete()
    Dossier.objects.update(warnings=0)
    dossier_recheck(actor=admin(world))
    assert len(loads(a)) == 1 and len(loads(b)) == 1
