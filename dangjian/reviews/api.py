"""/api/reviews: a department's 联审 inbox and its replies, for departments that answer from their own systems.
The same selectors and services as the pages: a department reviewer sees only his department's replies."""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema

from dangjian.core.audit import actor_from_request
from dangjian.core.errors import NotAllowed
from dangjian.reviews import selectors as sel
from dangjian.reviews import services as svc

router = Router(tags=["联审"])


class ItemOut(Schema):
    item_id: int
    code: str
    text: str
    effect: str
    hit: bool | None


class ReplyOut(Schema):
    reply_id: int
    name: str
    id_number_masked: str
    organization: str
    batch: str
    stage: str
    due_on: dt.date
    finding: str
    replied_on: dt.date | None
    note: str
    items: list[ItemOut]


def _out(reply, department) -> dict:
    person = reply.subject.dossier.person
    answers = {item: a.hit for item, a in sel.reply_answers(reply).items()}
    return {"reply_id": reply.pk, "name": person.name, "id_number_masked": person.id_number_masked,
            "organization": reply.subject.dossier.organization.name, "batch": reply.subject.batch.title,
            "stage": reply.subject.batch.stage, "due_on": reply.subject.batch.due_on, "finding": reply.finding,
            "replied_on": reply.replied_on, "note": reply.note,
            "items": [{"item_id": i.pk, "code": i.code, "text": i.text, "effect": i.effect,
                       "hit": answers.get(i.pk)} for i in sel.batch_items(reply.subject.batch, department)]}


@router.get("/reviews/inbox", response=list[ReplyOut], summary="本部门待回复（或已回复）的联审人员")
def inbox(request, answered: bool = False):
    department = sel.reviewer_department(request.user)
    if department is None:
        raise NotAllowed("只有联审部门审查人可以查看")
    rows = sel.reviewer_inbox(actor=actor_from_request(request), department=department, answered=answered)
    return [_out(r, department) for r in rows]


class ReplyIn(Schema):
    finding: str
    replied_on: dt.date
    note: str = ""
    hits: dict[int, str] = {}  # item id → note, for the items that apply to the person


@router.post("/reviews/replies/{int:reply_id}", response=ReplyOut, summary="回复一人的联审（逐项命中与部门意见）")
def reply(request, reply_id: int, body: ReplyIn):
    actor = actor_from_request(request)
    department = sel.reviewer_department(request.user)
    sel.reviewer_reply(actor=actor, department=department, reply_id=reply_id)  # 404 outside his department
    svc.reply_answer(actor=actor, reply_id=reply_id, inp=svc.ReplyInput(
        finding=body.finding, replied_on=body.replied_on, note=body.note, hits=dict(body.hits)))
    return _out(sel.reviewer_reply(actor=actor, department=department, reply_id=reply_id), department)
