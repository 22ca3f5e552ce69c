"""Writes to dossiers: open one, record a step, recheck. One transaction each, findings refreshed inside it,
the audit row written by the service itself. The rules come from dangjian.rules, never from here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction

from dangjian.core import clock
from dangjian.core.audit import Actor, audit_log
from dangjian.core.bulk import update_many
from dangjian.core.errors import NotAllowed, OutOfScope
from dangjian.core.scope import path_visible, subtree_q
from dangjian.development import engine, introducers
from dangjian.development.models import Dossier, DossierStatus, Finding, RecordMode, StepRecord
from dangjian.development.stepdefs import STEP_DEFS, RecordView
from dangjian.orgs.models import Role
from dangjian.people.models import PartyStatus, Person

# The person's 政治面貌 follows the dossier (PROCEDURE §2 status); a cancelled probationary member is 群众 again.
PERSON_STATUS = {DossierStatus.NONE: PartyStatus.NONE, DossierStatus.APPLICANT: PartyStatus.APPLICANT,
                 DossierStatus.ACTIVIST: PartyStatus.ACTIVIST, DossierStatus.CANDIDATE: PartyStatus.CANDIDATE,
                 DossierStatus.PROBATIONARY: PartyStatus.PROBATIONARY,
                 DossierStatus.FULL_MEMBER: PartyStatus.FULL_MEMBER, DossierStatus.CANCELLED: PartyStatus.NONE}
# The step whose date is the person's status date.
STATUS_STEP = {DossierStatus.APPLICANT: "S01", DossierStatus.ACTIVIST: "S03", DossierStatus.CANDIDATE: "S07",
               DossierStatus.PROBATIONARY: "S17", DossierStatus.FULL_MEMBER: "S24", DossierStatus.CANCELLED: "S24"}


# Steps the approving committee records (filing, pre-review, its talk, approval, conversion approval):
# 谁审批谁负责 — a village secretary records his branch's steps, not the township's.
TOWNSHIP_STEPS = {"S04", "S08", "S13", "S16", "S17", "S18", "S24"}
BRANCH_ROLES = {Role.VILLAGE_SECRETARY}


class RuleViolation(Exception):
    """Recording now would break a rule (E). Carries the findings; a county admin may override with a reason."""

    def __init__(self, findings: list[dict]):
        self.findings = findings
        super().__init__("；".join(f["message"] for f in findings))


@dataclass(frozen=True)
class StepInput:
    step: str
    date: dt.date
    data: dict
    seq: int | None = None  # None: the next free number for repeatable steps, else 1
    responsible_name: str = ""
    responsible_role: str = ""
    mode: str = RecordMode.LIVE
    override_reason: str = ""


def _check_write(actor: Actor, path: str) -> None:
    if not path_visible(actor.user, path):
        raise OutOfScope()
    if not actor.user.can_write:
        raise NotAllowed("只读用户不能记录发展步骤")


def _clean_value(f, raw, errors: dict, today: dt.date):
    label = f.label
    if raw in (None, "", []):
        if f.required:
            errors.setdefault(f.name, []).append(f"{label}：必填")
        return None
    if f.kind == "date":
        try:
            value = raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw))
        except ValueError:
            errors.setdefault(f.name, []).append(f"{label}：不是有效日期（应为 2025-03-01 这样的格式）")
            return None
        if value > today:
            errors.setdefault(f.name, []).append(f"{label}：{value.isoformat()} 晚于今天")
        return value.isoformat()
    if f.kind == "int":
        try:
            value = int(raw)
        except (TypeError, ValueError):
            errors.setdefault(f.name, []).append(f"{label}：应为整数")
            return None
        if value < 0:
            errors.setdefault(f.name, []).append(f"{label}：不能为负数")
        return value
    if f.kind == "bool":
        return raw in (True, "true", "on", "1", 1)
    if f.kind == "choice":
        if raw not in {c for c, _ in f.choices}:
            errors.setdefault(f.name, []).append(f"{label}：无效的选项")
        return raw
    if f.kind == "multi":
        values = list(raw) if isinstance(raw, list | tuple) else [raw]
        bad = [v for v in values if v not in {c for c, _ in f.choices}]
        if bad:
            errors.setdefault(f.name, []).append(f"{label}：无效的选项 {'、'.join(map(str, bad))}")
        return values
    return str(raw).strip()


def validate_step_input(inp: StepInput, today: dt.date) -> dict:
    """Check a step's fields; returns the cleaned data. ValidationError names each field in Chinese."""
    sdef = STEP_DEFS.get(inp.step)
    if sdef is None:
        raise ValidationError({"step": ["步骤：无效的步骤代码"]})
    errors: dict[str, list[str]] = {}
    if inp.date is None:
        errors["date"] = [f"{sdef.date_label}：必填"]
    elif inp.date > today:
        errors["date"] = [f"{sdef.date_label}：{inp.date.isoformat()} 晚于今天，不能预先记录"]
    data = {}
    for f in sdef.fields:
        value = _clean_value(f, inp.data.get(f.name), errors, today)
        if value is not None:
            data[f.name] = value
    if "present_full" in data and "full_members" in data:
        entitled = data["full_members"] - data.get("exclusions", 0)
        if data.get("exclusions", 0) > data["full_members"]:
            errors.setdefault("exclusions", []).append("不计入人数：不能超过正式党员总数")
        if data["present_full"] > entitled:
            errors.setdefault("present_full", []).append(
                f"到会正式党员数：{data['present_full']} 超过应到人数 {entitled}")
        if data.get("yes_full", 0) > data["present_full"]:
            errors.setdefault("yes_full", []).append(f"赞成票：{data['yes_full']} 超过到会正式党员数 {data['present_full']}")
        if data.get("yes_written", 0) > max(entitled - data["present_full"], 0):
            errors.setdefault("yes_written", []).append("书面赞成：超过未到会的正式党员数")
    if inp.mode not in RecordMode.values:
        errors["mode"] = ["记录方式：无效"]
    if errors:
        raise ValidationError(errors)
    return data


DUE_LABELS = {"talk": "谈话（一个月内）", "assessment": "半年考察", "candidate": "可确定为发展对象",
              "approval": "审批（三个月内）", "probation_end": "预备期满，讨论转正", "conversion_approval": "转正审批"}


def due_items(records: list[StepRecord], result: dict) -> list[dict]:
    """The dates that fall due for steps not yet recorded, from the engine's computed dates."""
    computed = result.get("computed", {})
    steps = {r.step for r in records}
    status = result.get("status")
    items: list[dict] = []

    def add(kind: str, step: str, key: str) -> None:
        if computed.get(key):
            items.append({"kind": kind, "step": step, "date": computed[key], "label": DUE_LABELS[kind]})

    if "S02" not in steps:
        add("talk", "S02", "talk_deadline")
    if status == DossierStatus.ACTIVIST:
        add("assessment", "S06", "next_assessment_due")
        add("candidate", "S07", "earliest_candidate_date")
    if "S15" in steps and "S17" not in steps:
        add("approval", "S17", "approval_due")
    if status == DossierStatus.PROBATIONARY:
        meetings = sorted((r for r in records if r.step == "S23"), key=lambda r: r.seq)
        if not meetings:
            add("probation_end", "S23", "probation_end")
        elif meetings[-1].data.get("decision") == "extend" and not any(
                r.step == "S24" and r.seq > meetings[-1].seq for r in records):
            add("probation_end", "S23", "extension_end")
    approved = {r.seq for r in records if r.step == "S24"}
    if any(r.step == "S23" and r.seq not in approved for r in records):
        add("conversion_approval", "S24", "conversion_approval_due")
    return sorted(items, key=lambda i: i["date"])


def _refresh(dossier: Dossier, records: list[StepRecord], result: dict) -> None:
    """Store the engine's result on the dossier, its findings and the person's status (same transaction)."""
    findings = _result_fields(dossier, records, result)
    dossier.save()
    dossier.findings.all().delete()
    Finding.objects.bulk_create(findings)
    person = dossier.person
    status, status_date = _person_status(dossier, records)
    joined = joined_on_of(status, records, person.joined_on)
    if (person.party_status, person.status_date, person.joined_on) != (status, status_date, joined):
        Person.objects.filter(pk=person.pk).update(party_status=status, status_date=status_date, joined_on=joined,
                                                   version=person.version + 1)


def _finding_key(f: dict) -> tuple:
    # By rule and step, not message: a record that shortens an existing finding (one of several missing
    # half-year assessments now recorded) changes its message but brings nothing new.
    return (f["code"], f.get("step"))


@transaction.atomic
def dossier_open(*, actor: Actor, person_id: int) -> Dossier:
    """Open the development dossier of a registered person (before recording S01)."""
    person = Person.objects.select_for_update().select_related("organization").filter(pk=person_id).first()
    if person is None or not path_visible(actor.user, person.org_path):
        raise OutOfScope()
    _check_write(actor, person.org_path)
    existing = Dossier.objects.filter(person=person).first()
    if existing:
        return existing
    if person.party_status == PartyStatus.FULL_MEMBER:
        raise ValidationError({"person": ["该人员已是正式党员，不需要建立发展档案"]})
    dossier = Dossier.objects.create(person=person, organization=person.organization, org_path=person.org_path)
    audit_log(actor=actor, action="dossier.open", obj_type="dossier", obj_id=dossier.pk,
              after={"person": person.pk, "organization": person.organization.code})
    return dossier


@transaction.atomic
def dossier_record_step(*, actor: Actor, dossier_id: int, inp: StepInput) -> StepRecord:
    """Record one step. LIVE: refuse if it brings a new E finding (a county admin may override with a written
    reason, kept and shown). PAST (补录): save and flag. Findings and status are refreshed in this transaction."""
    dossier = (Dossier.objects.select_for_update().select_related("person", "organization")
               .filter(pk=dossier_id).first())
    if dossier is None or not path_visible(actor.user, dossier.org_path):
        raise OutOfScope()
    _check_write(actor, dossier.org_path)
    if inp.step in TOWNSHIP_STEPS and actor.user.role in BRANCH_ROLES:
        raise NotAllowed(f"{inp.step} 由乡镇（街道）党（工）委记录，村党支部书记不能代记")
    today = clock.today()
    data = validate_step_input(inp, today)
    config, late_days = engine.config_for(dossier.org_path)
    if inp.mode == RecordMode.PAST and (today - inp.date).days <= late_days:
        # 补录 is for records made up afterwards; what happened lately is recorded as it happens, under the rules.
        raise ValidationError({"mode": [f"记录方式：补录只适用于 {late_days} 天以前的步骤，近期发生的步骤请按时记录"]})
    records = list(dossier.records.all())
    sdef = STEP_DEFS[inp.step]
    same = [r for r in records if r.step == inp.step]
    if inp.seq is not None:
        seq = inp.seq
    elif sdef.repeatable:
        seq = max((r.seq for r in same), default=0) + 1
    else:
        seq = 1
    replaced = next((r for r in same if r.seq == seq), None)
    before = engine.evaluate(dossier, records, as_of=today, config=config)
    record = replaced or StepRecord(dossier=dossier, step=inp.step, seq=seq)
    old = {"date": replaced.date, "data": replaced.data} if replaced else None
    record.date, record.data = inp.date, data
    record.responsible_name, record.responsible_role = _responsible(actor, inp)
    record.mode, record.entered_at, record.entered_by = inp.mode, clock.now(), actor.user
    record.override_reason, record.override_by = "", None
    after_records = [r for r in records if r is not replaced] + [record]
    after = engine.evaluate(dossier, after_records, as_of=today, config=config)
    if inp.mode == RecordMode.LIVE:
        known = {_finding_key(f) for f in before["findings"]}
        # Only what this record breaks, at its own step or an earlier one (a missing filing before a candidate,
        # a too-early date); a later step falling overdue is not this record's fault and is flagged, not refused.
        new_errors = [f for f in after["findings"] if f["severity"] == "E" and _finding_key(f) not in known
                      and (f.get("step") or "S99") <= inp.step]
        if new_errors:
            reason = inp.override_reason.strip()
            if not reason:
                raise RuleViolation(new_errors)
            if actor.user.role != Role.COUNTY_ADMIN:
                raise NotAllowed("只有县委组织部管理员可以填写理由后放行违规记录")
            record.override_reason, record.override_by = reason, actor.user
    record.full_clean(exclude=["dossier", "entered_by", "override_by"])
    sharing = introducers.sharing_introducers(dossier.pk) if inp.step in introducers.STEPS else []
    record.save()
    if inp.step in introducers.STEPS:  # the counts read the saved records: evaluate again now they are there
        after = engine.evaluate(dossier, after_records, as_of=today, config=config)
    _refresh(dossier, after_records, after)
    if inp.step in introducers.STEPS:
        # N-INTRODUCER-LOAD of the other dossiers naming the same introducers (before or after this record).
        dossier_refresh(dossier_ids=sorted(set(sharing) | set(introducers.sharing_introducers(dossier.pk))))
    dossier.version += 1
    Dossier.objects.filter(pk=dossier.pk).update(version=dossier.version)
    audit_log(actor=actor, action="dossier.record_step", obj_type="dossier", obj_id=dossier.pk, before=old,
              after={"step": inp.step, "seq": seq, "date": inp.date, "data": data, "mode": inp.mode,
                     "override_reason": record.override_reason or None})
    return record


def _result_fields(dossier: Dossier, records: list[StepRecord], result: dict) -> list[Finding]:
    """Set the derived fields on `dossier` (unsaved) and return its findings (unsaved)."""
    for name, value in zip(DERIVED_FIELDS, _derived(records, result), strict=True):
        setattr(dossier, name, value)
    return [Finding(dossier=dossier, org_path=dossier.org_path, **values) for values in _finding_values(result)]


# The dossier fields the engine's result sets, in the order _derived gives them.
DERIVED_FIELDS = ("status", "next_step", "computed", "due", "rule_version", "errors", "warnings")
FINDING_FIELDS = ("code", "severity", "step", "message", "source", "provisional")


def _derived(records, result: dict) -> tuple:
    """The values of DERIVED_FIELDS for a result (records: anything with step, seq, date and data)."""
    findings = result.get("findings", [])
    return (result["status"], result.get("next_step") or "", result.get("computed", {}), due_items(records, result),
            result.get("rule_version", ""), sum(1 for f in findings if f["severity"] == "E"),
            sum(1 for f in findings if f["severity"] == "W"))


def _finding_values(result: dict) -> list[dict]:
    return [{"code": f["code"], "severity": f["severity"], "step": f.get("step") or "", "message": f["message"],
             "source": f.get("source", ""), "provisional": bool(f.get("provisional"))}
            for f in result.get("findings", [])]


def _person_status(dossier: Dossier, records: list[StepRecord]) -> tuple[str, dt.date | None]:
    return _person_status_of(dossier.status, records)


def _person_status_of(status: str, records) -> tuple[str, dt.date | None]:
    status_step = STATUS_STEP.get(status)
    status_date = max((r.date for r in records if r.step == status_step), default=None) if status_step else None
    return PERSON_STATUS[DossierStatus(status)], status_date


def _responsible(actor: Actor, inp: StepInput) -> tuple[str, str]:
    """L-RESP (谁培养谁负责、谁考察谁负责、谁审批谁负责): every recorded step names its responsible person and
    role. Not given on the form, they are the recording user and his role: he vouches for what he records."""
    name, role = inp.responsible_name.strip(), inp.responsible_role.strip()
    user = actor.user
    if not name and user is not None:
        name = (getattr(user, "full_name", "") or user.username)[:50]
        if not role and getattr(user, "role", ""):
            role = Role(user.role).label
    return name, role


def joined_on_of(party_status: str, records, current: dt.date | None) -> dt.date | None:
    """入党时间 (docs/stats.md): the 支部大会 admission meeting date (S15) of a person the committee approved
    (probationary or full member); none for anyone else. A member without S15 in his dossier (a partial ledger
    import) keeps the roster's date."""
    if party_status not in (PartyStatus.PROBATIONARY, PartyStatus.FULL_MEMBER):
        return None
    meeting = max((r.date for r in records if r.step == "S15"), default=None)
    return meeting if meeting is not None else current


class _Record(NamedTuple):
    """A step record as the recheck reads it: plain values, no model instance."""

    step: str
    seq: int
    date: dt.date
    data: dict


@transaction.atomic
def dossier_recheck(*, actor: Actor, org_path: str | None = None, chunk: int = 2000) -> int:
    """Re-derive status, dates and findings of every dossier (in a subtree) after a configuration or calendar
    change. One transaction; per chunk of dossiers three reads (dossiers with their person, step records,
    stored findings, as plain values), the engine once per county config, and writes only for what changed:
    dossier and person rows by one executemany each, findings replaced for the dossiers whose findings differ.
    The audit row records the run."""
    scope = Dossier.objects.all()
    if org_path:
        scope = scope.filter(subtree_q(org_path, "org_path"))
    today = clock.today()
    configs = engine.CountyConfigs()
    by_org: dict[int, dict] = {}
    n = 0
    ids = list(scope.order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), chunk):
        batch = ids[start:start + chunk]
        rows = list(Dossier.objects.filter(id__in=batch).order_by("id").values_list(
            "id", "org_path", "organization_id", "tier", "expected_departure", "person_id", "person__birth_date",
            "person__party_status", "person__status_date", "person__version", *DERIVED_FIELDS,
            "person__joined_on"))
        records: dict[int, list[_Record]] = {i: [] for i in batch}
        for dossier_id, step, seq, date, data in (StepRecord.objects.filter(dossier_id__in=batch)
                                                  .order_by("dossier_id", "step", "seq")
                                                  .values_list("dossier_id", "step", "seq", "date", "data")):
            records[dossier_id].append(_Record(step, seq, date, data))
        stored: dict[int, list[tuple]] = {i: [] for i in batch}
        for dossier_id, *values in (Finding.objects.filter(dossier_id__in=batch).order_by("dossier_id", "id")
                                    .values_list("dossier_id", *FINDING_FIELDS)):
            stored[dossier_id].append(tuple(values))
        # The engine, once per county config (usually one): the config is read once, the dossiers stream.
        groups: dict[int, list[tuple]] = {}
        for row in rows:
            if row[2] not in by_org:
                by_org[row[2]] = configs.for_path(row[1])[0]
            groups.setdefault(id(by_org[row[2]]), []).append(row)
        results: dict[int, dict] = {}
        for group in groups.values():
            config = by_org[group[0][2]]
            documents = [engine.document_from(row[0], row[6], row[3], row[4],
                                              [RecordView(r.step, r.seq, r.date.isoformat(), r.data)
                                               for r in records[row[0]]]) for row in group]
            for row, result in zip(group, engine.evaluate_many(documents, as_of=today, config=config), strict=True):
                results[row[0]] = result
        dossier_updates, person_updates, replaced, new_findings = [], [], [], []
        for row in rows:
            dossier_id, path, person_id, party_status, status_date, version = (row[0], row[1], row[5], row[7],
                                                                              row[8], row[9])
            result, recs = results[dossier_id], records[dossier_id]
            derived = _derived(recs, result)
            if derived != tuple(row[10:10 + len(DERIVED_FIELDS)]):
                dossier_updates.append((*derived, dossier_id))
            findings = _finding_values(result)
            if [tuple(f.values()) for f in findings] != stored[dossier_id]:
                replaced.append(dossier_id)
                new_findings += [Finding(dossier_id=dossier_id, org_path=path, **f) for f in findings]
            status = _person_status_of(derived[0], recs)
            joined = joined_on_of(status[0], recs, row[-1])
            if (party_status, status_date, row[-1]) != (*status, joined):
                person_updates.append((*status, joined, version + 1, person_id))
        update_many(Dossier, DERIVED_FIELDS, dossier_updates)
        if replaced:
            Finding.objects.filter(dossier_id__in=replaced).delete()
            Finding.objects.bulk_create(new_findings, batch_size=2000)
        update_many(Person, ("party_status", "status_date", "joined_on", "version"), person_updates)
        n += len(rows)
    audit_log(actor=actor, action="dossier.recheck", detail={"org_path": org_path, "dossiers": n})
    return n


@transaction.atomic
def county_config_update(*, actor: Actor, county_code: str, config: dict, late_entry_days: int) -> int:
    """Save a county's rule settings (county admin of that county only) and recheck its dossiers at once,
    in the same transaction, so findings never disagree with the settings. Returns the dossiers rechecked."""
    from dangjian import rules
    from dangjian.development.models import CountyConfig
    from dangjian.orgs.models import Organization, OrgKind

    county = Organization.objects.filter(code=county_code, kind=OrgKind.COUNTY).first()
    if county is None or not path_visible(actor.user, county.path):
        raise OutOfScope()
    if actor.user.role != Role.COUNTY_ADMIN:
        raise NotAllowed("只有县委组织部管理员可以修改规则设置")
    try:
        rules.Config.from_dict(config)
    except rules.InputError as exc:
        raise ValidationError({"config": [f"规则设置有误：{exc}"]}) from exc
    row, _ = CountyConfig.objects.select_for_update().get_or_create(county=county)
    before = {"config": row.config, "late_entry_days": row.late_entry_days}
    row.config, row.late_entry_days, row.updated_by = config, late_entry_days, actor.user
    row.save()
    audit_log(actor=actor, action="config.update", obj_type="organization", obj_id=county.code, before=before,
              after={"config": config, "late_entry_days": late_entry_days})
    return dossier_recheck(actor=actor, org_path=county.path)


@transaction.atomic
def dossier_set_profile(*, actor: Actor, dossier_id: int, tier: str, expected_departure: dt.date | None) -> Dossier:
    """Set what the rules read about the person besides the steps: 发展梯次 (L-TIER) and an expected departure
    (N-LEAVING-3M). Findings are refreshed in the same transaction."""
    from dangjian.development.models import Tier

    dossier = (Dossier.objects.select_for_update().select_related("person", "organization")
               .filter(pk=dossier_id).first())
    if dossier is None or not path_visible(actor.user, dossier.org_path):
        raise OutOfScope()
    _check_write(actor, dossier.org_path)
    if tier and tier not in Tier.values:
        raise ValidationError({"tier": ["发展梯次：无效的选项"]})
    before = {"tier": dossier.tier, "expected_departure": dossier.expected_departure}
    dossier.tier, dossier.expected_departure = tier, expected_departure
    records = list(dossier.records.all())
    config, _late = engine.config_for(dossier.org_path)
    _refresh(dossier, records, engine.evaluate(dossier, records, as_of=clock.today(), config=config))
    audit_log(actor=actor, action="dossier.profile", obj_type="dossier", obj_id=dossier.pk, before=before,
              after={"tier": tier, "expected_departure": expected_departure})
    return dossier


def dossier_refresh(*, dossier_ids: list[int]) -> None:
    """Re-derive status, dates and findings of these dossiers after a write elsewhere that the rules read (a
    联审 reply, a kinship approval, a county re-review, a public notice). Call it inside that write's transaction;
    the caller has checked scope and writes the audit row."""
    today = clock.today()
    for dossier in (Dossier.objects.select_for_update().select_related("person", "organization")
                    .filter(pk__in=dossier_ids).order_by("pk")):
        records = list(dossier.records.all())
        config, _late = engine.config_for(dossier.org_path)
        _refresh(dossier, records, engine.evaluate(dossier, records, as_of=today, config=config))
