"""Ledger jobs: long imports, check-ups and exports run outside the web request.

The web view writes the upload under var/ledgers/uploads/ and a `LedgerJob` row, then starts
`dangjian ledger run-job ID` as a separate process (after the row is committed) and answers at once; the page
polls the row (HTMX) for progress. Nothing assumes one process or one machine beyond var/ being the place the
upload is: the state and the progress are in the database, and any process may run the job. While the commit's
transaction holds SQLite's write lock, progress goes to var/ledgers/progress/ID.json instead (PostgreSQL: a
second connection), so the page still moves.

Runners (setting LEDGER_JOB_RUNNER): "subprocess" (production), "thread" (a development server), "inline"
(tests: the job runs inside the request).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection, connections, transaction

from dangjian.core import clock
from dangjian.core.audit import Actor, audit_log
from dangjian.core.errors import NotAllowed
from dangjian.core.scope import visible_to
from dangjian.ledgers import columns, reader, selectors
from dangjian.ledgers.models import JobPurpose, JobState, LedgerJob
from dangjian.ledgers.rows import shown
from dangjian.orgs.models import Organization

log = logging.getLogger(__name__)
SAMPLE_ROWS = 5


def ledger_dir(sub: str) -> Path:
    path = Path(settings.LEDGER_DIR) / sub
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _abs(rel: str) -> Path:
    return Path(settings.LEDGER_DIR) / rel


def _delete(rel: str) -> None:
    if rel:
        try:
            _abs(rel).unlink(missing_ok=True)
        except OSError:
            log.warning("could not delete ledger file %s", rel)


def ledger_cleanup() -> int:
    """Delete uploads and produced workbooks older than LEDGER_FILE_HOURS (SECURITY.md D5)."""
    cutoff = time.time() - settings.LEDGER_FILE_HOURS * 3600
    n = 0
    for sub in ("uploads", "out", "progress", "logs"):
        folder = Path(settings.LEDGER_DIR) / sub
        if not folder.exists():
            continue
        for f in folder.iterdir():
            try:
                if f.stat().st_mtime < cutoff:
                    f.unlink()
                    n += 1
            except OSError:
                pass
    return n


# --- creating jobs (called by views and the API, inside the request) -------------------------------------
def job_create_upload(*, actor: Actor, purpose: str, upload, kind: str = "", default_org: str = "") -> LedgerJob:
    """Store an uploaded ledger under var/ (never under its own name) and start reading it."""
    user = actor.user
    if getattr(user, "organization", None) is None:
        raise NotAllowed("您尚未分配所属组织，不能使用台账")
    if purpose == JobPurpose.IMPORT and not user.can_write:
        raise NotAllowed("只读用户不能导入台账")
    if kind and kind not in columns.KINDS:
        raise ValidationError({"kind": ["台账类型：无效"]})
    if default_org and not visible_to(user, Organization).filter(code=default_org).exists():
        raise ValidationError({"default_org": ["默认组织：不在您管辖的范围内"]})
    limit = settings.LEDGER_MAX_UPLOAD_MB * 1024 * 1024
    if upload.size > limit:
        raise ValidationError({"file": [f"文件太大（{upload.size // (1024 * 1024)} MB），上限 {settings.LEDGER_MAX_UPLOAD_MB} MB"]})
    if upload.size == 0:
        raise ValidationError({"file": ["文件是空的（0 字节）"]})
    ledger_cleanup()
    rel = f"uploads/{secrets.token_hex(16)}.upload"
    target = ledger_dir("uploads") / Path(rel).name
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    job = LedgerJob.objects.create(purpose=purpose, kind=kind, created_by=user, org_path=user.organization.path,
                                   default_org=default_org, filename=(upload.name or "")[:200], upload_path=rel,
                                   phase="inspect")
    audit_log(actor=actor, action="ledger.upload", obj_type="ledger_job", obj_id=job.pk,
              detail={"purpose": purpose, "file": job.filename, "bytes": upload.size})
    job_start(job, "inspect")
    return job


def job_create_export(*, actor: Actor, kind: str, org_code: str = "", reveal_ids: bool = False) -> LedgerJob:
    user = actor.user
    if getattr(user, "organization", None) is None:
        raise NotAllowed("您尚未分配所属组织，不能使用台账")
    if kind not in columns.KINDS:
        raise ValidationError({"kind": ["台账类型：无效"]})
    org = selectors.export_org(user=user, code=org_code)
    if reveal_ids and not user.can_reveal_id:
        raise NotAllowed("您的角色不能导出完整的公民身份号码")
    ledger_cleanup()
    job = LedgerJob.objects.create(purpose=JobPurpose.EXPORT, kind=kind, created_by=user,
                                   org_path=user.organization.path,
                                   options={"org": org.code, "reveal_ids": bool(reveal_ids)}, phase="export",
                                   filename=f"{columns.KINDS[kind]}-{org.name}-{clock.today():%Y%m%d}.xlsx")
    job_start(job, "export")
    return job


def job_set_mapping(*, actor: Actor, job_id: int, kind: str, mapping: dict[int, str], default_org: str = ""
                    ) -> list:
    """The user's confirmed columns. Returns the problems (nothing started) or [] (validation started)."""
    from dangjian.ledgers.services import check_mapping, file_issue

    job = selectors.job_get(user=actor.user, job_id=job_id)
    if job.state != JobState.MAPPING:
        return [file_issue("该任务当前不能修改列的对应关系")]
    if default_org and not visible_to(actor.user, Organization).filter(code=default_org).exists():
        return [file_issue("默认组织：不在您管辖的范围内")]
    headers = job.table.get("headers", [])
    if job.purpose == JobPurpose.CHECK:
        issues = []
        if not any(k.startswith("S") for k in mapping.values()):
            issues.append(file_issue("请至少对应一个步骤日期列，才能体检"))
        if len(set(mapping.values())) != len(mapping):
            issues.append(file_issue("有两列对应到了同一项，只能保留一列"))
    else:
        issues = check_mapping(kind, mapping, headers, bool(default_org))
    if issues:
        return issues
    job.kind, job.mapping, job.default_org = kind, {str(k): v for k, v in mapping.items()}, default_org
    job.save(update_fields=["kind", "mapping", "default_org"])
    job_start(job, "check" if job.purpose == JobPurpose.CHECK else "preview")
    return []


def job_commit(*, actor: Actor, job_id: int) -> LedgerJob:
    job = selectors.job_get(user=actor.user, job_id=job_id)
    if not actor.user.can_write:
        raise NotAllowed("只读用户不能导入台账")
    if job.purpose != JobPurpose.IMPORT or job.state != JobState.PREVIEW or job.result.get("error_count"):
        raise ValidationError({"job": ["该导入还不能确认：请先处理预览中的全部错误"]})
    job_start(job, "commit")
    return job


def job_cancel(*, actor: Actor, job_id: int) -> LedgerJob:
    job = selectors.job_get(user=actor.user, job_id=job_id)
    # A running job is left to finish (its process holds the transaction); anything waiting for the user is
    # cancelled, and whatever it kept under var/ is deleted now.
    if job.state in (JobState.MAPPING, JobState.PREVIEW, JobState.FAILED, JobState.DONE):
        _delete(job.upload_path)
        _delete(job.result_path)
        state = job.state if job.state in (JobState.DONE, JobState.FAILED) else JobState.CANCELLED
        LedgerJob.objects.filter(pk=job.pk).update(state=state, upload_path="", result_path="")
        job.refresh_from_db()
    return job


def job_take_result(*, actor: Actor, job_id: int) -> tuple[object, str]:
    """Open the produced workbook for download and delete it from var/ (read once; D5)."""
    job = selectors.job_get(user=actor.user, job_id=job_id)
    if job.state != JobState.DONE or not job.result_path or not _abs(job.result_path).exists():
        raise ValidationError({"job": ["文件已下载并删除，或尚未生成；请重新导出"]})
    path = _abs(job.result_path)
    fh = open(path, "rb")  # noqa: SIM115 — handed to FileResponse, which closes it
    path.unlink()  # the open handle keeps the content until the response is sent
    LedgerJob.objects.filter(pk=job.pk).update(result_path="")
    name = job.filename if job.purpose == JobPurpose.EXPORT else f"体检结果-{Path(job.filename).stem}.xlsx"
    audit_log(actor=actor, action="ledger.download", obj_type="ledger_job", obj_id=job.pk,
              detail={"purpose": job.purpose, "kind": job.kind})
    return fh, name


def job_refresh(job: LedgerJob) -> LedgerJob:
    """Merge the progress file (written during a commit on SQLite) and mark a job whose process died."""
    prog = Path(settings.LEDGER_DIR) / "progress" / f"{job.pk}.json"
    if job.busy and prog.exists():
        try:
            data = json.loads(prog.read_text())
            job.done, job.total, job.message = data["done"], data["total"], data.get("message", job.message)
            job.heartbeat_at = dt.datetime.fromtimestamp(data["at"], tz=dt.UTC)
        except (OSError, ValueError, KeyError):
            pass
    stale = settings.LEDGER_JOB_STALE_SECONDS
    seen = job.heartbeat_at or job.created_at
    if job.busy and seen and (clock.now() - seen).total_seconds() > stale:
        LedgerJob.objects.filter(pk=job.pk, state=job.state).update(
            state=JobState.FAILED, message="任务中断：处理进程已停止（没有写入任何数据）。请重新上传或重新开始")
        job.refresh_from_db()
    return job


# --- starting and running -------------------------------------------------------------------------------------
def job_start(job: LedgerJob, phase: str) -> None:
    LedgerJob.objects.filter(pk=job.pk).update(state=JobState.QUEUED, phase=phase, done=0, total=0, message="",
                                               heartbeat_at=clock.now())
    job.state, job.phase = JobState.QUEUED, phase
    runner = settings.LEDGER_JOB_RUNNER
    if runner == "inline":
        run_job(job.pk)
        job.refresh_from_db()
    elif runner == "thread":
        transaction.on_commit(lambda: threading.Thread(target=_thread_run, args=(job.pk,), daemon=True).start())
    else:
        transaction.on_commit(lambda: _spawn(job.pk))


def _thread_run(job_id: int) -> None:
    close_old_connections()
    try:
        run_job(job_id)
    finally:
        connection.close()


def _spawn(job_id: int) -> None:
    logs = ledger_dir("logs")
    with open(logs / f"job-{job_id}.log", "ab") as err:
        proc = subprocess.Popen([sys.executable, "-m", "dangjian.cli", "ledger", "run-job", str(job_id)],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                start_new_session=True, close_fds=True, env=os.environ.copy())
    LedgerJob.objects.filter(pk=job_id).update(pid=proc.pid)


class _Progress:
    """Progress of a running job, at most twice a second."""

    def __init__(self, job: LedgerJob) -> None:
        self.job, self.last = job, 0.0
        self.file = ledger_dir("progress") / f"{job.pk}.json"

    def __call__(self, done: int, total: int, label: str) -> None:
        now = time.monotonic()
        if now - self.last < 0.5 and done < total:
            return
        self.last = now
        message = f"{label}：{done}/{total} 行" if total else label
        if not connection.in_atomic_block:
            LedgerJob.objects.filter(pk=self.job.pk).update(done=done, total=total, message=message,
                                                            heartbeat_at=clock.now())
        elif connection.vendor == "postgresql" and settings.LEDGER_JOB_RUNNER != "inline":
            # A second connection, outside the import's transaction (inline runs share the request's
            # transaction, whose lock on this row a second connection would wait for).
            side = connections.create_connection("default")
            try:
                with side.cursor() as cur:
                    cur.execute(f"UPDATE {LedgerJob._meta.db_table} SET done=%s, total=%s, message=%s, "
                                "heartbeat_at=%s WHERE id=%s", [done, total, message, clock.now(), self.job.pk])
            finally:
                side.close()
        else:
            tmp = self.file.with_suffix(".tmp")
            tmp.write_text(json.dumps({"done": done, "total": total, "message": message, "at": time.time()}))
            tmp.replace(self.file)

    def clear(self) -> None:
        self.file.unlink(missing_ok=True)


def run_job(job_id: int) -> None:
    """Run the job's current phase (in whichever process calls it). Claims the row first, so two runners
    never run one job twice."""
    claimed = LedgerJob.objects.filter(pk=job_id, state=JobState.QUEUED).update(
        state=JobState.RUNNING, heartbeat_at=clock.now(), pid=os.getpid())
    if not claimed:
        return
    job = LedgerJob.objects.select_related("created_by", "created_by__organization").get(pk=job_id)
    progress = _Progress(job)
    actor = Actor(user=job.created_by, request_id=f"ledger-job-{job.pk}")
    try:
        if job.created_by.organization is None or not job.created_by.is_active:
            raise NotAllowed("用户已停用或没有所属组织")
        {"inspect": _inspect, "preview": _preview, "commit": _commit, "check": _check,
         "export": _export}[job.phase](job, actor, progress)
    except Exception as exc:  # noqa: BLE001 — a job fails with a message; the web page must never see a trace
        log.exception("ledger job %s failed", job_id)
        message = str(exc) if isinstance(exc, NotAllowed | reader.LedgerFileError) else \
            f"处理时出错，没有写入任何数据（{type(exc).__name__}）。请检查文件后重试"
        LedgerJob.objects.filter(pk=job.pk).update(state=JobState.FAILED, message=message, finished_at=clock.now())
        if job.purpose != JobPurpose.EXPORT:
            _delete(job.upload_path)
            LedgerJob.objects.filter(pk=job.pk).update(upload_path="")
    finally:
        progress.clear()


def _finish(job: LedgerJob, **fields) -> None:
    fields.setdefault("finished_at", clock.now())
    fields.setdefault("message", "")  # the last progress line is no news once the phase is over
    LedgerJob.objects.filter(pk=job.pk).update(heartbeat_at=clock.now(), **fields)


def _inspect(job: LedgerJob, actor: Actor, progress) -> None:
    from dangjian.ledgers.services import limits

    try:
        table = reader.open_table(_abs(job.upload_path), limits=limits())
    except reader.LedgerFileError as exc:
        _delete(job.upload_path)
        _finish(job, state=JobState.FAILED, message=str(exc), upload_path="")
        return
    sample = []
    for number, row in table.rows():
        sample.append([number, [shown(None, v) for v in row[:len(table.headers)]]])
        if len(sample) >= SAMPLE_ROWS:
            break
    guessed = columns.guess_mapping(table.headers)
    kind = job.kind or columns.guess_kind(set(guessed.values())) or columns.kind_from_title(table.title) or ""
    if job.purpose == JobPurpose.CHECK:
        kind = kind if kind in columns.PIPELINE_KINDS else "probationary"
    mapping = columns.guess_mapping(table.headers, kind) if kind else guessed
    info = {"format": table.format, "encoding": table.encoding, "sheet": table.sheet, "header_row": table.header_row,
            "headers": table.headers, "title": table.title[:200], "data_rows": table.data_rows, "sample": sample,
            "other_sheets": table.other_sheets, "guessed_kind": kind,
            "recognized": {str(i): k for i, k in guessed.items()}}
    _finish(job, state=JobState.MAPPING, table=info, kind=kind, mapping={str(i): k for i, k in mapping.items()},
            total=table.data_rows, finished_at=None)


def _mapping(job: LedgerJob) -> dict[int, str]:
    return {int(i): k for i, k in job.mapping.items()}


def _preview(job: LedgerJob, actor: Actor, progress) -> None:
    from dangjian.ledgers.services import ledger_import

    s = ledger_import(actor=actor, path=_abs(job.upload_path), kind=job.kind, mapping=_mapping(job),
                      default_org_code=job.default_org, commit=False, progress=progress, filename=job.filename)
    _finish(job, state=JobState.PREVIEW, result=s.as_result(), finished_at=None)


def _commit(job: LedgerJob, actor: Actor, progress) -> None:
    from dangjian.ledgers.services import ledger_import

    s = ledger_import(actor=actor, path=_abs(job.upload_path), kind=job.kind, mapping=_mapping(job),
                      default_org_code=job.default_org, commit=True, progress=progress, filename=job.filename)
    if s.committed:
        _delete(job.upload_path)
        _finish(job, state=JobState.DONE, result=s.as_result(), upload_path="")
    else:
        _finish(job, state=JobState.PREVIEW, result=s.as_result(), finished_at=None,
                message="数据已有变化，导入未完成，没有写入任何数据：请查看下面的错误")


def _check(job: LedgerJob, actor: Actor, progress) -> None:
    from dangjian.development import engine
    from dangjian.ledgers.checkup import annotate, ledger_check

    config = engine.config_for(job.created_by.organization.path)[0]
    source = _abs(job.upload_path)
    result, table = ledger_check(path=source, mapping=_mapping(job), config=config, as_of=clock.today(),
                                 progress=progress)
    rel = ""
    if table is not None and not (result.errors and not result.people):
        rel = f"out/{secrets.token_hex(16)}.xlsx"
        annotate(table, source, result, ledger_dir("out") / Path(rel).name)
    audit_log(actor=actor, action="ledger.check", obj_type="ledger_job", obj_id=job.pk,
              detail={"file": job.filename, "rows": result.rows, "findings": result.counts})
    _delete(job.upload_path)
    _finish(job, state=JobState.DONE, result=result.as_json(cap=2000), result_path=rel, upload_path="")


def _export(job: LedgerJob, actor: Actor, progress) -> None:
    from dangjian.ledgers.services import ledger_export

    rel = f"out/{secrets.token_hex(16)}.xlsx"
    path = ledger_dir("out") / Path(rel).name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        n = ledger_export(actor=actor, kind=job.kind, out=fh, org_code=job.options.get("org", ""),
                          reveal_ids=bool(job.options.get("reveal_ids")), progress=progress)
    _finish(job, state=JobState.DONE, result={"rows": n}, result_path=rel, done=n, total=n)
