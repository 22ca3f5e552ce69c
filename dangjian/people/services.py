"""Writes to the person registry: validate, write in one transaction, re-check scope, audit."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from dangjian.core import clock, crypto
from dangjian.core.audit import Actor, audit_log
from dangjian.core.errors import Conflict, NotAllowed, OutOfScope
from dangjian.core.scope import path_visible
from dangjian.orgs.models import Organization
from dangjian.people import idnumber
from dangjian.people.models import Education, Gender, HouseholdType, Occupation, PartyStatus, Person
from dangjian.people.pinyin import name_keys

_PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")
_NAME = re.compile(r"^[\u3400-\u9fff·A-Za-z]{2,30}$")
DUPLICATE_ID = "公民身份号码：该号码已登记，不能重复录入"
# Django rebuilds a TextChoices' `.values` list on every access; imports validate 100,000 rows.
_GENDERS, _EDUCATIONS, _HOUSEHOLDS = frozenset(Gender.values), frozenset(Education.values), frozenset(HouseholdType.values)
_OCCUPATIONS, _STATUSES = frozenset(Occupation.values), frozenset(PartyStatus.values)


@dataclass
class PersonData:
    """What a form, the API or an import supplies for one person."""

    name: str
    id_number: str
    organization: Organization
    gender: str = ""
    birth_date: dt.date | None = None
    ethnicity: str = "汉族"
    education: str = ""
    household_type: str = ""
    occupations: list[str] = field(default_factory=list)
    phone: str = ""
    party_status: str = PartyStatus.NONE
    status_date: dt.date | None = None


def person_snapshot(p: Person) -> dict:
    """What the audit keeps of a person: never the full ID number."""
    return {"name": p.name, "id_number": p.id_number_masked, "gender": p.gender, "ethnicity": p.ethnicity,
            "birth_date": p.birth_date, "education": p.education, "household_type": p.household_type,
            "occupations": p.occupation_list, "phone": p.phone, "organization": p.organization.code,
            "party_status": p.party_status, "status_date": p.status_date}


def person_snapshot_of(values: dict, org_code: str) -> dict:
    """`person_snapshot` of a person not built as a model instance (bulk imports): `values` by attribute name."""
    return {"name": values["name"], "id_number": values["id_number_masked"], "gender": values["gender"],
            "ethnicity": values["ethnicity"], "birth_date": values["birth_date"], "education": values["education"],
            "household_type": values["household_type"], "occupations": values["occupations"].split(),
            "phone": values["phone"], "organization": org_code, "party_status": values["party_status"],
            "status_date": values["status_date"]}


def _validate(data: PersonData, *, exclude_pk: int | None = None) -> tuple[idnumber.IdNumberInfo, dict]:
    return person_clean(data, exclude_pk=exclude_pk, check_duplicate=True)


def person_clean(data: PersonData, *, exclude_pk: int | None = None, check_duplicate: bool = True,
                 today: dt.date | None = None) -> tuple[idnumber.IdNumberInfo, dict]:
    """Validate a person's fields (the form's, the API's and the imports' rules). Bulk imports pass
    `check_duplicate=False` and look the ID numbers up in one query per chunk instead, and today's date."""
    errors: dict[str, list[str]] = {}

    def err(f: str, msg: str) -> None:
        errors.setdefault(f, []).append(msg)

    today = today or clock.today()
    name = (data.name or "").strip()
    if not name:
        err("name", "姓名：必填")
    elif not _NAME.match(name):
        err("name", "姓名：应为2至30个汉字（少数民族姓名可含“·”）")
    info = None
    try:
        info = idnumber.parse(data.id_number)
    except idnumber.IdNumberError as exc:
        err("id_number", f"公民身份号码：{exc}")
    if info is not None:
        if data.birth_date and data.birth_date != info.birth_date:
            err("birth_date", f"出生日期：{data.birth_date.isoformat()} 与公民身份号码中的 {info.birth_date.isoformat()} 不一致")
        if data.gender and data.gender != info.gender:
            err("gender", f"性别：与公民身份号码不一致（号码第17位表示{Gender(info.gender).label}）")
        if info.birth_date > today:
            err("id_number", "公民身份号码：出生日期晚于今天")
        if check_duplicate:
            dup = Person.objects.filter(id_number_hash=crypto.blind_index(info.number))
            if exclude_pk is not None:
                dup = dup.exclude(pk=exclude_pk)
            if dup.exists():
                err("id_number", DUPLICATE_ID)
    if data.gender and data.gender not in _GENDERS:
        err("gender", "性别：无效")
    if data.education and data.education not in _EDUCATIONS:
        err("education", "学历：无效")
    if data.household_type and data.household_type not in _HOUSEHOLDS:
        err("household_type", "户籍类型：无效")
    bad = [o for o in data.occupations if o not in _OCCUPATIONS]
    if bad:
        err("occupations", f"人员类别：无效的类别 {'、'.join(bad)}")
    if data.phone and not _PHONE.match(data.phone.strip()):
        err("phone", "联系电话：应为11位手机号码或带区号的固定电话")
    if data.party_status not in _STATUSES:
        err("party_status", "政治面貌：无效")
    if data.status_date and data.status_date > today:
        err("status_date", f"状态日期：{data.status_date.isoformat()} 晚于今天")
    if data.party_status != PartyStatus.NONE and data.status_date is None:
        err("status_date", "状态日期：除群众外必须填写")
    if errors:
        raise ValidationError(errors)
    assert info is not None
    keys = {"name": name, "gender": info.gender, "birth_date": info.birth_date}
    return info, keys


def _check_target(actor: Actor, org: Organization) -> None:
    user = actor.user
    if org is None or not path_visible(user, org.path):
        raise OutOfScope()
    if not user.can_write:
        raise NotAllowed("只读用户不能修改人员信息")


def _apply(person: Person, data: PersonData, info: idnumber.IdNumberInfo, keys: dict) -> None:
    person_apply(person, data, info, keys)


def person_values(data: PersonData, info: idnumber.IdNumberInfo, keys: dict, *, id_hash: str = "") -> dict:
    """The stored registry fields of validated data, by attribute name (ID number encrypted). `id_hash` is the
    blind index when the caller has it already (imports compute it to find duplicates)."""
    initials, pinyin = name_keys(keys["name"])
    org = data.organization
    return {"name": keys["name"], "name_initials": initials, "name_pinyin": pinyin, "gender": keys["gender"],
            "birth_date": keys["birth_date"], "ethnicity": (data.ethnicity or "汉族").strip(),
            "id_number_enc": crypto.encrypt(info.number),
            "id_number_hash": id_hash or crypto.blind_index(info.number),
            "id_number_masked": idnumber.mask(info.number), "education": data.education,
            "household_type": data.household_type,
            "occupations": f" {' '.join(dict.fromkeys(data.occupations))} " if data.occupations else "",
            "phone": data.phone.strip(), "organization_id": org.pk, "org_path": org.path}


def person_apply(person: Person, data: PersonData, info: idnumber.IdNumberInfo, keys: dict) -> None:
    """Copy validated data onto a Person (encrypting the ID number); the caller saves. Used by imports too."""
    for name, value in person_values(data, info, keys).items():
        setattr(person, name, value)
    person.organization = data.organization


def _recheck_visible(actor: Actor, person: Person) -> None:
    # NetBox habit: after the write, inside the transaction, the record must still be in scope, else roll back.
    if not path_visible(actor.user, Person.objects.values_list("org_path", flat=True).get(pk=person.pk)):
        raise OutOfScope()


@transaction.atomic
def person_create(*, actor: Actor, data: PersonData) -> Person:
    """Register a person in the actor's subtree. Refuses bad ID numbers, mismatches and duplicates."""
    _check_target(actor, data.organization)
    info, keys = _validate(data)
    person = Person(party_status=data.party_status, status_date=data.status_date)
    _apply(person, data, info, keys)
    person.save()
    _recheck_visible(actor, person)
    audit_log(actor=actor, action="person.create", obj_type="person", obj_id=person.pk, after=person_snapshot(person))
    return person


@transaction.atomic
def person_update(*, actor: Actor, person_id: int, data: PersonData, version: int) -> Person:
    """Change a person's registry data (not the party status: that follows the recorded steps)."""
    person = Person.objects.select_for_update().select_related("organization").filter(pk=person_id).first()
    if person is None or not path_visible(actor.user, person.org_path):
        raise OutOfScope()
    _check_target(actor, data.organization)
    if person.version != version:
        raise Conflict("该记录已被他人修改，请刷新后重新填写")
    before = person_snapshot(person)
    if not data.id_number or data.id_number == person.id_number_masked:
        # The edit form shows only the masked number: leaving it as shown keeps the stored one.
        data.id_number = crypto.decrypt(person.id_number_enc)
    info, keys = _validate(data, exclude_pk=person.pk)
    _apply(person, data, info, keys)
    person.version += 1
    person.save()
    _recheck_visible(actor, person)
    audit_log(actor=actor, action="person.update", obj_type="person", obj_id=person.pk, before=before,
              after=person_snapshot(person))
    return person
