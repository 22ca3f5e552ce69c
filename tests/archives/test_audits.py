"""Archive audits: the reproducible sample, problems (recorded and proposed from rule findings) assigned to the
step's responsible person, the township's rectification, the county's re-check, and the round's statistics."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from dangjian.archives import samples
from dangjian.archives.models import ArchiveFile, AuditProblem, AuditSample, ProblemStatus
from dangjian.archives.selectors import round_stats
from dangjian.archives.services import (
    draw_sample,
    problem_record,
    problem_rectify,
    problem_review,
    round_close,
    round_draw,
    round_open,
)
from dangjian.core.errors import NotAllowed, OutOfScope
from dangjian.core.models import AuditEntry
from dangjian.development.models import Finding
from tests.archives.conftest import actor, make_archive, upload


def _open(world, per_township=20):
    return round_open(actor=actor(world, "county_admin"), name="2026年上半年档案提级审查", year=2026, half=1,
                      per_township=per_township)


@pytest.fixture
def archives(world):
    """T1 has 5 archives (4 in V1, 1 in V2), T2 has 2; plus an applicant and a probationary member outside the
    audit's definition (an applicant is no archive yet)."""
    resp = {"S07": ("刘书记", "党支部书记"), "S10": ("周委员", "组织委员"), "S17": ("陈书记", "乡镇党委书记")}
    t1 = [make_archive(world, world.v1, steps=resp) for _ in range(4)] + [make_archive(world, world.v2, steps=resp,
                                                                                       status="probationary")]
    t2 = [make_archive(world, world.w1, steps=resp, status="full_member") for _ in range(2)]
    make_archive(world, world.w1, status="applicant")
    return {"T100": t1, "T200": t2}


# --- the sample ---------------------------------------------------------------------------------------------
def test_the_same_seed_draws_the_same_sample_and_another_seed_another():
    town = object()
    pools = [(town, list(range(1, 200)))]
    first = draw_sample(seed=42, per_township=20, pools=pools)
    assert first == draw_sample(seed=42, per_township=20, pools=[(town, list(reversed(range(1, 200))))])
    assert first != draw_sample(seed=43, per_township=20, pools=pools)


@pytest.mark.parametrize("available, n, expected", [(0, 20, 0), (5, 20, 5), (20, 20, 20), (57, 20, 20), (3, 1, 1)])
def test_each_township_gets_min_n_available_distinct_archives(available, n, expected):
    a, b = object(), object()
    drawn = draw_sample(seed=7, per_township=n, pools=[(a, list(range(available))), (b, list(range(100, 130)))])
    from_a = [pk for t, pk in drawn if t is a]
    assert len(from_a) == len(set(from_a)) == expected
    assert len([pk for t, pk in drawn if t is b]) == min(n, 30)


@pytest.fixture
def crowded(world, archives):
    """T1 with 25 archives (20 more in V1): more than a round draws from it."""
    archives["T100"] += [make_archive(world, world.v1) for _ in range(20)]
    return archives


def test_drawing_covers_every_township_records_the_seed_and_cannot_be_redone(world, crowded):
    rnd = _open(world)
    # min(20, archives) per township: 20 of T1's 25, both of T2's.
    assert round_draw(actor=actor(world, "county_admin"), round_id=rnd.pk, seed=2026) == 20 + 2
    rnd.refresh_from_db()
    assert rnd.seed == 2026 and rnd.drawn_at is not None
    by_town = {}
    for s in AuditSample.objects.filter(round=rnd).select_related("township"):
        by_town.setdefault(s.township.code, set()).add(s.dossier_id)
        assert s.org_path.startswith(s.township.path)
    assert {k: len(v) for k, v in by_town.items()} == {"T100": 20, "T200": 2}
    assert by_town["T100"] <= {d.pk for d in crowded["T100"]}
    entry = AuditEntry.objects.get(action="archives.round_draw")
    assert entry.after["seed"] == 2026 and sorted(entry.after["drawn"]) == sorted(set().union(*by_town.values()))
    with pytest.raises(ValidationError) as exc:
        round_draw(actor=actor(world, "county_admin"), round_id=rnd.pk, seed=1)
    assert "不能重抽" in exc.value.message_dict["seed"][0]


def test_the_draw_can_be_redone_from_the_audit_log_and_a_changed_sample_is_detected(world, archives):
    from dangjian.archives.selectors import round_draw_check

    rnd = _open(world)
    assert round_draw_check(rnd=rnd) is None
    round_draw(actor=actor(world, "county_admin"), round_id=rnd.pk, seed=31)
    spare = make_archive(world, world.v1)  # archives added later do not change what the recorded draw ran over
    assert round_draw_check(rnd=rnd) is True
    assert "抽样复核一致" in world.client("county_admin").get(f"/archives/audits/{rnd.pk}/").content.decode()
    first = AuditSample.objects.filter(round=rnd, township__code="T100").order_by("position").first()
    first.dossier = spare
    first.save()  # swapped out of band
    assert round_draw_check(rnd=rnd) is False


def test_a_second_round_with_the_same_seed_draws_the_same_archives(world, crowded):
    drawn = []
    for seed in (99, 99, 100):
        rnd = _open(world)
        round_draw(actor=actor(world, "county_admin"), round_id=rnd.pk, seed=seed)
        drawn.append(sorted(AuditSample.objects.filter(round=rnd).values_list("dossier_id", flat=True)))
    assert drawn[0] == drawn[1]
    assert drawn[0] != drawn[2]  # 20 of T1's 25: another seed, (almost surely) another sample


@pytest.mark.parametrize("persona", ["town_organizer", "village_secretary", "readonly"])
def test_only_the_county_administrator_opens_and_draws(world, persona):
    with pytest.raises(NotAllowed):
        round_open(actor=actor(world, persona), name="x", year=2026, half=1)
    rnd = _open(world)
    with pytest.raises(NotAllowed):
        round_draw(actor=actor(world, persona), round_id=rnd.pk, seed=1)


@pytest.mark.parametrize("kw, field", [({"name": " "}, "name"), ({"year": 1999}, "year"), ({"half": 3}, "half"),
                                       ({"per_township": 0}, "per_township"), ({"per_township": 19}, "per_township"),
                                       ({"per_township": 501}, "per_township")])
def test_bad_round_input_names_the_field_and_writes_nothing(world, kw, field):
    args = {"name": "审查", "year": 2026, "half": 1, "per_township": 20, **kw}
    with pytest.raises(ValidationError) as exc:
        round_open(actor=actor(world, "county_admin"), **args)
    assert field in exc.value.message_dict
    from dangjian.archives.models import AuditRound

    assert not AuditRound.objects.exists()


@pytest.mark.parametrize("given", [1, 3, 19])
def test_a_round_sampling_fewer_than_20_per_township_is_refused_with_a_chinese_message(world, given):
    # Issue 6: at least min(20, number of archives) per township; a township with fewer gives all it has.
    with pytest.raises(ValidationError) as exc:
        round_open(actor=actor(world, "county_admin"), name="审查", year=2026, half=1, per_township=given)
    assert exc.value.message_dict["per_township"] == ["每个乡镇至少抽取：不能少于 20 份（每个乡镇每半年至少抽查 20 份档案，"
                                                      "不足 20 份的全部抽取）"]
    resp = world.client("county_admin").post("/archives/audits/", {"name": "审查", "year": "2026", "half": "1",
                                                                   "per_township": str(given)})
    assert resp.status_code == 400
    assert "每个乡镇至少抽取：不能少于 20 份" in resp.content.decode()
    from dangjian.archives.models import AuditRound

    assert not AuditRound.objects.exists()
    assert round_open(actor=actor(world, "county_admin"), name="审查", year=2026, half=1, per_township=20).pk


# --- problems ------------------------------------------------------------------------------------------------
@pytest.fixture
def drawn(world, archives):
    rnd = _open(world, per_township=20)
    round_draw(actor=actor(world, "county_admin"), round_id=rnd.pk, seed=5)
    return rnd


def _sample(rnd, code):
    return AuditSample.objects.filter(round=rnd, township__code=code).order_by("position").first()


def test_a_problem_is_assigned_to_the_responsible_person_and_role_of_its_step(world, drawn):
    p = problem_record(actor=actor(world, "county_admin"), sample_id=_sample(drawn, "T100").pk,
                       problem_type="unsigned", step="S10", note="政治审查综合报告未盖章")
    assert (p.responsible_name, p.responsible_role, p.responsibility) == ("周委员", "组织委员", "examine")
    assert p.status == ProblemStatus.OPEN and p.township.code == "T100"
    assert AuditSample.objects.get(pk=p.sample_id).checked


def test_a_stored_rule_finding_is_proposed_and_accepted_in_one_step(world, drawn):
    s = _sample(drawn, "T200")
    f = Finding.objects.create(dossier=s.dossier, org_path=s.org_path, code="N-QUORUM", severity="E", step="S17",
                               message="支部大会到会有表决权的正式党员不足半数")
    page = world.client("county_admin").get(f"/archives/samples/{s.pk}/").content.decode()
    assert "N-QUORUM" in page and "记为问题" in page
    resp = world.client("county_admin").post(f"/archives/samples/{s.pk}/problems/", {"finding": f.pk})
    assert resp.status_code == 302
    p = AuditProblem.objects.get()
    assert (p.problem_type, p.step, p.finding_code, p.note) == ("quorum", "S17", "N-QUORUM", f.message)
    assert (p.responsible_name, p.responsibility) == ("陈书记", "approve")
    assert "记为问题" not in world.client("county_admin").get(f"/archives/samples/{s.pk}/").content.decode()
    with pytest.raises(ValidationError):
        problem_record(actor=actor(world, "county_admin"), sample_id=s.pk, finding_id=f.pk)


def test_bad_problem_input_names_the_field_and_writes_nothing(world, drawn):
    resp = world.client("county_admin").post(f"/archives/samples/{_sample(drawn, 'T100').pk}/problems/",
                                             {"problem_type": "nonsense", "step": "S07", "note": ""})
    assert resp.status_code == 400
    body = resp.content.decode()
    assert "问题类型：请从问题目录中选择" in body and "问题说明：必填" in body
    assert not AuditProblem.objects.exists()


@pytest.fixture
def problems(world, drawn):
    admin = actor(world, "county_admin")
    out = {}
    for code in ("T100", "T200"):
        out[code] = problem_record(actor=admin, sample_id=_sample(drawn, code).pk, problem_type="missing_material",
                                   step="S07", note=f"{code} 缺少支委会会议记录")
    return out


def test_a_township_organizer_sees_only_his_townships_problems(world, problems):
    for persona, own, other in (("town_organizer", "T100", "T200"), ("other_town_organizer", "T200", "T100")):
        client = world.client(persona)
        page = client.get("/archives/problems/").content.decode()
        assert f"{own} 缺少" in page and f"{other} 缺少" not in page
        assert client.get(f"/archives/problems/{problems[own].pk}/").status_code == 200
        assert client.get(f"/archives/problems/{problems[other].pk}/").status_code == 404
        assert f"/archives/problems/{problems[other].pk}/" not in page
        assert f"/archives/problems/{problems[own].pk}/" in page
        with pytest.raises(OutOfScope):
            problem_rectify(actor=actor(world, persona), problem_id=problems[other].pk, answer="已补")


def test_the_township_rectifies_with_a_scan_and_the_county_closes(world, problems):
    p = problems["T100"]
    resp = world.client("town_organizer").post(f"/archives/problems/{p.pk}/rectify/", {
        "answer": "已补齐支委会会议记录并归档", "file": upload("记录.png", samples.png_bytes(), "image/png")})
    assert resp.status_code == 302
    p.refresh_from_db()
    assert p.status == ProblemStatus.ANSWERED and p.answered_by.username == "town_organizer"
    f = ArchiveFile.objects.get(problem=p)
    assert (f.material, f.dossier_id, f.kind) == ("整改材料", p.sample.dossier_id, "png")
    with pytest.raises(NotAllowed):
        problem_review(actor=actor(world, "town_organizer"), problem_id=p.pk, decision="close")
    resp = world.client("county_admin").post(f"/archives/problems/{p.pk}/review/", {"decision": "close", "note": "已核实"})
    assert resp.status_code == 302
    p.refresh_from_db()
    assert p.status == ProblemStatus.CLOSED and p.closed_by.username == "county_admin"
    assert list(AuditEntry.objects.filter(object_type="audit_problem", object_id=str(p.pk))
                .values_list("action", flat=True)) == ["archives.problem_record", "archives.problem_view",
                                                      "archives.problem_rectify", "archives.problem_view",
                                                      "archives.problem_review"]


def test_the_county_sends_back_with_a_reason_and_the_township_answers_again(world, problems):
    p = problems["T200"]
    problem_rectify(actor=actor(world, "other_town_organizer"), problem_id=p.pk, answer="已补")
    with pytest.raises(ValidationError) as exc:
        problem_review(actor=actor(world, "county_admin"), problem_id=p.pk, decision="return", note="")
    assert "复核意见" in exc.value.message_dict["note"][0]
    problem_review(actor=actor(world, "county_admin"), problem_id=p.pk, decision="return", note="记录无签名")
    p.refresh_from_db()
    assert (p.status, p.returned, p.review_note) == (ProblemStatus.OPEN, 1, "记录无签名")
    problem_rectify(actor=actor(world, "other_town_organizer"), problem_id=p.pk, answer="已补签名")
    p.refresh_from_db()
    assert p.status == ProblemStatus.ANSWERED and p.answer == "已补签名"


def test_an_open_problem_cannot_be_closed_before_it_is_answered(world, problems):
    with pytest.raises(ValidationError):
        problem_review(actor=actor(world, "county_admin"), problem_id=problems["T100"].pk, decision="close")


def test_the_county_does_not_answer_its_own_audit(world, problems):
    with pytest.raises(NotAllowed):
        problem_rectify(actor=actor(world, "county_admin"), problem_id=problems["T100"].pk, answer="x")


def test_a_round_closes_only_when_every_problem_is_closed(world, drawn, problems):
    admin = actor(world, "county_admin")
    with pytest.raises(ValidationError) as exc:
        round_close(actor=admin, round_id=drawn.pk)
    assert "2 个问题未销号" in exc.value.message_dict["status"][0]
    for code, persona in (("T100", "town_organizer"), ("T200", "other_town_organizer")):
        problem_rectify(actor=actor(world, persona), problem_id=problems[code].pk, answer="已整改")
        problem_review(actor=admin, problem_id=problems[code].pk, decision="close")
    assert round_close(actor=admin, round_id=drawn.pk).status == "closed"
    with pytest.raises(ValidationError):
        problem_record(actor=admin, sample_id=_sample(drawn, "T100").pk, problem_type="other", note="迟到")


# --- statistics and export ------------------------------------------------------------------------------------
def test_the_statistics_match_the_rows(world, drawn, problems):
    admin = actor(world, "county_admin")
    extra = problem_record(actor=admin, sample_id=_sample(drawn, "T100").pk, problem_type="date_order", step="S17",
                           note="审批早于支部大会")
    problem_rectify(actor=actor(world, "town_organizer"), problem_id=extra.pk, answer="已说明")
    problem_review(actor=admin, problem_id=extra.pk, decision="close")
    stats = round_stats(user=world.users["county_admin"], rnd=drawn)
    samples_n = AuditSample.objects.filter(round=drawn).count()
    assert stats.sentence == f"审查档案{samples_n}份，发现问题3个，已整改1个"
    assert dict((k, (n, d)) for k, n, d in stats.by_type) == {"材料缺失": (2, 0), "时间逻辑错误（日期顺序颠倒）": (1, 1)}
    assert {k: (a, n, d) for k, a, n, d in stats.by_org} == {"甲镇党委": (5, 2, 1), "乙镇党委": (2, 1, 0)}
    assert dict((k, (n, d)) for k, n, d in stats.by_responsibility) == {"考察责任": (2, 0), "审批责任": (1, 1)}
    assert dict((k, (n, d)) for k, n, d in stats.by_role) == {"党支部书记": (2, 0), "乡镇党委书记": (1, 1)}
    assert stats.by_person == [("刘书记", "党支部书记", 2), ("陈书记", "乡镇党委书记", 1)]
    # The township sees its own share only.
    own = round_stats(user=world.users["town_organizer"], rnd=drawn)
    assert own.sentence == "审查档案5份，发现问题2个，已整改1个"
    page = world.client("county_admin").get(f"/archives/audits/{drawn.pk}/").content.decode()
    assert stats.sentence in page
    assert "<td>刘书记</td><td>党支部书记</td><td>2</td>" in page


def test_the_export_lists_the_rounds_problems_in_scope(world, drawn, problems):
    resp = world.client("town_organizer").get(f"/archives/audits/{drawn.pk}/export/")
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(resp.streaming_content))).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:5] == ("序号", "乡镇", "党支部", "姓名", "问题类型")
    assert [r[1] for r in rows[1:]] == ["甲镇党委"]
    assert rows[1][6] == "T100 缺少支委会会议记录" and rows[1][8] == "刘书记"
    assert AuditEntry.objects.filter(action="archives.round_export").exists()


def test_a_round_of_another_county_is_not_found(world, drawn):
    from tests.urlmap import add_outer_county

    add_outer_county(world)
    from dangjian.orgs.models import User

    outer = world.client("anonymous")
    outer.force_login(User.objects.get(username="outer_admin"))
    assert outer.get(f"/archives/audits/{drawn.pk}/").status_code == 404
    assert f"/archives/audits/{drawn.pk}/" not in outer.get("/archives/audits/").content.decode()


def test_the_api_gives_the_round_statistics_and_only_the_townships_problems(world, drawn, problems):
    body = world.client("town_organizer").get(f"/api/archives/rounds/{drawn.pk}").json()
    assert body["summary"] == "审查档案5份，发现问题1个，已整改0个"
    assert [(p["township_code"], p["responsible_name"]) for p in body["problems_list"]] == [("T100", "刘书记")]
    listed = world.client("county_admin").get("/api/archives/rounds").json()
    assert [(r["id"], r["problems"]) for r in listed] == [(drawn.pk, 2)]
    assert world.client("other_town_organizer").get("/api/archives/rounds/999999").status_code == 404


def test_the_statistics_keep_two_townships_of_the_same_name_apart(world, problems):
    # Grouped by the township's id, shown by its name: a rename or a namesake does not merge two rows.
    from dangjian.orgs.models import Organization

    Organization.objects.filter(code="T200").update(name="甲镇党委")
    stats = round_stats(user=world.users["county_admin"], rnd=problems["T100"].round)
    assert sorted(stats.by_org) == [("甲镇党委", 2, 1, 0), ("甲镇党委", 5, 1, 0)]
    page = world.client("county_admin").get(f"/archives/audits/{problems['T100'].round_id}/").content.decode()
    assert page.count("<summary>甲镇党委（") == 2  # the samples, also grouped by township id


def test_the_rounds_page_gives_each_round_its_sentence(world, drawn, problems):
    admin = actor(world, "county_admin")
    problem_rectify(actor=actor(world, "town_organizer"), problem_id=problems["T100"].pk, answer="已整改")
    problem_review(actor=admin, problem_id=problems["T100"].pk, decision="close")
    empty = _open(world)
    from dangjian.archives.selectors import round_list

    summaries = {r.pk: st.sentence for r, st in round_list(user=world.users["county_admin"])}
    assert summaries == {drawn.pk: "审查档案7份，发现问题2个，已整改1个", empty.pk: "审查档案0份，发现问题0个，已整改0个"}
    assert {r.pk: st.sentence for r, st in round_list(user=world.users["other_town_organizer"])}[drawn.pk] == (
        "审查档案2份，发现问题1个，已整改0个")
    page = world.client("county_admin").get("/archives/audits/").content.decode()
    assert "审查档案7份，发现问题2个，已整改1个" in page and "尚未抽取档案" in page


def _stored_files(directory) -> list:
    return [p for p in directory.rglob("*") if p.is_file()] if directory.exists() else []


def test_a_rectification_that_rolls_back_leaves_no_scan_on_disk(world, problems, archive_dir, monkeypatch):
    from dangjian.archives import services

    real = services.audit_log

    def failing(**kw):
        if kw.get("action") == "archives.problem_rectify":
            raise RuntimeError("audit store down")
        return real(**kw)

    monkeypatch.setattr(services, "audit_log", failing)  # fails after the scan was stored, inside the transaction
    p = problems["T100"]
    with pytest.raises(RuntimeError):
        problem_rectify(actor=actor(world, "town_organizer"), problem_id=p.pk, answer="已补齐",
                        upload=upload("记录.png", samples.png_bytes(), "image/png"))
    assert _stored_files(archive_dir) == []
    assert not ArchiveFile.objects.filter(problem=p).exists()
    p.refresh_from_db()
    assert p.status == ProblemStatus.OPEN and p.answer == ""
    monkeypatch.setattr(services, "audit_log", real)
    problem_rectify(actor=actor(world, "town_organizer"), problem_id=p.pk, answer="已补齐",
                    upload=upload("记录.png", samples.png_bytes(), "image/png"))
    assert len(_stored_files(archive_dir)) == 1  # the committed one stays
