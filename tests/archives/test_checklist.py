"""The checklist (PROCEDURE §7 by default, county-editable) and completeness per dossier and per organization."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from dangjian.archives import samples
from dangjian.archives.catalogue import DEFAULT_CHECKLIST, STEP_RESPONSIBILITY
from dangjian.archives.models import ChecklistItem
from dangjian.archives.selectors import checklist_for, completeness_lists
from dangjian.archives.services import archive_file_upload, checklist_update
from dangjian.core.errors import NotAllowed
from dangjian.core.models import AuditEntry
from tests.archives.conftest import actor, make_archive, upload


def test_the_default_checklist_covers_every_step_and_article_37s_five_materials():
    assert list(DEFAULT_CHECKLIST) == [f"S{i:02d}" for i in range(1, 26)]
    everything = {m for ms in DEFAULT_CHECKLIST.values() for m in ms}
    assert {"入党志愿书", "入党申请书", "转正申请书", "政治审查综合报告", "入党积极分子培养教育考察登记表"} <= everything


def test_every_step_has_exactly_one_responsibility():
    assert set(STEP_RESPONSIBILITY) == set(DEFAULT_CHECKLIST)
    assert set(STEP_RESPONSIBILITY.values()) == {"cultivate", "examine", "approve"}


def test_a_county_edits_its_own_checklist_and_completeness_follows(world):
    d = make_archive(world, world.v1, steps={"S01": ("王", "书记"), "S02": ("王", "书记")})
    archive_file_upload(actor=actor(world, "village_secretary"), dossier_id=d.pk, step="S02", material="谈话记录",
                        upload=upload("a.pdf", samples.pdf_bytes()))
    by_org, by_dossier = completeness_lists(user=world.users["county_admin"])
    assert [(r.dossier_id, r.expected, r.done, r.percent) for r in by_dossier] == [(d.pk, 4, 1, 25)]
    resp = world.client("county_admin").post("/archives/checklist/", {
        **{code: "\n".join(names) for code, names in DEFAULT_CHECKLIST.items()}, "S01": "入党申请书\n\n入党申请书"})
    assert resp.status_code == 302
    assert checklist_for(world.county)["S01"] == ["入党申请书"]
    assert ChecklistItem.objects.filter(county=world.county, step="S01").count() == 1
    _, by_dossier = completeness_lists(user=world.users["county_admin"])
    assert (by_dossier[0].expected, by_dossier[0].done, by_dossier[0].percent) == (2, 1, 50)
    entry = AuditEntry.objects.get(action="archives.checklist_update")
    assert entry.before["S01"] == list(DEFAULT_CHECKLIST["S01"]) and entry.after["S01"] == ["入党申请书"]


@pytest.mark.parametrize("persona", ["town_organizer", "village_secretary", "readonly"])
def test_only_the_county_administrator_edits_the_checklist(world, persona):
    with pytest.raises(NotAllowed):
        checklist_update(actor=actor(world, persona), items={"S01": ["x"]})
    assert world.client(persona).post("/archives/checklist/", {"S01": "x"}).status_code == 403
    assert not ChecklistItem.objects.exists()


def test_a_too_long_material_name_is_refused_naming_the_step(world):
    with pytest.raises(ValidationError) as exc:
        checklist_update(actor=actor(world, "county_admin"), items={"S03": ["很" * 61]})
    assert "S03 材料名称" in exc.value.message_dict["S03"][0]
    assert not ChecklistItem.objects.exists()


def test_completeness_per_organization_is_the_sum_of_its_dossiers_and_sorts(world):
    a = make_archive(world, world.v1, steps={"S02": ("王", "书记")})
    make_archive(world, world.v1, steps={"S02": ("王", "书记"), "S04": ("张", "组织委员")})
    make_archive(world, world.w1, steps={"S02": ("赵", "书记")})
    archive_file_upload(actor=actor(world, "town_organizer"), dossier_id=a.pk, step="S02", material="谈话记录",
                        upload=upload("a.png", samples.png_bytes()))
    by_org, _ = completeness_lists(user=world.users["county_admin"], sort="-percent")
    # The county sees its townships; a township its branches; ?org= one level down.
    assert [(r.code, r.dossiers, r.expected, r.done, r.percent) for r in by_org] == [
        ("T100", 2, 3, 1, 33), ("T200", 1, 1, 0, 0)]
    by_org, _ = completeness_lists(user=world.users["county_admin"], sort="percent")
    assert [r.code for r in by_org] == ["T200", "T100"]
    by_org, _ = completeness_lists(user=world.users["town_organizer"])
    assert [(r.code, r.dossiers) for r in by_org] == [("T101", 2)]
    by_org, _ = completeness_lists(user=world.users["county_admin"], org=world.t1)
    assert [(r.code, r.percent) for r in by_org] == [("T101", 33)]
    page = world.client("county_admin").get("/archives/?sort=-percent").content.decode()
    assert page.index("甲镇党委") < page.index("乙镇党委") and "33%" in page
    assert world.client("town_organizer").get("/archives/?org=T200").status_code == 404


def test_the_dossier_page_loads_the_archive_block(world):
    d = make_archive(world, world.v1, steps={"S01": ("王", "书记")})
    page = world.client("village_secretary").get(f"/dossiers/{d.pk}/").content.decode()
    assert f"/archives/dossiers/{d.pk}/?partial=1" in page
    block = world.client("village_secretary").get(f"/archives/dossiers/{d.pk}/?partial=1").content.decode()
    assert "入党申请书" in block and "身份证复印件" in block and "<html" not in block
