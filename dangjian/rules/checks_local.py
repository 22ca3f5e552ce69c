"""The single-dossier local rules (PROCEDURE.md §4), each switched on by the county's config.

``LOCAL_CHECKS`` pairs each check with the setting that switches it on. They run after the national
checks, so a fact that a national rule already reports (no activist designation, no training, no passed
political review) is not reported again under a local code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from dangjian.rules.context import Ctx, get
from dangjian.rules.dates import add_months, first_day_after_whole_years
from dangjian.rules.schema import Config, Notice
from dangjian.rules.workdays import count_working_days

Check = Callable[[Ctx], None]

GATE_STEP = {"activist": "S03", "candidate": "S07", "admission": "S15"}
GATE_ZH = {"activist": "确定入党积极分子", "candidate": "确定发展对象", "admission": "支部大会讨论接收"}
STAGE_STEP = {"activist": "S03", "candidate": "S07", "admission": "S15", "conversion": "S23"}
STAGE_ZH = {
    "activist": "入党积极分子",
    "candidate": "发展对象",
    "admission": "接收预备党员",
    "conversion": "转正",
}
RATING_ZH = {"good": "好", "average": "一般", "poor": "差"}
TIER_ZH = {"current_year": "当年计划发展", "near_term": "近年计划发展", "long_term": "远期计划发展"}


@dataclass(frozen=True)
class LocalCheck:
    """A local rule's check and the config setting that switches it on."""

    code: str
    enabled: Callable[[Config], bool]
    run: Check


def check_six_bars(ctx: Ctx) -> None:
    """L-SIX-NO: 六不发展 (镇坪, seed 003), checked at the admission meeting M."""
    code = "L-SIX-NO"
    years = ctx.config.min_cultivation_years
    m = ctx.dates["S15"]
    if years is None or m is None or not ctx.applies(code, m):
        return
    a = ctx.dates["S03"]
    # (1), (2), (4) are facts N-ORDER, N-TRAINING and N-POLREV also report: they keep them (more specific).
    if a is None:
        ctx.emit(code, f"支部大会（{m}）时未确定为入党积极分子专门培养（六不发展第一项）", fact="missing:S03")
    if not ctx.recorded["S11"]:
        ctx.emit(code, f"支部大会（{m}）时未经党委集中培训（六不发展第二项）", fact="missing:S11")
    if a is not None:
        earliest = first_day_after_whole_years(a, years, strict=ctx.config.strict_anniversary)
        if m < earliest:
            ctx.emit(
                code,
                f"支部大会（{m}）时培养时间不满 {years} 年：{a} 确定为入党积极分子，最早 {earliest}"
                "（六不发展第三项）",
            )
    review = ctx.dossier.political_review
    if ctx.dates["S10"] is None:
        ctx.emit(code, f"支部大会（{m}）时未经政治审查（六不发展第四项）", fact="missing:S10")
    elif review.result == "fail":
        ctx.emit(
            code, f"支部大会（{m}）时政治审查结论不合格（六不发展第四项）", fact="political_review:not_pass"
        )
    if a is not None and "mass_org" not in ctx.dossier.activist.nomination:
        ctx.emit(code, f"确定为入党积极分子（{a}）未经群团组织推优（六不发展第五项）")
    dated = [(x.date, i, x) for i, x in enumerate(ctx.dossier.assessments) if x.date is not None]
    if dated:
        last_day, i, last = max(dated, key=lambda t: (t[0], t[1]))
        rating = ctx.need(code, last.rating, f"assessments[{i}].rating", step="S15")
        if rating in ("average", "poor"):
            ctx.emit(
                code, f"最后一次考察（{last_day}）评价为“{RATING_ZH[rating]}”（六不发展第六项）", severity="W"
            )


def check_kinship(ctx: Ctx) -> None:
    """L-KIN-COUNTY: a near relative of a serving village cadre needs the county's approval by the gate."""
    code = "L-KIN-COUNTY"
    gate = ctx.config.kinship_gate
    if gate is None:
        return
    step = GATE_STEP[gate]
    gate_day = ctx.dates[step]
    if gate_day is None or not ctx.applies(code, gate_day):
        return
    near = ctx.need(
        code, get(ctx.dossier.person, "near_relative_of_cadre"), "person.near_relative_of_cadre", step=step
    )
    if near is not True:
        return
    approved = get(ctx.dossier.kinship_approval, "date")
    if approved is None:
        ctx.emit(code, f"村干部近亲属，{GATE_ZH[gate]}（{gate_day}）前未经县委组织部审批", step=step)
    elif approved > gate_day:
        ctx.emit(code, f"县委组织部审批日期 {approved} 晚于{GATE_ZH[gate]}（{gate_day}）", step=step)


def check_joint_review(ctx: Ctx) -> None:
    """L-JOINT-REVIEW: every configured department replied by the gate; a blocking reply is E."""
    code = "L-JOINT-REVIEW"
    gate = ctx.config.joint_review_gate
    step = GATE_STEP[gate]
    gate_day = ctx.dates[step]
    replies = ctx.dossier.joint_review
    for reply in replies:
        if reply.finding == "blocking" and ctx.applies(code, reply.date or gate_day):
            ctx.emit(
                code,
                f"联审部门{reply.department or '（未记录）'}的回复（{reply.date or '日期未记录'}）为否决意见",
                step=step,
            )
    if gate_day is None or not ctx.applies(code, gate_day):
        return
    for i, reply in enumerate(replies):  # (a path is written out only when the field is missing)
        if reply.department is None:
            ctx.need(code, None, f"joint_review[{i}].department", step=step)
        if reply.date is None:
            ctx.need(code, None, f"joint_review[{i}].date", step=step)
        if reply.finding is None:
            ctx.need(code, None, f"joint_review[{i}].finding", step=step)
    lacking = []
    for department in dict.fromkeys(ctx.config.joint_review_departments):
        dates = [r.date for r in replies if r.department == department and r.date is not None]
        if any(day <= gate_day for day in dates):
            continue
        lacking.append(f"{department}（回复日期 {min(dates)}）" if dates else f"{department}（未回复）")
    if lacking:
        ctx.emit(code, f"{GATE_ZH[gate]}（{gate_day}）前联审部门未全部回复：{'、'.join(lacking)}", step=step)


def check_negative_list(ctx: Ctx) -> None:
    """L-NEG-LIST: a negative-list hit with effect block is E, with effect refer W (seed 001)."""
    code = "L-NEG-LIST"
    for i, hit in enumerate(ctx.dossier.negative_list_hits):
        stage = ctx.need(code, hit.stage, f"negative_list_hits[{i}].stage", step="S07")
        step = STAGE_STEP.get(stage or "", "S07")
        if not ctx.applies(code, ctx.dates[step]):
            continue
        effect = ctx.need(code, hit.effect, f"negative_list_hits[{i}].effect", step=step)
        item = hit.item or f"第 {i + 1} 项"
        where = f"（{STAGE_ZH[stage]}阶段）" if stage else ""
        if effect == "block":
            ctx.emit(code, f"命中负面清单 {item}{where}，不得发展", step=step)
        elif effect == "refer":
            ctx.emit(code, f"命中负面清单 {item}{where}，须报县委组织部研究", step=step, severity="W")


def check_county_review(ctx: Ctx) -> None:
    """L-3-LEVEL-REVIEW: the county re-review passed, dated ≥ S13 and on or before the gate (M or S17)."""
    code = "L-3-LEVEL-REVIEW"
    gate = ctx.config.county_review_gate
    if gate is None:
        return
    gate_step, gate_name = ("S15", "支部大会") if gate == "admission" else ("S17", "上级党委审批")
    gate_day = ctx.dates[gate_step]
    review = ctx.dossier.county_review
    review_day = get(review, "date")
    if get(review, "result") == "fail" and ctx.applies(code, review_day or gate_day):
        ctx.emit(code, f"县委组织部复审（{review_day or '日期未记录'}）结论为不合格")
    if gate_day is None or not ctx.applies(code, gate_day):
        return
    if review_day is None:
        ctx.emit(code, f"{gate_name}（{gate_day}）前未经县委组织部复审")
        return
    ctx.need(code, review.result, "county_review.result")
    s13 = ctx.dates["S13"]
    if s13 is not None and review_day < s13:
        ctx.emit(code, f"县委组织部复审日期 {review_day} 早于上级党委预审日期 {s13}")
    if review_day > gate_day:
        ctx.emit(code, f"县委组织部复审日期 {review_day} 晚于{gate_name}（{gate_day}）")


def _check_notice(
    ctx: Ctx,
    *,
    step: str,
    point: str,
    notice: Notice | None,
    path: str,
    following: date | None,
    following_name: str,
    occurrence: object = None,
) -> None:
    """One public notice: long enough in working days, and the following step dated after it ends."""
    code = "L-PUBLICITY"
    anchor = ctx.dates[step] or following or get(notice, "start")
    if not ctx.applies(code, anchor):
        return
    if notice is None or (notice.start is None and notice.end is None):
        if following is not None:
            ctx.emit(
                code, f"{point}未公示，但已于 {following} {following_name}", step=step, occurrence=occurrence
            )
        return
    start, end = notice.start, notice.end
    if start is None:
        ctx.need(code, None, f"{path}.start", step=step, occurrence=occurrence)
    if end is None:
        ctx.need(code, None, f"{path}.end", step=step, occurrence=occurrence)
    required = ctx.config.publicity_working_days
    if start is not None and end is not None and required is not None:
        counted = count_working_days(start, end)
        if counted.days < required:
            ctx.emit(
                code,
                f"{point}公示 {start} 至 {end} 共 {counted.days} 个工作日，不足 {required} 个工作日",
                step=step,
                occurrence=occurrence,
                provisional=counted.provisional,
            )
    if end is not None and following is not None and following <= end:
        ctx.emit(
            code,
            f"{following_name}（{following}）不在{point}公示结束（{end}）之后",
            step=step,
            occurrence=occurrence,
        )


def check_publicity(ctx: Ctx) -> None:
    """L-PUBLICITY: a notice at each configured point, before the following step (S04, S08, S17, S24)."""
    d = ctx.dossier
    for point in dict.fromkeys(ctx.config.publicity_at):
        if point == "activist":
            _check_notice(
                ctx,
                step="S03",
                point="入党积极分子",
                notice=get(d.activist, "publicity"),
                path="activist.publicity",
                following=ctx.dates["S04"],
                following_name="报上级党委备案",
            )
        elif point == "candidate":
            _check_notice(
                ctx,
                step="S07",
                point="发展对象",
                notice=get(d.candidate, "publicity"),
                path="candidate.publicity",
                following=ctx.dates["S08"],
                following_name="报上级党委备案",
            )
        elif point == "admission":
            _check_notice(
                ctx,
                step="S15",
                point="拟接收预备党员",
                notice=get(d.admission_meeting, "publicity"),
                path="admission_meeting.publicity",
                following=ctx.dates["S17"],
                following_name="上级党委审批",
            )
        else:
            for view in ctx.conversions.views:
                if view.entry.decision == "on_time":
                    _check_notice(
                        ctx,
                        step="S23",
                        point="拟转正",
                        notice=get(view.entry.meeting, "publicity"),
                        path=f"{view.path}.meeting.publicity",
                        following=view.entry.approval,
                        following_name="上级党委审批转正",
                        occurrence=view.index,
                    )


def check_meeting_within_month(ctx: Ctx) -> None:
    """L-MEETING-1M: the admission meeting within one month of the pre-review (reported 2026 revision)."""
    code = "L-MEETING-1M"
    s13 = ctx.dates["S13"]
    if s13 is None:
        return
    due = ctx.deadline(add_months(s13, 1))
    m = ctx.dates["S15"]
    if m is not None:
        if m > due.date and ctx.applies(code, m):
            ctx.emit(
                code,
                f"支部大会（{m}）超过上级党委预审（{s13}）后一个月的期限 {due.date}",
                provisional=due.provisional,
            )
    elif ctx.as_of > due.date and ctx.applies(code, due.date):
        ctx.missing_step(
            "S15", code, f"上级党委预审（{s13}）后一个月的期限 {due.date} 已过", provisional=due.provisional
        )


def check_oath_within_month(ctx: Ctx) -> None:
    """L-OATH-1M: the oath within one month of the approval (reported 2026 revision)."""
    code = "L-OATH-1M"
    s17 = ctx.dates["S17"]
    if s17 is None:
        return
    due = ctx.deadline(add_months(s17, 1))
    oath = ctx.dates["S20"]
    if oath is not None:
        if oath > due.date and ctx.applies(code, oath):
            ctx.emit(
                code,
                f"入党宣誓（{oath}）超过上级党委审批（{s17}）后一个月的期限 {due.date}",
                provisional=due.provisional,
            )
    elif ctx.as_of > due.date and ctx.applies(code, due.date):
        ctx.missing_step(
            "S20", code, f"上级党委审批（{s17}）后一个月的期限 {due.date} 已过", provisional=due.provisional
        )


def check_training_hours(ctx: Ctx) -> None:
    """L-TRAINING-HOURS: concentrated training of at least the county's number of class hours."""
    code = "L-TRAINING-HOURS"
    minimum = ctx.config.training_min_hours
    if minimum is None or not ctx.recorded["S11"] or not ctx.applies(code, ctx.dates["S11"]):
        return
    hours = ctx.need(code, ctx.dossier.training.hours, "training.hours")
    if hours is not None and hours < minimum:
        ctx.emit(code, f"集中培训 {hours} 学时，不足县定的 {minimum} 学时")


def check_application_months(ctx: Ctx) -> None:
    """L-APPLY-6M: an activist designated at least the county's number of months after the application."""
    code = "L-APPLY-6M"
    months = ctx.config.application_min_months
    a, s01 = ctx.dates["S03"], ctx.dates["S01"]
    if months is None or a is None or s01 is None or not ctx.applies(code, a):
        return
    earliest = add_months(s01, months)
    if a < earliest:
        ctx.emit(
            code, f"确定为入党积极分子（{a}）距递交入党申请书（{s01}）不满 {months} 个月（最早 {earliest}）"
        )


def check_tier(ctx: Ctx) -> None:
    """L-TIER (W): a candidate comes from the tier 当年计划发展 (镇坪, seed 003)."""
    code = "L-TIER"
    d = ctx.dates["S07"]
    if d is None or not ctx.applies(code, d):
        return
    tier = ctx.need(code, get(ctx.dossier.person, "tier"), "person.tier", step="S07")
    if tier is not None and tier != "current_year":
        ctx.emit(code, f"确定为发展对象（{d}）时不在“当年计划发展”梯次（现为“{TIER_ZH[tier]}”）")


LOCAL_CHECKS: tuple[LocalCheck, ...] = (
    LocalCheck("L-SIX-NO", lambda c: c.min_cultivation_years is not None, check_six_bars),
    LocalCheck("L-KIN-COUNTY", lambda c: c.kinship_gate is not None, check_kinship),
    LocalCheck("L-JOINT-REVIEW", lambda c: bool(c.joint_review_departments), check_joint_review),
    LocalCheck("L-NEG-LIST", lambda c: True, check_negative_list),
    LocalCheck("L-3-LEVEL-REVIEW", lambda c: c.county_review_gate is not None, check_county_review),
    LocalCheck("L-PUBLICITY", lambda c: bool(c.publicity_at), check_publicity),
    LocalCheck("L-MEETING-1M", lambda c: c.meeting_within_1m_of_prereview, check_meeting_within_month),
    LocalCheck("L-OATH-1M", lambda c: c.oath_within_1m, check_oath_within_month),
    LocalCheck("L-TRAINING-HOURS", lambda c: c.training_min_hours is not None, check_training_hours),
    LocalCheck("L-APPLY-6M", lambda c: c.application_min_months is not None, check_application_months),
    LocalCheck("L-TIER", lambda c: c.tiers, check_tier),
)
