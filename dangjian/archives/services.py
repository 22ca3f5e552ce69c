"""Writes of the archives app: the county's checklist, scans (upload, delete), audit rounds (open, draw, close),
problems (record, rectify, re-check). One transaction each, audited here; scope checked before and inside."""

from __future__ import annotations

import hashlib
import random
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from dangjian.archives import filetypes, storage
from dangjian.archives.catalogue import (
    PROBLEM_LABELS,
    STEP_CODES,
    problem_type_for_finding,
    responsibility_for,
)
from dangjian.archives.models import (
    ArchiveFile,
    AuditProblem,
    AuditRound,
    AuditSample,
    ChecklistItem,
    ProblemStatus,
    RoundStatus,
)
from dangjian.archives.selectors import archive_dossiers, checklist_for, townships_of
from dangjian.core import clock
from dangjian.core.audit import Actor, audit_log
from dangjian.core.errors import NotAllowed, OutOfScope, field_error
from dangjian.core.scope import visible_to
from dangjian.development.models import Dossier, Finding, StepRecord
from dangjian.orgs.models import Organization, OrgKind, Role

OTHER_MATERIAL = "其他材料"
RECTIFY_MATERIAL = "整改材料"
MAX_MATERIAL_LEN = 60
# Issue 6: each township samples at least min(20, its archives) every half year. N below 20 is refused; a township
# with fewer archives gives all it has (draw_sample).
MIN_PER_TOWNSHIP = 20
MAX_PER_TOWNSHIP = 500
PER_TOWNSHIP_TOO_FEW = (f"每个乡镇至少抽取：不能少于 {MIN_PER_TOWNSHIP} 份"
                        f"（每个乡镇每半年至少抽查 {MIN_PER_TOWNSHIP} 份档案，不足 {MIN_PER_TOWNSHIP} 份的全部抽取）")


# --- who may do what -------------------------------------------------------------------------------------
def _county_admin_county(actor: Actor) -> Organization:
    """The county of a county administrator (the auditor); anyone else may not audit or edit the checklist."""
    user = actor.user
    org = getattr(user, "organization", None)
    if user is None or getattr(user, "role", "") != Role.COUNTY_ADMIN or org is None or org.kind != OrgKind.COUNTY:
        raise NotAllowed("只有县委组织部管理员可以进行此操作")
    return org


def _writer(actor: Actor) -> None:
    if actor.user is None or not actor.user.can_write:
        raise NotAllowed("只读用户不能修改档案")


# --- checklist ---------------------------------------------------------------------------------------------
@transaction.atomic
def checklist_update(*, actor: Actor, items: dict[str, list[str]]) -> int:
    """Replace the county's checklist (step → material names). Returns the number of materials."""
    county = _county_admin_county(actor)
    errors: dict[str, list[str]] = {}
    clean: dict[str, list[str]] = {}
    for step, names in items.items():
        if step not in STEP_CODES:
            errors.setdefault("__all__", []).append(f"步骤：{step} 不是有效的步骤代码")
            continue
        seen: list[str] = []
        for raw in names:
            name = raw.strip()
            if not name:
                continue
            if len(name) > MAX_MATERIAL_LEN:
                errors.setdefault(step, []).append(f"{step} 材料名称：“{name[:20]}…”超过 {MAX_MATERIAL_LEN} 个字")
            elif name not in seen:
                seen.append(name)
        clean[step] = seen
    if errors:
        raise ValidationError(errors)
    before = checklist_for(county)
    ChecklistItem.objects.filter(county=county).delete()
    rows = [ChecklistItem(county=county, step=step, name=name, position=i)
            for step in STEP_CODES for i, name in enumerate(clean.get(step, before.get(step, [])))]
    for row in rows:
        row.full_clean(validate_unique=False)
        row.save()
    audit_log(actor=actor, action="archives.checklist_update", obj_type="organization", obj_id=county.code,
              before=before, after=checklist_for(county))
    return len(rows)


# --- scans -------------------------------------------------------------------------------------------------
def _read_upload(upload) -> bytes:
    if upload is None:
        raise field_error("file", "扫描件：请选择要上传的文件")
    limit = settings.ARCHIVE_MAX_UPLOAD_MB * 1024 * 1024
    if upload.size > limit:
        raise field_error("file", f"扫描件：文件过大（{upload.size / 1024 / 1024:.1f} MB），"
                                  f"不能超过 {settings.ARCHIVE_MAX_UPLOAD_MB} MB")
    data = upload.read(limit + 1)
    if len(data) > limit:  # the declared size lied
        raise field_error("file", f"扫描件：文件过大，不能超过 {settings.ARCHIVE_MAX_UPLOAD_MB} MB")
    return data


def _store(*, actor: Actor, dossier: Dossier, step: str, material: str, upload, problem=None) -> ArchiveFile:
    """Validate the bytes, write the file, then the row and the audit entry; the file goes if the row does not."""
    data = _read_upload(upload)
    kind = filetypes.detect(data)
    storage_id = storage.new_storage_id()
    storage.write(storage_id, data)
    try:
        with transaction.atomic():
            f = ArchiveFile(dossier=dossier, org_path=dossier.org_path, step=step, material=material, problem=problem,
                            storage_id=storage_id, original_name=(getattr(upload, "name", "") or "")[:200],
                            kind=kind, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                            uploaded_by=actor.user, uploaded_at=clock.now())
            f.full_clean()
            f.save()
            audit_log(actor=actor, action="archives.file_upload", obj_type="archive_file", obj_id=f.pk,
                      after={"dossier": dossier.pk, "step": step, "material": material, "kind": kind,
                             "size": f.size, "sha256": f.sha256, "problem": problem.pk if problem else None})
    except BaseException:
        storage.remove(storage_id)
        raise
    return f


def archive_file_upload(*, actor: Actor, dossier_id: int, step: str, material: str, upload) -> ArchiveFile:
    """Upload one scan of a step's material to a dossier in the actor's subtree."""
    _writer(actor)
    dossier = visible_to(actor.user, Dossier).filter(pk=dossier_id).first()
    if dossier is None:
        raise OutOfScope()
    if step not in STEP_CODES:
        raise field_error("item", "材料：请选择步骤和材料")
    from dangjian.development import engine

    county = engine.county_of(dossier.org_path)
    allowed = checklist_for(county).get(step, []) + [OTHER_MATERIAL]
    if material not in allowed:
        raise field_error("item", f"材料：{step} 的材料清单里没有“{material}”")
    return _store(actor=actor, dossier=dossier, step=step, material=material, upload=upload)


def archive_file_delete(*, actor: Actor, file_id: int) -> None:
    _writer(actor)
    with transaction.atomic():
        f = visible_to(actor.user, ArchiveFile).select_for_update().filter(pk=file_id).first()
        if f is None:
            raise OutOfScope()
        before = {"dossier": f.dossier_id, "step": f.step, "material": f.material, "kind": f.kind,
                  "sha256": f.sha256, "storage_id": f.storage_id}
        storage_id = f.storage_id
        f.delete()
        audit_log(actor=actor, action="archives.file_delete", obj_type="archive_file", obj_id=file_id, before=before)
        # The bytes go only once the row is gone for good (a rolled-back delete keeps its file).
        transaction.on_commit(lambda: storage.remove(storage_id))


# --- audit rounds --------------------------------------------------------------------------------------------
def _round_for_admin(actor: Actor, round_id: int, *, lock: bool = False) -> AuditRound:
    county = _county_admin_county(actor)
    qs = visible_to(actor.user, AuditRound)
    if lock:
        qs = qs.select_for_update()
    rnd = qs.filter(pk=round_id, county=county).first()
    if rnd is None:
        raise OutOfScope()
    return rnd


@transaction.atomic
def round_open(*, actor: Actor, name: str, year: int, half: int, per_township: int | None = None) -> AuditRound:
    """Open an audit round for the actor's county."""
    county = _county_admin_county(actor)
    n = settings.ARCHIVE_SAMPLE_PER_TOWNSHIP if per_township is None else per_township
    errors: dict[str, list[str]] = {}
    if not (name or "").strip():
        errors["name"] = ["名称：必填"]
    if not 2000 <= (year or 0) <= 2100:
        errors["year"] = ["年度：应为 2000 到 2100 之间的年份"]
    if half not in (1, 2):
        errors["half"] = ["半年：应为上半年或下半年"]
    if n < MIN_PER_TOWNSHIP:
        errors["per_township"] = [PER_TOWNSHIP_TOO_FEW]
    elif n > MAX_PER_TOWNSHIP:
        errors["per_township"] = [f"每个乡镇至少抽取：不能超过 {MAX_PER_TOWNSHIP} 份"]
    if errors:
        raise ValidationError(errors)
    rnd = AuditRound(county=county, org_path=county.path, name=name.strip(), year=year, half=half, per_township=n,
                     created_by=actor.user, created_at=clock.now())
    rnd.full_clean()
    rnd.save()
    audit_log(actor=actor, action="archives.round_open", obj_type="audit_round", obj_id=rnd.pk,
              after={"name": rnd.name, "year": year, "half": half, "per_township": n, "county": county.code})
    return rnd


def draw_sample(*, seed: int, per_township: int, pools: list[tuple[Organization, list[int]]]) -> list[tuple[Organization, int]]:
    """The reproducible draw (docs/archives.md): one random.Random(seed); townships in path order; in each, a
    sample of min(N, available) from the township's archive ids sorted ascending. Same seed, same sample."""
    rng = random.Random(seed)
    out: list[tuple[Organization, int]] = []
    for township, ids in pools:
        ordered = sorted(ids)
        for dossier_id in rng.sample(ordered, min(per_township, len(ordered))):
            out.append((township, dossier_id))
    return out


@transaction.atomic
def round_draw(*, actor: Actor, round_id: int, seed: int | None = None) -> int:
    """Draw the round's sample once, with the given seed or a fresh random one; both recorded. Returns its size."""
    rnd = _round_for_admin(actor, round_id, lock=True)
    if rnd.status != RoundStatus.OPEN:
        raise field_error("seed", "抽取：本轮审查已结束")
    if rnd.drawn_at is not None:
        raise field_error("seed", f"抽取：本轮已于 {rnd.drawn_at:%Y-%m-%d} 抽取过（随机种子 {rnd.seed}），不能重抽")
    if seed is None:
        seed = secrets.randbelow(2**31)
    elif not 0 <= seed < 2**63:
        raise field_error("seed", "随机种子：应为非负整数")
    pools = []
    eligible = archive_dossiers(county=rnd.county)
    for township in townships_of(rnd.county):
        ids = [pk for pk, path in eligible if path.startswith(township.path)]
        pools.append((township, ids))
    drawn = draw_sample(seed=seed, per_township=rnd.per_township, pools=pools)
    paths = dict(eligible)
    samples = [AuditSample(round=rnd, dossier_id=pk, township=t, org_path=paths[pk], position=i)
               for i, (t, pk) in enumerate(drawn, start=1)]
    AuditSample.objects.bulk_create(samples)  # audited below as one draw, with every drawn id
    rnd.seed = seed
    rnd.drawn_at = clock.now()
    rnd.save(update_fields=["seed", "drawn_at"])
    audit_log(actor=actor, action="archives.round_draw", obj_type="audit_round", obj_id=rnd.pk,
              after={"seed": seed, "per_township": rnd.per_township, "drawn": [pk for _, pk in drawn],
                     "by_township": {t.code: len(ids) for t, ids in pools},
                     # What the draw ran over, in order: with the seed, anyone can redo it (selectors.round_draw_check).
                     "pools": [[t.code, sorted(ids)] for t, ids in pools]})
    return len(samples)


@transaction.atomic
def round_close(*, actor: Actor, round_id: int) -> AuditRound:
    rnd = _round_for_admin(actor, round_id, lock=True)
    if rnd.status == RoundStatus.CLOSED:
        raise field_error("status", "状态：本轮审查已经结束")
    open_n = rnd.problems.exclude(status=ProblemStatus.CLOSED).count()
    if open_n:
        raise field_error("status", f"状态：还有 {open_n} 个问题未销号，不能结束本轮审查")
    rnd.status = RoundStatus.CLOSED
    rnd.closed_at = clock.now()
    rnd.save(update_fields=["status", "closed_at"])
    audit_log(actor=actor, action="archives.round_close", obj_type="audit_round", obj_id=rnd.pk,
              after={"status": rnd.status})
    return rnd


# --- problems ---------------------------------------------------------------------------------------------
def _responsible(dossier_id: int, step: str) -> tuple[str, str]:
    if not step:
        return "", ""
    rec = StepRecord.objects.filter(dossier_id=dossier_id, step=step).order_by("-seq").first()
    return (rec.responsible_name, rec.responsible_role) if rec else ("", "")


@transaction.atomic
def problem_record(*, actor: Actor, sample_id: int, problem_type: str = "", step: str = "", note: str = "",
                   finding_id: int | None = None) -> AuditProblem:
    """Record a problem in a sampled archive (or accept a stored rule finding as one), assigned to the person
    responsible for the step concerned."""
    county = _county_admin_county(actor)
    sample = (visible_to(actor.user, AuditSample).select_related("round", "dossier").select_for_update(of=("self",))
              .filter(pk=sample_id, round__county=county).first())
    if sample is None:
        raise OutOfScope()
    if sample.round.status != RoundStatus.OPEN:
        raise field_error("problem_type", "问题：本轮审查已结束，不能再记录问题")
    finding = None
    if finding_id is not None:
        finding = Finding.objects.filter(pk=finding_id, dossier_id=sample.dossier_id).first()
        if finding is None:
            raise field_error("finding", "规则发现：不是这份档案的问题")
        if AuditProblem.objects.filter(round=sample.round, finding=finding).exists():
            raise field_error("finding", "规则发现：已经记录为问题")
        problem_type = problem_type or problem_type_for_finding(finding.code)
        step = finding.step
        note = note or finding.message
    errors: dict[str, list[str]] = {}
    if problem_type not in PROBLEM_LABELS:
        errors["problem_type"] = ["问题类型：请从问题目录中选择"]
    if step and step not in STEP_CODES:
        errors["step"] = ["步骤：无效的步骤代码"]
    if not (note or "").strip():
        errors["note"] = ["问题说明：必填"]
    if errors:
        raise ValidationError(errors)
    name, role = _responsible(sample.dossier_id, step)
    p = AuditProblem(round=sample.round, sample=sample, township=sample.township, org_path=sample.org_path,
                     problem_type=problem_type, step=step, note=note.strip(), finding=finding,
                     finding_code=finding.code if finding else "", responsible_name=name, responsible_role=role,
                     responsibility=responsibility_for(step), created_by=actor.user, created_at=clock.now())
    p.full_clean()
    p.save()
    if not sample.checked:
        sample.checked = True
        sample.save(update_fields=["checked"])
    audit_log(actor=actor, action="archives.problem_record", obj_type="audit_problem", obj_id=p.pk,
              after={"round": sample.round_id, "dossier": sample.dossier_id, "type": problem_type, "step": step,
                     "finding": p.finding_code, "responsible": name, "role": role})
    return p


@transaction.atomic
def sample_mark_checked(*, actor: Actor, sample_id: int) -> AuditSample:
    """The auditor has read the archive (with or without problems)."""
    county = _county_admin_county(actor)
    sample = visible_to(actor.user, AuditSample).filter(pk=sample_id, round__county=county).first()
    if sample is None:
        raise OutOfScope()
    sample.checked = True
    sample.save(update_fields=["checked"])
    audit_log(actor=actor, action="archives.sample_checked", obj_type="audit_sample", obj_id=sample.pk)
    return sample


def problem_rectify(*, actor: Actor, problem_id: int, answer: str, upload=None) -> AuditProblem:
    """The township (or the branch) answers a problem of its own subtree: what was corrected, optionally a scan."""
    _writer(actor)
    if actor.user.role == Role.COUNTY_ADMIN:
        raise NotAllowed("整改情况由乡镇（党支部）填写，县委组织部负责复核")
    stored: list[str] = []  # storage ids written in this transaction
    try:
        with transaction.atomic():
            p = (visible_to(actor.user, AuditProblem).select_related("sample__dossier", "round")
                 .select_for_update(of=("self",)).filter(pk=problem_id).first())
            if p is None:
                raise OutOfScope()
            if p.status != ProblemStatus.OPEN:
                raise field_error("answer", f"整改情况：问题状态为“{p.get_status_display()}”，不能再提交整改")
            if not (answer or "").strip():
                raise field_error("answer", "整改情况：必填")
            if upload is not None:
                f = _store(actor=actor, dossier=p.sample.dossier, step=p.step, material=RECTIFY_MATERIAL,
                           upload=upload, problem=p)
                stored.append(f.storage_id)
            p.answer = answer.strip()
            p.status = ProblemStatus.ANSWERED
            p.answered_at = clock.now()
            p.answered_by = actor.user
            p.full_clean()
            p.save()
            audit_log(actor=actor, action="archives.problem_rectify", obj_type="audit_problem", obj_id=p.pk,
                      after={"status": p.status, "answer": p.answer, "file": upload is not None})
    except BaseException:
        # The scan's row went with the rollback, so its bytes go too: _store cleans up only after a failure of
        # its own savepoint, not after one later in this transaction. (Called inside a caller's transaction that
        # rolls back after this returns, the file would stay: no caller does that; docs/decisions.md.)
        for storage_id in stored:
            storage.remove(storage_id)
        raise
    return p


@transaction.atomic
def problem_review(*, actor: Actor, problem_id: int, decision: str, note: str = "") -> AuditProblem:
    """The county re-checks an answered problem: closes it (销号) or sends it back (退回) with a note."""
    county = _county_admin_county(actor)
    p = (visible_to(actor.user, AuditProblem).select_for_update().filter(pk=problem_id, round__county=county)
         .first())
    if p is None:
        raise OutOfScope()
    if decision not in ("close", "return"):
        raise field_error("decision", "复核结论：请选择销号或退回")
    if p.status != ProblemStatus.ANSWERED:
        raise field_error("decision", f"复核结论：问题状态为“{p.get_status_display()}”，乡镇提交整改后才能复核")
    if decision == "return" and not (note or "").strip():
        raise field_error("note", "复核意见：退回时必须写明原因")
    before = {"status": p.status}
    p.review_note = (note or "").strip()
    if decision == "close":
        p.status = ProblemStatus.CLOSED
        p.closed_at = clock.now()
        p.closed_by = actor.user
    else:
        p.status = ProblemStatus.OPEN
        p.returned += 1
    p.save()
    audit_log(actor=actor, action="archives.problem_review", obj_type="audit_problem", obj_id=p.pk, before=before,
              after={"status": p.status, "decision": decision, "note": p.review_note})
    return p
