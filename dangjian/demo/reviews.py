"""Demo data of the reviews app: the county's 联审 departments and a 25-item negative list, one reviewer account
per department (公安's is the README's demo account), a closed-but-late candidate batch with a blocking reply and
an overdue department, an open activist batch, two kinship reports (one approved), county re-reviews and a few
public notices with feedback. Everything goes through the services, as a user would do it. Called with one line
from dangjian.demo.generate.generate(); deterministic from the seed (its own random.Random)."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth.hashers import make_password

from dangjian.core.audit import Actor
from dangjian.development.models import CountyConfig, Dossier, StepRecord
from dangjian.development.services import dossier_refresh
from dangjian.orgs.models import Organization, OrgKind, User
from dangjian.reviews import services as svc
from dangjian.reviews.models import DepartmentReply, NegativeItem

# (department, demo account)
DEPARTMENTS = (("公安", "police_reviewer"), ("法院", "court_reviewer"), ("检察院", "procuratorate_reviewer"),
               ("纪委监委", "discipline_reviewer"), ("信访", "petition_reviewer"), ("统战/民宗", "religion_reviewer"),
               ("司法", "justice_reviewer"))
# A county's 发展党员负面清单 (seed 001: 商河 "细化25条"): code, text, category, stage, department, effect.
NEGATIVE_LIST = (
    ("NL01", "受过刑事处罚的", "违法犯罪", "activist", "公安", "block"),
    ("NL02", "近三年内受过治安管理处罚的", "违法犯罪", "activist", "公安", "block"),
    ("NL03", "参与黑恶势力或为其充当“保护伞”的", "违法犯罪", "activist", "公安", "block"),
    ("NL04", "参与赌博、吸毒、传销等违法活动的", "违法犯罪", "activist", "公安", "block"),
    ("NL05", "参加非法组织、邪教组织的", "政治表现", "activist", "公安", "block"),
    ("NL06", "在网络上发表、转发违背党的理论和路线方针政策言论的", "政治表现", "candidate", "公安", "block"),
    ("NL07", "酒驾醉驾被依法处理的", "违法犯罪", "candidate", "公安", "refer"),
    ("NL08", "被列为失信被执行人的", "诚信", "candidate", "法院", "block"),
    ("NL09", "拒不履行人民法院生效判决、裁定的", "诚信", "candidate", "法院", "block"),
    ("NL10", "不履行赡养、抚养义务或有家庭暴力行为的", "道德品质", "candidate", "法院", "refer"),
    ("NL11", "恶意拖欠农民工工资的", "诚信", "candidate", "法院", "block"),
    ("NL12", "正在被立案侦查、审查起诉的", "违法犯罪", "activist", "检察院", "block"),
    ("NL13", "受过党纪政务处分尚在影响期内的", "纪律", "candidate", "纪委监委", "block"),
    ("NL14", "侵占、挪用集体资金资产资源的", "纪律", "candidate", "纪委监委", "block"),
    ("NL15", "拖欠集体承包费、借款拒不归还的", "诚信", "candidate", "纪委监委", "refer"),
    ("NL16", "入党动机不纯、为谋取私利申请入党的", "政治表现", "candidate", "纪委监委", "refer"),
    ("NL17", "组织、参与非正常上访或缠访闹访的", "社会稳定", "activist", "信访", "block"),
    ("NL18", "近三年内有越级上访记录的", "社会稳定", "candidate", "信访", "refer"),
    ("NL19", "煽动、组织群体性事件的", "社会稳定", "activist", "信访", "block"),
    ("NL20", "信仰宗教或参加宗教活动的", "政治表现", "activist", "统战/民宗", "block"),
    ("NL21", "私设宗教聚会点或参与非法宗教活动的", "政治表现", "activist", "统战/民宗", "block"),
    ("NL22", "参与封建迷信活动造成不良影响的", "道德品质", "candidate", "统战/民宗", "refer"),
    ("NL23", "正在接受社区矫正的", "违法犯罪", "activist", "司法", "block"),
    ("NL24", "刑满释放未满五年的", "违法犯罪", "candidate", "司法", "refer"),
    ("NL25", "被列入严重违法失信名单的", "诚信", "candidate", "司法", "refer"),
)
PASSWORD = "Demo-2026"


def demo_reviews(*, seed: int, county: Organization, today: dt.date) -> dict:
    r = random.Random(seed * 31 + 6)
    admin_user = User.objects.get(username="county_admin")
    admin = Actor(user=admin_user)
    departments, reviewers = {}, {}
    hashed = make_password(PASSWORD)
    for name, username in DEPARTMENTS:
        departments[name] = svc.department_save(actor=admin, name=name)
        user = svc.reviewer_create(actor=admin, department_id=departments[name].pk, username=username,
                                   full_name=f"{name}联审联络员", password=PASSWORD, password_hash=hashed)
        # Demo accounts skip the first-login password change so a demo can start at once; real accounts don't.
        User.objects.filter(pk=user.pk).update(must_change_password=False)
        user.must_change_password = False
        reviewers[name] = Actor(user=user)
    for code, text, category, stage, dept, effect in NEGATIVE_LIST:
        svc.negative_item_save(actor=admin, data=svc.ItemData(code=code, text=text, category=category, stage=stage,
                                                              department_id=departments[dept].pk, effect=effect))
    in_county = Dossier.objects.filter(org_path__startswith=county.path)
    candidates = list(in_county.filter(status="candidate").order_by("id")[:10])
    activists = list(in_county.filter(status="activist").order_by("id")[:8])
    n_batches = 0
    # A candidate batch, due five days ago: every department answered except 信访 (overdue on three people);
    # 公安 found one person with a blocking item.
    if candidates:
        sent, due = today - dt.timedelta(days=20), today - dt.timedelta(days=5)
        batch = svc.batch_create(actor=admin, title=f"{today:%Y}年发展对象联审（第一批）", stage="candidate",
                                 sent_on=sent, due_on=due, dossier_ids=[d.pk for d in candidates])
        n_batches += 1
        blocked = candidates[0].pk
        for reply in DepartmentReply.objects.filter(subject__batch=batch).select_related("department", "subject"):
            dept = reply.department.name
            if dept == "信访" and reply.subject.dossier_id in {d.pk for d in candidates[-3:]}:
                continue
            replied = sent + dt.timedelta(days=r.randint(2, 14))
            if dept == "公安" and reply.subject.dossier_id == blocked:
                item = NegativeItem.objects.get(county=county, code="NL06")
                svc.reply_answer(actor=reviewers[dept], reply_id=reply.pk, inp=svc.ReplyInput(
                    finding="blocking", replied_on=replied, note="经查，该人员曾多次在微信群转发错误言论",
                    hits={item.pk: "2024年起多次转发，已截图存档"}))
            else:
                svc.reply_answer(actor=reviewers[dept], reply_id=reply.pk,
                                 inp=svc.ReplyInput(finding="none", replied_on=replied))
    # An activist batch (联审关口前移), sent three days ago: a few departments have answered; 公安 has not.
    if activists:
        sent = today - dt.timedelta(days=3)
        batch = svc.batch_create(actor=admin, title=f"{today:%Y}年入党积极分子前置审查", stage="activist",
                                 sent_on=sent, due_on=today + dt.timedelta(days=12),
                                 dossier_ids=[d.pk for d in activists])
        n_batches += 1
        for reply in DepartmentReply.objects.filter(subject__batch=batch, department__name__in=["法院", "司法"]):
            svc.reply_answer(actor=reviewers[reply.department.name], reply_id=reply.pk,
                             inp=svc.ReplyInput(finding="none", replied_on=today - dt.timedelta(days=1)))
    # 近亲属: the county checks the gate at 确定发展对象 (L-KIN-COUNTY); only reported people are affected.
    row, _ = CountyConfig.objects.get_or_create(county=county)
    row.config = {**row.config, "kinship_gate": "candidate"}
    row.save()
    kin = 0
    if len(candidates) > 2:
        d = candidates[1]
        report = svc.kinship_report(actor=admin, dossier_id=d.pk, cadre_name="王德顺", cadre_post="村委会主任",
                                    relation="parent", reported_on=today - dt.timedelta(days=40))
        svc.kinship_forward(actor=admin, report_id=report.pk, opinion="经核实，确系村委会主任之子，本人表现良好，同意上报",
                            forwarded_on=today - dt.timedelta(days=36))
        svc.kinship_decide(actor=admin, report_id=report.pk, approve=True, decided_on=today - dt.timedelta(days=30),
                           document_no=f"青组通〔{today:%Y}〕17号", note="同意按程序继续培养")
        kin += 1
    if activists:
        svc.kinship_report(actor=admin, dossier_id=activists[-1].pk, cadre_name="赵长林", cadre_post="村党支部书记",
                           relation="sibling", reported_on=today - dt.timedelta(days=6))
        kin += 1
    # 县级复审: the first pre-reviewed dossiers re-reviewed; the others wait in the queue.
    waiting = list(in_county.filter(records__step="S13", records__data__result="pass",
                                    county_reviews__isnull=True).distinct().order_by("id")[:6])
    for d in waiting[:3]:
        s13 = StepRecord.objects.filter(dossier=d, step="S13").order_by("-seq").first()
        day = min(today, s13.date + dt.timedelta(days=r.randint(2, 8)))
        svc.county_review_record(actor=admin, dossier_id=d.pk, reviewed_on=day, result="pass",
                                 opinion="政治审查、培养考察材料齐全，程序规范，同意提交支部大会讨论",
                                 reviewer="县委组织部组织二科 陈静")
    # 公示: the candidates of each of the first branches that have some.
    notices = 0
    by_branch: dict[int, list[Dossier]] = {}
    for d in in_county.filter(status="candidate").select_related("organization").order_by("id"):
        by_branch.setdefault(d.organization_id, []).append(d)
    for branch_id, people in list(by_branch.items())[:3]:
        branch = Organization.objects.get(pk=branch_id)
        town = Organization.objects.filter(path__in=[branch.path[:i] for i in range(4, len(branch.path), 4)],
                                           kind=OrgKind.TOWNSHIP).first()
        notice = svc.notice_create(actor=admin, inp=svc.NoticeInput(
            org_code=branch.code, point="candidate", start=today - dt.timedelta(days=r.randint(2, 12)),
            working_days=5, contact_phone=f"0851-2{r.randint(100000, 999999)}",
            feedback_address=f"{town.name if town else county.name}组织办", dossier_ids=[d.pk for d in people[:3]]))
        notices += 1
        if notices == 1:
            svc.notice_add_feedback(actor=admin, notice_id=notice.pk, received_on=notice.start, channel="phone",
                                    content="群众来电反映公示对象曾拖欠村集体承包费",
                                    handling="经村党支部核实，承包费已于去年结清，反映情况不影响发展")
    dossier_refresh(dossier_ids=[d.pk for d in candidates + activists])
    return {"batches": n_batches, "kinship": kin, "notices": notices}
