"""Demo data of the archives app: the county's checklist, a few scans, one closed and one open audit round
with problems in every state. Called with one line from dangjian.demo.generate.generate(); deterministic from
the demo seed (its own random.Random, so the other generators' draws do not move)."""

from __future__ import annotations

import datetime as dt
import random

from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.archives import samples, services
from dangjian.archives.catalogue import DEFAULT_CHECKLIST
from dangjian.archives.models import AuditSample, ChecklistItem
from dangjian.archives.selectors import checklist_for
from dangjian.core import clock
from dangjian.core.audit import Actor
from dangjian.development.models import Dossier, Finding
from dangjian.orgs.models import Organization, User

NOTES = {
    "missing_material": ("缺少支委会会议记录", "缺少思想汇报（2份）", "函调回函未归档", "缺少培养教育考察登记表"),
    "unsigned": ("入党志愿书介绍人意见未签名", "政治审查综合报告未盖章", "谈话记录无谈话人签名"),
    "date_order": ("支部大会记录日期早于预审日期", "备案报告日期早于支委会会议"),
    "late_record": ("考察登记表系事后集中补写", "谈话记录为补录，笔迹一致"),
    "content": ("志愿书表决票数与会议记录不一致", "自传内容过于简单"),
    "quorum": ("支部大会到会人数未达应到会人数的半数",),
}
STEPS = {"missing_material": "S07", "unsigned": "S14", "date_order": "S15", "late_record": "S06", "content": "S15",
         "quorum": "S15"}
ANSWERS = ("已补齐材料并归档", "已组织补签并说明情况", "已重新核对更正，附说明", "已责成党支部书面说明并整改")


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def _scans(r: random.Random, actor: Actor, town: Organization) -> int:
    """A few scans in the first township's archives, so completeness varies between branches."""
    dossiers = list(Dossier.objects.filter(org_path__startswith=town.path, status__in=("candidate", "probationary"))
                    .order_by("id")[:12])
    checklist = checklist_for(Organization.objects.get(pk=town.parent_id))
    n = 0
    for i, d in enumerate(dossiers):
        steps = sorted(set(d.records.values_list("step", flat=True)))
        share = (0.9, 0.5, 0.2)[i % 3]
        for step in steps:
            for material in checklist.get(step, []):
                if r.random() < share and n < 60:
                    data = samples.pdf_bytes(f"{step}") if r.random() < 0.5 else samples.jpeg_bytes()
                    services.archive_file_upload(actor=actor, dossier_id=d.pk, step=step, material=material,
                                                 upload=_upload("scan", data))
                    n += 1
    return n


def _problems(r: random.Random, admin: Actor, rnd, organizers: dict[int, Actor], *, per_town: int,
              states: tuple[str, ...], only_answering: bool = False) -> None:
    """Record problems in the first samples of each township (accepting a stored rule finding where there is
    one), then move them through `states` in turn: open, answered, closed, returned. Only townships with a demo
    account answer; with `only_answering`, problems are recorded only there (a round that must close)."""
    i = 0
    for town_id in dict.fromkeys(AuditSample.objects.filter(round=rnd).values_list("township_id", flat=True)):
        town = organizers.get(town_id)
        if only_answering and town is None:
            continue
        for s in AuditSample.objects.filter(round=rnd, township_id=town_id).order_by("position")[:per_town]:
            finding = Finding.objects.filter(dossier_id=s.dossier_id).order_by("id").first()
            if finding is not None:
                p = services.problem_record(actor=admin, sample_id=s.pk, finding_id=finding.pk)
            else:
                kind = r.choice(sorted(NOTES))
                p = services.problem_record(actor=admin, sample_id=s.pk, problem_type=kind, step=STEPS[kind],
                                            note=r.choice(NOTES[kind]))
            state = states[i % len(states)]
            i += 1
            if state == "open" or town is None:
                continue
            upload = _upload("scan.png", samples.png_bytes()) if i % 2 else None
            services.problem_rectify(actor=town, problem_id=p.pk, answer=r.choice(ANSWERS), upload=upload)
            if state == "closed":
                services.problem_review(actor=admin, problem_id=p.pk, decision="close", note="经复核，整改到位")
            elif state == "returned":
                services.problem_review(actor=admin, problem_id=p.pk, decision="return",
                                        note="补签材料未注明日期，请重新整改")


def demo_archives(*, seed: int, county: Organization, today: dt.date) -> dict:
    r = random.Random(f"archives-{seed}")
    admin_user = User.objects.filter(username="county_admin").first()
    if admin_user is None:
        return {}
    admin = Actor(user=admin_user)
    # The county's own checklist: the default, plus one local material (公示 under S17 as 镇坪 and 商河 do).
    items = {step: list(names) for step, names in DEFAULT_CHECKLIST.items()}
    items["S17"].append("公示材料")
    services.checklist_update(actor=admin, items=items)
    towns = list(Organization.objects.filter(parent=county).order_by("path"))
    organizers: dict[int, Actor] = {}
    for u in User.objects.filter(role="township_organizer", organization__in=towns):
        organizers[u.organization_id] = Actor(user=u)
    scans = _scans(r, Actor(user=User.objects.get(username="town_organizer")), towns[0]) if towns else 0
    # Last half-year's round, closed; this half-year's, open, with problems in every state.
    prev = dt.date(today.year, 1 if today.month <= 6 else 7, 1) - dt.timedelta(days=1)
    prev_half = 1 if prev.month <= 6 else 2
    with clock.frozen(prev - dt.timedelta(days=60)):
        closed = services.round_open(actor=admin, name=f"{prev.year}年{'上' if prev_half == 1 else '下'}半年发展党员档案提级审查",
                                     year=prev.year, half=prev_half, per_township=20)
        services.round_draw(actor=admin, round_id=closed.pk, seed=r.randrange(2**31))
        _problems(r, admin, closed, organizers, per_town=8, states=("closed",), only_answering=True)
    with clock.frozen(prev):
        services.round_close(actor=admin, round_id=closed.pk)
    half = 1 if today.month <= 6 else 2
    current = services.round_open(actor=admin, name=f"{today.year}年{'上' if half == 1 else '下'}半年发展党员档案提级审查",
                                  year=today.year, half=half, per_township=20)
    services.round_draw(actor=admin, round_id=current.pk, seed=r.randrange(2**31))
    _problems(r, admin, current, organizers, per_town=3, states=("open", "answered", "closed", "returned"))
    return {"checklist": ChecklistItem.objects.filter(county=county).count(), "scans": scans,
            "rounds": [closed.pk, current.pk]}
