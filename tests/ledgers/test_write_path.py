"""The import's write path, pinned: a committed import writes exactly the rows (people, ledger notes, dossiers,
step records, findings, audit entries) that the earlier model-instance path wrote. The expected rows are in
golden_import.json, written once by that earlier path (`LEDGER_GOLDEN_WRITE=1` rewrites it: only do that on
purpose, when the stored data is meant to change). Ids are given relative to the first row the import wrote,
the ciphertext of the ID number (random nonce) as what it decrypts to, hashes by `audit_verify`."""

from __future__ import annotations

import datetime as dt
import json
import os
from decimal import Decimal
from pathlib import Path

from django.forms.models import model_to_dict
from hypothesis import given
from hypothesis import strategies as st

from dangjian.core import crypto
from dangjian.core.audit import Actor, _plain, audit_verify, clean, scrub
from dangjian.core.models import AuditEntry
from dangjian.development.models import Dossier, Finding, StepRecord
from dangjian.ledgers.models import LedgerNote
from dangjian.ledgers.services import ledger_import
from dangjian.people import idnumber
from dangjian.people.models import PartyStatus, Person
from tests.ledgers.files import write_csv, write_xlsx

GOLDEN = Path(__file__).with_name("golden_import.json")


def _id(birth: dt.date, seq: int) -> str:
    return idnumber.make("522730", birth, seq)


def _files(tmp_path) -> list[Path]:
    members = [["姓名", "公民身份号码", "性别", "民族", "学历", "户籍类型", "人员类别", "联系电话", "所在党组织", "党员类别",
                "入党时间", "转正时间", "备注"]]
    for i in range(6):
        members.append([f"党员{'甲乙丙丁戊己'[i]}", _id(dt.date(1970, 1, 1 + i), 2 * i + 1), "", "汉族" if i % 2 else "苗族",
                        "高中", "农业" if i % 3 else "", "退役军人、农民" if i % 2 else "", "13800000000" if i != 4 else "",
                        "T101" if i % 2 else "T102", "正式党员" if i != 5 else "预备党员", "2010-07-01",
                        "2011-07-01" if i != 5 else "", "村民组长" if i % 2 else ""])
    reserve = [["姓名", "身份证号", "所在党组织", "列入后备力量时间", "特长"],
               ["韩后备", _id(dt.date(2000, 8, 8), 11), "T101", "2024/5/1", "种植"],
               ["秦后备", _id(dt.date(2001, 8, 8), 12), "T102", "", ""]]
    activist = [["序号", "姓名", "性别", "身份证号", "所在党支部", "申请入党时间", "谈话时间", "谈话人",
                 "确定为入党积极分子时间", "培养联系人"]]
    for i in range(3):
        activist.append([i + 1, f"{'刘陈杨'[i]}华", "男" if i % 2 == 0 else "女",
                         _id(dt.date(1995, 1 + i, 1 + i), 20 + 2 * i + (1 if i % 2 == 0 else 0)), "T101",
                         "2023/3/1", "2023.3.20", "王书记", "2023年9月5日", "张三丰、王建国"])
    changed = [list(r) for r in members]
    changed[2][7], changed[3][4] = "13911112222", "本科"
    return [write_xlsx(tmp_path / "m.xlsx", members, text_columns={1}),
            write_xlsx(tmp_path / "m2.xlsx", changed, text_columns={1}),
            write_csv(tmp_path / "r.csv", reserve, encoding="gbk"),
            write_xlsx(tmp_path / "a.xlsx", activist)]


def _dump(first: dict[str, int]) -> dict:
    def rel(model, value):
        return None if value is None else value - first[model]

    out: dict[str, list] = {}
    people = []
    for p in Person.objects.filter(id__gte=first["person"]).order_by("id"):
        d = model_to_dict(p)
        d["id"] = rel("person", p.id)
        d["id_number_enc"] = crypto.decrypt(p.id_number_enc)
        assert d.pop("id_number_hash") == crypto.blind_index(d["id_number_enc"])  # the key is made per test run
        d["organization"] = p.organization.code
        # created_at/updated_at (auto_now, not in model_to_dict) are the real time of the write, not the test's clock.
        assert p.created_at is not None and p.updated_at is not None
        people.append(d)
    out["people"] = people
    out["notes"] = [{**model_to_dict(n, exclude=["id", "person"]), "person": rel("person", n.person_id)}
                    for n in LedgerNote.objects.filter(person_id__gte=first["person"]).order_by("person_id")]
    out["dossiers"] = [{**model_to_dict(d, exclude=["id", "person", "organization"]),
                        "person": rel("person", d.person_id), "organization": d.organization.code}
                       for d in Dossier.objects.filter(person_id__gte=first["person"]).order_by("id")]
    out["records"] = [[r.dossier.person_id - first["person"], r.step, r.seq, r.date, r.data, r.mode]
                      for r in StepRecord.objects.filter(dossier__person_id__gte=first["person"])
                      .select_related("dossier").order_by("dossier__person_id", "step", "seq")]
    out["findings"] = sorted([f.dossier.person_id - first["person"], f.code, f.severity, f.step]
                             for f in Finding.objects.filter(dossier__person_id__gte=first["person"])
                             .select_related("dossier"))
    audit = []
    for e in AuditEntry.objects.filter(id__gte=first["audit"]).order_by("id"):
        d = model_to_dict(e, exclude=["id", "hash", "prev_hash", "user"])
        d["at"] = e.at.isoformat()
        if e.object_type == "person":
            d["object_id"] = rel("person", int(e.object_id))
        elif e.object_type == "dossier":
            d["object_id"] = Dossier.objects.get(pk=e.object_id).person_id - first["person"]
            if isinstance(d["after"], dict) and "person" in d["after"]:
                d["after"]["person"] = rel("person", d["after"]["person"])
        audit.append(d)
    out["audit"] = audit
    return json.loads(json.dumps(out, default=str, ensure_ascii=False))


def test_a_committed_import_writes_the_same_rows_as_the_model_instance_path(world, today, tmp_path):
    first = {"person": (Person.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1,
             "audit": (AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1}
    actor = Actor(user=world.users["town_organizer"], ip="127.0.0.1", request_id="golden")
    members, changed, reserve, activist = _files(tmp_path)
    for path in (members, reserve, activist):
        s = ledger_import(actor=actor, path=path, commit=True, filename=path.name)
        assert s.committed and s.created, s.errors
    # The same roster again with two people changed: the update path.
    again = ledger_import(actor=actor, path=changed, commit=True, filename=changed.name)
    assert again.committed and (again.updated, again.unchanged) == (2, 4), again.errors
    assert audit_verify().ok
    got = _dump(first)
    if os.environ.get("LEDGER_GOLDEN_WRITE") == "1":
        GOLDEN.write_text(json.dumps(got, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    want = json.loads(GOLDEN.read_text())
    for part in want:
        assert got[part] == want[part], part


@given(st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
    | st.sampled_from(["522730197001010019", "号码 522730197001010019 尾", "52273019700101001X"])
    | st.dates() | st.datetimes(timezones=st.just(dt.UTC)) | st.sampled_from([PartyStatus.NONE, Decimal("0.2")]),
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(st.text(max_size=5) | st.integers(), inner, max_size=4),
    max_leaves=12))
def test_the_audit_payload_cleaning_fast_path_equals_the_json_round_trip(value):
    # audit_log_bulk cleans 300,000 payloads per 100,000-row import in one walk instead of dumps+loads+scrub.
    assert clean(value) == scrub(_plain(value))
