"""The archives list pages cost the same number of queries for 2 archives as for 12 (no N+1)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.archives import samples
from dangjian.archives.services import archive_file_upload, problem_record, round_draw, round_open
from tests.archives.conftest import actor, make_archive, upload

STEPS = {"S01": ("王书记", "党支部书记"), "S02": ("王书记", "党支部书记"), "S07": ("刘", "组织委员")}


def _add(world, n):
    for i in range(n):
        d = make_archive(world, world.v1 if i % 2 else world.w1, steps=STEPS)
        archive_file_upload(actor=actor(world, "county_admin"), dossier_id=d.pk, step="S01", material="入党申请书",
                            upload=upload("a.png", samples.png_bytes()))


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _round_with_problems(world):
    admin = actor(world, "county_admin")
    rnd = round_open(actor=admin, name="审查", year=2026, half=1, per_township=20)
    round_draw(actor=admin, round_id=rnd.pk, seed=1)
    for s in rnd.samples.all():
        problem_record(actor=admin, sample_id=s.pk, problem_type="unsigned", step="S07", note="未签名")
    return rnd


def test_the_completeness_page_does_not_grow_with_the_archives(world):
    client = world.client("county_admin")
    _add(world, 2)
    small = _count(client, "/archives/")
    _add(world, 10)
    assert _count(client, "/archives/") == small


def test_the_round_and_problem_pages_do_not_grow_with_the_problems(world):
    client = world.client("county_admin")
    _add(world, 2)
    rnd = _round_with_problems(world)
    small = (_count(client, f"/archives/audits/{rnd.pk}/"), _count(client, "/archives/problems/"),
             _count(client, "/archives/audits/"))
    _add(world, 10)
    rnd2 = _round_with_problems(world)
    assert rnd2.problems.count() > rnd.problems.count()
    assert _count(client, f"/archives/audits/{rnd2.pk}/") == small[0]
    assert _count(client, "/archives/problems/") == small[1]
    assert _count(client, "/archives/audits/") == small[2]  # the round list: fixed, whatever the number of rounds


def test_the_rounds_list_costs_the_same_for_one_round_as_for_five(world):
    client = world.client("county_admin")
    _add(world, 2)
    _round_with_problems(world)
    one = _count(client, "/archives/audits/")
    for _ in range(4):
        _round_with_problems(world)
    assert _count(client, "/archives/audits/") == one
    api = world.client("county_admin")
    with CaptureQueriesContext(connection) as ctx:
        assert len(api.get("/api/archives/rounds").json()) == 5
    _round_with_problems(world)
    with CaptureQueriesContext(connection) as ctx6:
        assert len(api.get("/api/archives/rounds").json()) == 6
    assert len(ctx6.captured_queries) == len(ctx.captured_queries)


def test_the_round_list_selector_is_three_queries(world, django_assert_num_queries):
    from dangjian.archives.selectors import round_list

    _add(world, 2)
    for _ in range(3):
        _round_with_problems(world)
    user = world.users["county_admin"]
    user.organization  # noqa: B018 — loaded once, as in a request
    with django_assert_num_queries(3):  # the rounds, their samples counted, their problems counted
        assert len(round_list(user=user)) == 3
