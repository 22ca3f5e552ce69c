"""/api/archives: audit rounds with their statistics and problems — the same selectors as the pages, the same scope."""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema

from dangjian.archives import selectors
from dangjian.archives.models import AuditRound
from dangjian.core.audit import actor_from_request, audit_log

router = Router(tags=["档案审查"])


class RoundOut(Schema):
    id: int
    name: str
    year: int
    half: int
    status: str
    per_township: int
    seed: int | None
    drawn_at: dt.datetime | None
    archives: int
    problems: int
    rectified: int
    summary: str


class Count(Schema):
    key: str
    problems: int
    rectified: int


class ProblemOut(Schema):
    id: int
    township_code: str
    organization_code: str
    name: str
    problem_type: str
    step: str
    note: str
    finding_code: str
    responsible_name: str
    responsible_role: str
    responsibility: str
    status: str
    returned: int


class RoundDetailOut(RoundOut):
    by_type: list[Count]
    by_responsibility: list[Count]
    by_role: list[Count]
    problems_list: list[ProblemOut]


def _out(r: AuditRound, st: selectors.RoundSummary) -> dict:
    return {"id": r.pk, "name": r.name, "year": r.year, "half": r.half, "status": r.status,
            "per_township": r.per_township, "seed": r.seed, "drawn_at": r.drawn_at, "archives": st.archives,
            "problems": st.problems, "rectified": st.rectified, "summary": st.sentence}


@router.get("/archives/rounds", response=list[RoundOut], summary="档案审查轮次（本人范围内的统计）")
def rounds(request):
    return [_out(r, st) for r, st in selectors.round_list(user=request.user)]


@router.get("/archives/rounds/{int:round_id}", response=RoundDetailOut, summary="档案审查轮次详情与问题清单")
def round_detail(request, round_id: int):
    rnd = selectors.round_get(user=request.user, round_id=round_id)
    st = selectors.round_stats(user=request.user, rnd=rnd)
    out = _out(rnd, st)
    problems = list(selectors.round_problems(user=request.user, rnd=rnd))
    audit_log(actor=actor_from_request(request), action="archives.round_view", obj_type="audit_round", obj_id=rnd.pk,
              detail={"channel": "api", "problems": len(problems)})

    def counts(rows):
        return [{"key": k, "problems": n, "rectified": d} for k, n, d in rows]

    return {**out, "by_type": counts(st.by_type), "by_responsibility": counts(st.by_responsibility),
            "by_role": counts(st.by_role),
            "problems_list": [{"id": p.pk, "township_code": p.township.code,
                               "organization_code": p.sample.dossier.organization.code,
                               "name": p.sample.dossier.person.name, "problem_type": p.problem_type, "step": p.step,
                               "note": p.note, "finding_code": p.finding_code,
                               "responsible_name": p.responsible_name, "responsible_role": p.responsible_role,
                               "responsibility": p.responsibility, "status": p.status, "returned": p.returned}
                              for p in problems]}
