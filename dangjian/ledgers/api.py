"""/api/ledgers: a ledger job's state and progress (the same selector and scope as the pages)."""

from __future__ import annotations

from ninja import Router, Schema

from dangjian.ledgers.jobs import job_refresh
from dangjian.ledgers.selectors import job_get

router = Router(tags=["台账"])


class JobOut(Schema):
    id: int
    purpose: str
    kind: str
    state: str
    state_label: str
    phase: str
    done: int
    total: int
    percent: int
    message: str
    rows: int | None = None
    created: int | None = None
    updated: int | None = None
    unchanged: int | None = None
    error_count: int | None = None
    warning_count: int | None = None


@router.get("/ledgers/jobs/{int:job_id}", response=JobOut, summary="台账任务的状态和进度（仅本人的任务）")
def ledger_job(request, job_id: int):
    job = job_refresh(job_get(user=request.user, job_id=job_id))
    r = job.result or {}
    return {"id": job.pk, "purpose": job.purpose, "kind": job.kind, "state": job.state,
            "state_label": job.get_state_display(), "phase": job.phase, "done": job.done, "total": job.total,
            "percent": job.percent, "message": job.message,
            **{k: r.get(k) for k in ("rows", "created", "updated", "unchanged", "error_count", "warning_count")}}
