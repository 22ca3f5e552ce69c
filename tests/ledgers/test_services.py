"""Import (preview and commit), check-up and export services: same rules and scope as the forms, all or
nothing, idempotent, audited in bulk."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from openpyxl import load_workbook

from dangjian.core.audit import Actor
from dangjian.core.errors import NotAllowed, OutOfScope
from dangjian.core.models import AuditEntry
from dangjian.development.models import Dossier, Finding, RecordMode, StepRecord
from dangjian.ledgers.checkup import annotate, ledger_check
from dangjian.ledgers.models import LedgerNote
from dangjian.ledgers.services import ledger_export, ledger_import, template_xlsx
from dangjian.people.models import Person
from dangjian.stats.rollup import fresh_sql
from tests.conftest import make_id
from tests.ledgers.conftest import activist_rows
from tests.ledgers.files import spreadsheet, write_csv, write_xlsx
from tests.support import full_ids_in, people_fingerprint, row_counts


def actor(world, persona="town_organizer"):
    return Actor(user=world.users[persona])


def members_rows(ids: list[str], org="T102") -> list[list]:
    rows = [["姓名", "公民身份号码", "性别", "学历", "联系电话", "所在党组织", "党员类别", "入党时间", "转正时间", "备注"]]
    for i, number in enumerate(ids):
        rows.append([f"党员{'甲乙丙丁戊'[i % 5]}", number, "", "高中", "13800000000", org, "正式党员",
                     "2010-07-01", "2011-07-01", "村民组长"])
    return rows


# --- import -----------------------------------------------------------------------------------------------
def test_a_valid_ledger_previews_then_commits_and_reimporting_changes_nothing(world, today, tmp_path):
    rows, ids = activist_rows(3)
    path = write_xlsx(tmp_path / "a.xlsx", rows)
    before = row_counts()
    preview = ledger_import(actor=actor(world), path=path)
    assert preview.valid and (preview.rows, preview.created, preview.updated, preview.unchanged) == (3, 3, 0, 0)
    assert row_counts() == before  # the preview writes nothing
    done = ledger_import(actor=actor(world), path=path, commit=True)
    assert done.committed and done.created == 3
    people = Person.objects.filter(name__in=[r[1] for r in rows[1:]]).order_by("name")
    assert people.count() == 3 and {p.party_status for p in people} == {"activist"}
    d = Dossier.objects.get(person=people[0])
    assert [(r.step, r.date, r.mode) for r in d.records.order_by("step")][:3] == [
        ("S01", dt.date(2023, 3, 1), RecordMode.PAST), ("S02", dt.date(2023, 3, 20), RecordMode.PAST),
        ("S03", dt.date(2023, 9, 5), RecordMode.PAST)]
    again = ledger_import(actor=actor(world), path=path, commit=True)
    assert again.committed and (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert Person.objects.count() == before["Person"] + 3


def _rollup() -> dict[tuple, int]:
    """The statistics roll-up as its reads see it (rows plus PostgreSQL's increments not yet folded in)."""
    with connection.cursor() as cur:
        cur.execute("SELECT org_path, party_status, dim, val, SUM(n) FROM (SELECT org_path, party_status, dim, val, n "
                    "FROM stats_rollup UNION ALL SELECT org_path, party_status, dim, val, n FROM stats_rollupdelta) t "
                    "GROUP BY org_path, party_status, dim, val")
        return {tuple(r[:4]): r[4] for r in cur.fetchall() if r[4]}


def test_an_import_keeps_the_statistics_rollup_equal_to_a_fresh_count(world, today, tmp_path):
    # New people go in by executemany (SQLite) or COPY (PostgreSQL): the roll-up's row triggers must see every one,
    # and the update path (a re-import with changes) as well.
    ids = [make_id(dt.date(1975, 1, 1 + i)) for i in range(5)]
    rows = members_rows(ids)
    assert ledger_import(actor=actor(world), path=write_xlsx(tmp_path / "m.xlsx", rows), commit=True).committed
    rows[1][3], rows[2][5] = "本科", "T101"
    again = ledger_import(actor=actor(world), path=write_xlsx(tmp_path / "m2.xlsx", rows), commit=True)
    assert again.committed and again.updated == 2
    with connection.cursor() as cur:
        cur.execute(fresh_sql(connection.vendor, unit=True))
        fresh = {tuple(r[:4]): r[4] for r in cur.fetchall()}
    assert _rollup() == fresh


def test_historical_faults_are_flagged_on_the_dossier_not_refused(world, today, tmp_path):
    rows, _ = activist_rows(1)
    rows[0] += ["确定为发展对象时间"]
    rows[1] += ["2024-03-01"]  # less than a year after 2023-09-05: N-ACT-1Y
    s = ledger_import(actor=actor(world), path=write_xlsx(tmp_path / "c.xlsx", rows), kind="candidate", commit=True)
    assert s.committed and s.findings["E"] > 0
    assert any("N-ACT-1Y" in w.message and w.column == "确定为发展对象时间" for w in s.warnings)
    d = Dossier.objects.get(person__name=rows[1][1])
    assert d.status == "candidate" and Finding.objects.filter(dossier=d, code="N-ACT-1Y").exists()


def test_one_bad_row_writes_nothing_and_names_the_row_column_value_and_reason(world, today, tmp_path):
    rows, ids = activist_rows(4)
    rows[3][3] = ids[2][:-1] + ("0" if ids[2][-1] != "0" else "1")  # wrong check digit in row 4
    path = write_xlsx(tmp_path / "bad.xlsx", rows)
    before = row_counts(), people_fingerprint(), StepRecord.objects.count(), AuditEntry.objects.filter(
        action="person.create").count()
    s = ledger_import(actor=actor(world), path=path, commit=True)
    assert not s.committed
    assert [(e.row, e.column) for e in s.errors] == [(4, "身份证号")]
    assert "校验位" in s.errors[0].message and s.errors[0].value.count("*") == 8  # masked, never in full
    assert (row_counts(), people_fingerprint(), StepRecord.objects.count(),
            AuditEntry.objects.filter(action="person.create").count()) == before
    rows[3][3] = ids[2]
    fixed = ledger_import(actor=actor(world), path=write_xlsx(tmp_path / "fixed.xlsx", rows), commit=True)
    assert fixed.committed and fixed.created == 4


def test_a_row_outside_the_users_subtree_is_an_error(world, today, tmp_path):
    rows, _ = activist_rows(2)
    rows[2][4] = "T201"  # 乙镇's village, not the organizer's
    s = ledger_import(actor=actor(world), path=write_xlsx(tmp_path / "s.xlsx", rows), commit=True)
    assert not s.committed
    assert [(e.row, e.column) for e in s.errors] == [(3, "所在党支部")]
    assert "不在您管辖的范围内" in s.errors[0].message


def test_a_person_registered_in_another_subtree_cannot_be_imported_over(world, today, tmp_path):
    rows, _ = activist_rows(1)
    rows[1][3] = world.id_numbers["w1_member"]
    s = ledger_import(actor=actor(world), path=write_xlsx(tmp_path / "o.xlsx", rows), commit=True)
    assert not s.committed and "已登记" in s.errors[0].message
    assert Person.objects.get(pk=world.people["w1_member"].pk).name == "赵德成"


def test_organizations_are_found_by_code_name_or_full_name_and_ambiguity_is_an_error(world, today, tmp_path):
    from dangjian.orgs.models import OrgKind
    from dangjian.orgs.services import org_create

    org_create(actor=Actor(), code="T103", name="东村党支部", kind=OrgKind.BRANCH, parent=world.t2,
               check_scope=False)  # same name in the other township: invisible to the organizer
    rows, _ = activist_rows(3)
    rows[1][4], rows[2][4], rows[3][4] = "东村党支部", "甲镇党委西村党支部", "t102"
    s = ledger_import(actor=actor(world), path=write_xlsx(tmp_path / "n.xlsx", rows))
    assert s.valid, s.errors
    admin = ledger_import(actor=actor(world, "county_admin"), path=write_xlsx(tmp_path / "n2.xlsx", rows))
    assert [e.row for e in admin.errors] == [2] and "2 个组织都叫「东村党支部」" in admin.errors[0].message


def test_the_default_organization_fills_rows_without_one(world, today, tmp_path):
    rows, _ = activist_rows(2)
    rows = [r[:4] + r[5:] for r in rows]  # no organization column
    path = write_xlsx(tmp_path / "d.xlsx", rows)
    missing = ledger_import(actor=actor(world), path=path)
    assert "缺少必需的列" in missing.errors[0].message and "所在党组织" in missing.errors[0].message
    s = ledger_import(actor=actor(world), path=path, default_org_code="T102", commit=True)
    names = [r[1] for r in rows[1:]]
    assert s.committed and set(Person.objects.filter(name__in=names).values_list("organization__code",
                                                                                 flat=True)) == {"T102"}
    again = ledger_import(actor=actor(world), path=path, default_org_code="T101", commit=True)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)  # nobody is moved by a default
    foreign = ledger_import(actor=actor(world), path=path, default_org_code="T201")
    assert "默认组织" in foreign.errors[0].message


def test_missing_and_shifted_columns_are_reported(world, today, tmp_path):
    rows, _ = activist_rows(2)
    no_id = [r[:3] + r[4:] for r in rows]
    s = ledger_import(actor=actor(world), path=write_xlsx(tmp_path / "m.xlsx", no_id), kind="activist")
    assert "缺少必需的列：「公民身份号码」" in s.errors[0].message
    shifted = [list(r) for r in rows]
    shifted[2] = [shifted[2][0], ""] + shifted[2][1:]  # one cell inserted: everything moves right
    s = ledger_import(actor=actor(world), path=write_xlsx(tmp_path / "sh.xlsx", shifted), commit=True)
    assert not s.committed
    row3 = [e for e in s.errors if e.row == 3]
    assert any("整体错位" in e.message for e in row3)


def test_a_readonly_user_may_preview_but_not_commit(world, today, tmp_path):
    rows, _ = activist_rows(1)
    path = write_xlsx(tmp_path / "r.xlsx", rows)
    assert ledger_import(actor=actor(world, "readonly"), path=path).valid
    with pytest.raises(NotAllowed):
        ledger_import(actor=actor(world, "readonly"), path=path, commit=True)
    with pytest.raises(OutOfScope):
        ledger_import(actor=actor(world, "orphan"), path=path)


def test_imports_write_audit_rows_in_bulk_one_per_person_and_dossier(world, today, tmp_path):
    rows, _ = activist_rows(3)
    start = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
    ledger_import(actor=actor(world), path=write_xlsx(tmp_path / "a.xlsx", rows), commit=True, filename="a.xlsx")
    actions = list(AuditEntry.objects.filter(id__gt=start).values_list("action", flat=True))
    assert actions.count("person.create") == 3 and actions.count("dossier.open") == 3
    assert actions.count("dossier.record_step") == 3 and actions.count("ledger.import") == 1
    from dangjian.core.audit import audit_verify

    assert audit_verify().ok
    assert not any(full_ids_in(str(e.after) + str(e.detail)) for e in AuditEntry.objects.filter(id__gt=start))


def test_the_member_roster_imports_updates_and_keeps_the_joining_date(world, today, tmp_path):
    ids = [make_id(dt.date(1970, 1, 1 + i)) for i in range(3)]
    path = write_xlsx(tmp_path / "m.xlsx", members_rows(ids))
    s = ledger_import(actor=actor(world), path=path, commit=True)
    assert s.committed and s.created == 3, s.errors
    p = Person.objects.get(id_number_masked=ids[0][:6] + "********" + ids[0][14:])
    assert (p.party_status, p.status_date, p.education) == ("full_member", dt.date(2011, 7, 1), "senior")
    assert p.ledger_note.joined_on == dt.date(2010, 7, 1) and p.ledger_note.remark == "村民组长"
    rows = members_rows(ids)
    rows[1][4] = "13911112222"
    s2 = ledger_import(actor=actor(world), path=write_xlsx(tmp_path / "m2.xlsx", rows), commit=True)
    assert (s2.created, s2.updated, s2.unchanged) == (0, 1, 2)
    p.refresh_from_db()
    assert p.phone == "13911112222" and p.version == 2


def test_member_rows_need_the_right_dates(world, today, tmp_path):
    ids = [make_id(dt.date(1971, 1, 1 + i)) for i in range(2)]
    rows = members_rows(ids)
    rows[1][8] = ""  # a full member without 转正时间
    rows[2][8] = "2009-01-01"  # 转正 before 入党
    s = ledger_import(actor=actor(world), path=write_xlsx(tmp_path / "m.xlsx", rows))
    assert [(e.row, e.column) for e in s.errors] == [(2, "转正时间"), (3, "转正时间")]


def test_the_reserve_ledger(world, today, tmp_path):
    number = make_id(dt.date(2000, 8, 8))
    rows = [["姓名", "身份证号", "所在党组织", "列入后备力量时间", "特长"], ["韩后备", number, "T101", "2024/5/1", "种植"]]
    s = ledger_import(actor=actor(world), path=write_csv(tmp_path / "r.csv", rows, encoding="gbk"), commit=True)
    assert s.committed and s.kind == "reserve"
    note = LedgerNote.objects.get(person__name="韩后备")
    assert (note.reserve_since, note.remark) == (dt.date(2024, 5, 1), "种植")


def test_gbk_csv_and_old_xls_import_the_same_as_xlsx(world, today, tmp_path):
    rows, _ = activist_rows(2)
    s1 = ledger_import(actor=actor(world), path=write_csv(tmp_path / "a.csv", rows, encoding="gbk"), commit=True)
    assert s1.committed and s1.created == 2
    # As an office suite writes them: LibreOffice headless where installed, else xlwt / openpyxl.
    s2 = ledger_import(actor=actor(world), path=spreadsheet(tmp_path / "a.xls", rows), commit=True)
    assert s2.committed and (s2.created, s2.unchanged) == (0, 2)
    s3 = ledger_import(actor=actor(world), path=spreadsheet(tmp_path / "a.xlsx", rows), commit=True)
    assert s3.committed and s3.unchanged == 2


def test_an_id_number_mangled_by_excel_is_an_error_not_a_guess(world, today, tmp_path):
    rows, ids = activist_rows(1)
    rows[1][3] = float(ids[0][:17] + "0")
    s = ledger_import(actor=actor(world), path=write_xlsx(tmp_path / "x.xlsx", rows), commit=True)
    assert not s.committed and "无法还原" in s.errors[0].message and "E+17" in s.errors[0].value


def test_duplicate_people_inside_one_file_are_errors(world, today, tmp_path):
    rows, ids = activist_rows(2)
    rows[2][3] = ids[0]
    s = ledger_import(actor=actor(world), path=write_xlsx(tmp_path / "d.xlsx", rows))
    assert [(e.row, "第 2 行重复" in e.message) for e in s.errors] == [(3, True)]


def test_a_full_member_cannot_be_listed_as_an_activist(world, today, tmp_path):
    rows, _ = activist_rows(1)
    rows[1][3] = world.id_numbers["v1_member"]
    s = ledger_import(actor=actor(world), path=write_xlsx(tmp_path / "f.xlsx", rows))
    assert any("已是正式党员" in e.message for e in s.errors)


def test_future_step_dates_are_refused_as_in_the_step_form(world, today, tmp_path):
    rows, _ = activist_rows(1)
    rows[1][8] = "2026-01-01"
    s = ledger_import(actor=actor(world), path=write_xlsx(tmp_path / "fut.xlsx", rows))
    assert [(e.row, e.column) for e in s.errors] == [(2, "确定为入党积极分子时间")]
    assert "晚于今天" in s.errors[0].message


# --- check-up --------------------------------------------------------------------------------------------
def test_the_check_up_names_each_finding_and_its_cells_and_writes_nothing(world, today, tmp_path):
    rows, _ = activist_rows(2)
    rows[0] += ["确定为发展对象时间"]
    rows[1] += ["2024-03-01"]
    rows[2] += [""]
    rows[2][6] = "2023-05-20"  # talk more than a month after the application: N-TALK-1M
    path = write_xlsx(tmp_path / "c.xlsx", rows)
    before = row_counts(), people_fingerprint()
    result, table = ledger_check(path=path, as_of=today)
    assert (row_counts(), people_fingerprint()) == before
    first = next(p for p in result.people if p.row == 2)
    act = next(f for f in first.findings if f["code"] == "N-ACT-1Y")
    assert act["cells"] == ["K2", "I2"]  # the candidate date and the activist date
    second = next(p for p in result.people if p.row == 3)
    talk = next(f for f in second.findings if f["code"] == "N-TALK-1M")
    assert talk["cells"] == ["G3", "F3"]
    out = tmp_path / "annotated.xlsx"
    annotate(table, path, result, out)
    ws = load_workbook(out).active
    assert ws["K2"].fill.fgColor.rgb.endswith("FFC7CE") and "N-ACT-1Y" in ws["K2"].comment.text
    assert "细则第13条" in ws["K2"].comment.text
    assert ws["A2"].comment is None


def test_the_check_up_of_a_gbk_csv_rebuilds_the_sheet_as_xlsx(world, today, tmp_path):
    rows, _ = activist_rows(1)
    rows[1][6] = "2023-05-20"
    path = write_csv(tmp_path / "c.csv", rows, encoding="gbk")
    result, table = ledger_check(path=path, as_of=today)
    out = tmp_path / "c.xlsx"
    annotate(table, path, result, out)
    ws = load_workbook(out).active
    assert ws["B2"].value == rows[1][1] and "N-TALK-1M" in ws["G2"].comment.text


# --- export ----------------------------------------------------------------------------------------------
def _sheet(buf: io.BytesIO):
    buf.seek(0)
    return load_workbook(buf).active


def test_exports_mask_ids_unless_allowed_and_asked_and_are_audited(world, today, tmp_path):
    ids = [make_id(dt.date(1972, 2, 2))]
    ledger_import(actor=actor(world), path=write_xlsx(tmp_path / "m.xlsx", members_rows(ids)), commit=True)
    buf = io.BytesIO()
    n = ledger_export(actor=actor(world), kind="members", out=buf)
    ws = _sheet(buf)
    assert n == 3  # 张三丰, 王建国 and the imported member, all in 甲镇
    assert ws.freeze_panes == "A2" and ws["B1"].value == "姓名" and ws.column_dimensions["A"].width >= 10
    values = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert not full_ids_in(str(values))
    joined = [r for r in values if r[1] == "党员甲"][0]
    assert isinstance(joined[-2], dt.datetime) and joined[-2].date() == dt.date(2011, 7, 1)  # a real date
    with pytest.raises(NotAllowed):
        ledger_export(actor=actor(world, "village_secretary"), kind="members", out=io.BytesIO(), reveal_ids=True)
    buf = io.BytesIO()
    ledger_export(actor=actor(world), kind="members", out=buf, reveal_ids=True)
    assert ids[0] in full_ids_in(str([[c.value for c in r] for r in _sheet(buf).iter_rows()]))
    audit = AuditEntry.objects.filter(action="ledger.export").order_by("-id").first()
    assert audit.detail == {"org": "T100", "rows": 3, "reveal_ids": True}


def test_an_export_holds_only_the_users_subtree(world, today):
    buf = io.BytesIO()
    ledger_export(actor=actor(world, "other_town_organizer"), kind="members", out=buf)
    names = {r[1].value for r in _sheet(buf).iter_rows(min_row=2)}
    assert names == {"赵德成"}
    with pytest.raises(OutOfScope):
        ledger_export(actor=actor(world, "other_town_organizer"), kind="members", out=io.BytesIO(), org_code="T101")


def test_an_exported_pipeline_ledger_imports_back_unchanged(world, today, tmp_path):
    rows, _ = activist_rows(3)
    ledger_import(actor=actor(world), path=write_xlsx(tmp_path / "a.xlsx", rows), commit=True)
    out = tmp_path / "export.xlsx"
    with open(out, "wb") as fh:
        assert ledger_export(actor=actor(world), kind="activist", out=fh, reveal_ids=True) == 3
    s = ledger_import(actor=actor(world), path=out, commit=True)
    assert s.committed and (s.created, s.updated, s.unchanged) == (0, 0, 3), s.errors


@pytest.mark.parametrize("kind", ["reserve", "applicant", "activist", "candidate", "probationary", "members"])
def test_each_template_is_recognized_as_its_own_kind(kind, tmp_path):
    from dangjian.ledgers import columns, reader

    path = tmp_path / "t.xlsx"
    with open(path, "wb") as fh:
        template_xlsx(kind, fh)
    table = reader.open_table(path)
    mapping = columns.guess_mapping(table.headers)
    assert len(mapping) == len([c for c in columns.TEMPLATES[kind] if c.kind != "ignore"])
    assert columns.guess_kind(set(mapping.values())) in (kind, None if kind == "reserve" else kind)
