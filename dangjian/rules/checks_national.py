"""The national rules (PROCEDURE.md §3), one small function each, in the table's order.

Each function reads the dossier through :class:`~dangjian.rules.context.Ctx` and reports through it; none
returns anything. ``NATIONAL_CHECKS`` lists them in order: a violation that two rules could report goes to
the one that runs first (the most specific), see ``Ctx.findings``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

from dangjian.rules.context import ConversionView, Ctx, get
from dangjian.rules.dates import (
    add_months,
    add_years,
    eighteenth_birthday,
    first_day_after_whole_years,
    more_than_half,
    needed_for_more_than_half,
)
from dangjian.rules.schema import Meeting
from dangjian.rules.steps import STEPS, dependents_of, step_index, step_label

Check = Callable[[Ctx], None]

# 细则第37条: the archive holds at least these materials.
ARCHIVE_REQUIRED_ITEMS: tuple[str, ...] = (
    "入党志愿书",
    "入党申请书",
    "政治审查材料",
    "转正申请书",
    "培养教育考察材料",
)

DECISION_ZH = {"on_time": "按期转正", "extend": "延长预备期", "cancel": "取消预备党员资格"}
BODY_TYPE_ZH = {
    "township_committee": "乡镇（街道）党委",
    "primary_committee": "基层党委",
    "general_branch": "党总支",
    "branch": "党支部",
    "village_committee": "村（社区）党组织",
}
MODE_ZH = {"collective_meeting": "集体讨论表决", "circulated": "传签", "individual": "个别征求意见"}


def chain_problems(items: list[tuple[str, str, date | None]]) -> list[tuple[str, str]]:
    """Dates that must not decrease along ``items`` (step, label, date): one problem per backward step.

    Unrecorded dates are skipped, so ``a ≤ b ≤ c`` is still checked as ``a ≤ c`` when ``b`` is missing.
    Returns (step of the later item, message).
    """
    problems = []
    previous: tuple[str, str, date] | None = None
    for step, label, day in items:
        if day is None:
            continue
        if previous is not None and day < previous[2]:
            problems.append((step, f"{label}（{day}）早于{previous[1]}（{previous[2]}）"))
        previous = (step, label, day)
    return problems


def _emit_chain(
    ctx: Ctx, code: str, items: list[tuple[str, str, date | None]], occurrence: object = None
) -> None:
    previous = None
    for _step, _label, day in items:  # the usual case first: nothing goes backward
        if day is not None:
            if previous is not None and day < previous:
                break
            previous = day
    else:
        return
    for step, message in chain_problems(items):
        ctx.emit(code, message, step=step, occurrence=occurrence)


def _who(name: str | None, i: int, role: str) -> str:
    return f"{role}{name}" if name else f"第{i + 1}名{role}"


# ------------------------------------------------------------------------------------------ stage 1


def check_age_18(ctx: Ctx) -> None:
    """N-AGE-18: 细则第5条 — 年满十八岁 on the day the application is received."""
    s01 = ctx.dates["S01"]
    if s01 is None or not ctx.applies("N-AGE-18", s01):
        return
    birth = ctx.need("N-AGE-18", get(ctx.dossier.person, "birth_date"), "person.birth_date", step="S01")
    if birth is None:
        return
    reached = eighteenth_birthday(birth, strict=ctx.config.strict_birthday)
    if s01 < reached:
        ctx.emit("N-AGE-18", f"递交入党申请书（{s01}）时未满十八周岁：出生于 {birth}，{reached} 起方可申请")


def check_talk_within_month(ctx: Ctx) -> None:
    """N-TALK-1M: 细则第7条 — 党组织应当在收到入党申请书后一个月内派人同入党申请人谈话."""
    code = "N-TALK-1M"
    s01 = ctx.dates["S01"]
    if s01 is None:
        return
    due = ctx.deadline(add_months(s01, 1))
    s02 = ctx.dates["S02"]
    if s02 is None:
        if ctx.as_of > due.date and ctx.applies(code, due.date):
            ctx.missing_step(
                "S02",
                code,
                f"收到入党申请书（{s01}）后一个月的谈话期限 {due.date} 已过",
                provisional=due.provisional,
            )
        return
    if not ctx.applies(code, s02):
        return
    if s02 < s01:
        ctx.emit(code, f"谈话日期 {s02} 早于党组织收到入党申请书日期 {s01}")
    elif s02 > due.date:
        ctx.emit(
            code,
            f"谈话日期 {s02} 超过收到入党申请书（{s01}）后一个月的期限 {due.date}",
            provisional=due.provisional,
        )


# ------------------------------------------------------------------------------------------ stage 2


def check_activist_order(ctx: Ctx) -> None:
    """N-ACT-ORDER: 发展党员工作流程 — designated only after the talk (S01 ≤ S02 ≤ A)."""
    code = "N-ACT-ORDER"
    a = ctx.dates["S03"]
    if a is None or not ctx.applies(code, a):
        return
    s02 = ctx.dates["S02"]
    if s02 is not None:
        if a < s02:
            ctx.emit(code, f"确定为入党积极分子（{a}）早于党组织派人谈话（{s02}）")
        return
    s01 = ctx.dates["S01"]
    if s01 is not None and a < s01:
        ctx.emit(code, f"确定为入党积极分子（{a}）早于党组织收到入党申请书（{s01}）")
    # A missing talk: reported by the missing-step pass (under this code) or by N-TALK-1M after its deadline.


def check_activist_decider(ctx: Ctx) -> None:
    """N-ACT-DECIDER: 细则第8条 — 由支部委员会研究决定 (a branch without a committee: 支部大会)."""
    code = "N-ACT-DECIDER"
    a = ctx.dates["S03"]
    if a is None or not ctx.applies(code, a):
        return
    decided_by = ctx.need(code, ctx.dossier.activist.decided_by, "activist.decided_by")
    if decided_by == "other":
        ctx.emit(code, f"确定入党积极分子（{a}）不是由支部委员会或支部大会研究决定")


def check_activist_nomination(ctx: Ctx) -> None:
    """N-ACT-NOMINATION: 细则第8条 — 采取党员推荐、群团组织推优等方式产生人选."""
    code = "N-ACT-NOMINATION"
    a = ctx.dates["S03"]
    if a is None or not ctx.applies(code, a):
        return
    if not ctx.dossier.activist.nomination:
        ctx.emit(code, f"确定入党积极分子（{a}）未记录党员推荐或群团组织推优")


def check_activist_filed(ctx: Ctx) -> None:
    """N-ACT-FILE: 细则第8条 — 报上级党委备案 after the designation (a missing filing: missing-step pass)."""
    code = "N-ACT-FILE"
    s04 = ctx.dates["S04"]
    if s04 is None or not ctx.applies(code, s04):
        return
    _emit_chain(ctx, code, [("S03", "确定入党积极分子", ctx.dates["S03"]), ("S04", "积极分子备案", s04)])


def check_mentor_count(ctx: Ctx) -> None:
    """N-MENTOR-COUNT: 细则第9条 — 指定一至两名正式党员作为培养联系人."""
    code = "N-MENTOR-COUNT"
    count = len(ctx.dossier.mentors)
    if count > 2 and ctx.applies(code, ctx.dates["S05"] or ctx.dates["S03"]):
        ctx.emit(code, f"指定了 {count} 名培养联系人，应为一至两名")


def check_mentor_full(ctx: Ctx) -> None:
    """N-MENTOR-FULL: 细则第9条 — every mentor a full member, assigned on or after A."""
    code = "N-MENTOR-FULL"
    a = ctx.dates["S03"]
    for i, mentor in enumerate(ctx.dossier.mentors):
        if not ctx.applies(code, mentor.assigned or a):
            continue
        # (A field's path is written out only when it is missing: the usual record has them all.)
        status, assigned = mentor.status, mentor.assigned
        if status is None:
            ctx.need(code, None, f"mentors[{i}].status")
        elif status == "probationary":
            ctx.emit(code, f"{_who(mentor.name, i, '培养联系人')}是预备党员，不是正式党员")
        if assigned is None:
            ctx.need(code, None, f"mentors[{i}].assigned")
        elif a is not None and assigned < a:
            who = _who(mentor.name, i, "培养联系人")
            ctx.emit(code, f"{who}的指定日期 {assigned} 早于确定入党积极分子日期 {a}")


def half_year_windows(a: date, limit: date) -> list[tuple[date, date]]:
    """The half-year windows (A+6(k−1) months, A+6k months] that end on or before ``limit``."""
    windows = []
    start, k = a, 1  # add_months(a, 0) is a itself
    while (end := add_months(a, 6 * k)) <= limit:
        windows.append((start, end))
        start, k = end, k + 1
    return windows


def windows_without_assessment(a: date, limit: date, known: list[date]) -> Iterator[tuple[date, date]]:
    """The half-year windows ending on or before ``limit`` with no date of ``known`` (sorted) in (start, end]."""
    j, n = 0, len(known)
    for start, end in half_year_windows(a, limit):
        while j < n and known[j] <= start:  # windows only move forward: so does the first date after start
            j += 1
        if j == n or known[j] > end:
            yield start, end


_AFTER_CANDIDATE = dependents_of("S07")


def _activist_period_end(ctx: Ctx) -> date:
    """Without D: today, or the earliest recorded later step (the person is no longer an activist then)."""
    dates = ctx.dates
    later = [dates[s] for s in _AFTER_CANDIDATE if dates[s] is not None]
    return min(later) if later else ctx.as_of


def check_half_year_assessments(ctx: Ctx) -> None:
    """N-HALFYEAR-ASSESS: 细则第11条 — 每半年对入党积极分子进行一次考察."""
    code = "N-HALFYEAR-ASSESS"
    a = ctx.dates["S03"]
    if a is None:
        return
    limit = ctx.dates["S07"] or _activist_period_end(ctx)
    known = []
    for i, x in enumerate(ctx.dossier.assessments):
        if x.date is None:
            ctx.need(code, None, f"assessments[{i}].date")
        else:
            known.append(x.date)
    known.sort()
    gaps = [(start, end) for start, end in windows_without_assessment(a, limit, known) if ctx.applies(code, end)]
    if gaps:
        spans = "、".join(f"{start} 之后至 {end}" for start, end in gaps)
        ctx.emit(code, f"自确定为入党积极分子（{a}）起，{len(gaps)} 个半年内没有考察记录：{spans}")


# ------------------------------------------------------------------------------------------ stage 3


def check_one_year_cultivation(ctx: Ctx) -> None:
    """N-ACT-1Y: 细则第13条 — 经过一年以上培养教育和考察 (``candidate_date: filing`` uses the filing date)."""
    code = "N-ACT-1Y"
    a = ctx.dates["S03"]
    by_filing = ctx.config.candidate_date == "filing"
    target = ctx.dates["S08"] if by_filing else ctx.dates["S07"]
    if a is None or target is None or not ctx.applies(code, target):
        return
    earliest = first_day_after_whole_years(a, 1, strict=ctx.config.strict_anniversary)
    if target < earliest:
        if by_filing:
            ctx.emit(code, f"发展对象备案时培养考察不满一年（备案 {target}，最早 {earliest}）")
        else:
            ctx.emit(code, f"确定为发展对象时培养考察不满一年（最早 {earliest}）")


def check_development_opinions(ctx: Ctx) -> None:
    """N-DEV-OPINIONS: 细则第13条 — 听取党小组、培养联系人、党员和群众意见 before D."""
    code = "N-DEV-OPINIONS"
    d = ctx.dates["S07"]
    if d is None or not ctx.applies(code, d):
        return
    heard = ctx.need(code, ctx.dossier.candidate.opinions_heard, "candidate.opinions_heard")
    if heard is not None and heard > d:
        ctx.emit(code, f"听取党小组、培养联系人、党员和群众意见的日期 {heard} 晚于确定发展对象日期 {d}")


def check_development_filed(ctx: Ctx) -> None:
    """N-DEV-FILE: 细则第13条 — 报上级党委备案: D ≤ S08 ≤ S13."""
    code = "N-DEV-FILE"
    s08 = ctx.dates["S08"]
    if s08 is None or not ctx.applies(code, s08):
        return
    _emit_chain(
        ctx,
        code,
        [
            ("S08", "确定发展对象", ctx.dates["S07"]),
            ("S08", "发展对象备案", s08),
            ("S08", "上级党委预审", ctx.dates["S13"]),
        ],
    )


def check_introducers(ctx: Ctx) -> None:
    """N-INTRODUCER: 党章第5条, 细则第14条 — two full members, not under 留党察看."""
    code = "N-INTRODUCER"
    introducers = ctx.dossier.introducers
    if not introducers or not ctx.applies(code, ctx.dates["S07"] or ctx.dates["S12"]):
        return
    if len(introducers) != 2:
        ctx.emit(code, f"确定了 {len(introducers)} 名入党介绍人，应为两名")
    for i, person in enumerate(introducers):
        # (A field's path is written out only when it is missing: the usual record has them all.)
        if person.status is None:
            ctx.need(code, None, f"introducers[{i}].status")
        elif person.status == "probationary":
            ctx.emit(code, f"{_who(person.name, i, '入党介绍人')}是预备党员，不是正式党员")
        if person.discipline is None:
            ctx.need(code, None, f"introducers[{i}].discipline")
        elif person.discipline == "probation_within_party":
            ctx.emit(code, f"{_who(person.name, i, '入党介绍人')}受留党察看处分、尚未恢复党员权利")


def check_introducer_load(ctx: Ctx) -> None:
    """N-INTRODUCER-LOAD (W): 党务工作手册 — an introducer sponsoring more than one open candidate."""
    code = "N-INTRODUCER-LOAD"
    if not ctx.applies(code, ctx.dates["S07"] or ctx.dates["S12"]):
        return
    for i, person in enumerate(ctx.dossier.introducers):
        load = person.open_candidates
        if load is None:
            ctx.need(code, None, f"introducers[{i}].open_candidates", step="S09")
        elif load > 1:
            ctx.emit(code, f"{_who(person.name, i, '入党介绍人')}同时介绍 {load} 名发展对象（含本人）")


def check_political_review(ctx: Ctx) -> None:
    """N-POLREV: 细则第15–16条 — a conclusion with result pass, on or before S12."""
    code = "N-POLREV"
    s10 = ctx.dates["S10"]
    if s10 is None or not ctx.applies(code, s10):
        return
    if ctx.need(code, ctx.dossier.political_review.result, "political_review.result") == "fail":
        ctx.emit(code, f"政治审查结论（{s10}）为不合格", fact="political_review:not_pass")
    # The finding is about S10 (the conclusion came too late), not about S12.
    _emit_chain(ctx, code, [("S10", "政治审查结论", s10), ("S10", "支部委员会审查", ctx.dates["S12"])])


def check_political_review_validity(ctx: Ctx) -> None:
    """Q-POLREV-1Y (W): 组工问答 — 政审结果一年内有效 at the admission meeting."""
    code = "Q-POLREV-1Y"
    s10, m = ctx.dates["S10"], ctx.dates["S15"]
    if s10 is None or m is None or not ctx.applies(code, m):
        return
    valid_until = add_years(s10, 1)  # a validity limit: never moved by holiday_rollover
    if m > valid_until:
        ctx.emit(code, f"支部大会（{m}）时政治审查结论（{s10}）已超过一年（有效至 {valid_until}）")


def check_training(ctx: Ctx) -> None:
    """N-TRAINING: 细则第17条 — 集中培训 ≥ 3 days or ≥ 24 class hours, after D, ended by M; organizer (W)."""
    code = "N-TRAINING"
    training = ctx.dossier.training
    if not ctx.recorded["S11"] or not ctx.applies(code, ctx.dates["S11"]):
        return
    start = ctx.need(code, training.start, "training.start")
    end = ctx.need(code, training.end, "training.end")
    days, hours = training.days, training.hours
    if days is None and hours is None:
        ctx.need(code, None, "training.days", label="集中培训天数或学时")
    elif not ((days or 0) >= 3 or (hours or 0) >= 24):
        days_text = f"{days} 天" if days is not None else "天数未记录"
        hours_text = f"{hours} 学时" if hours is not None else "学时未记录"
        ctx.emit(code, f"集中培训 {days_text}、{hours_text}，不足三天且不足 24 学时")
    _emit_chain(
        ctx,
        code,
        [
            ("S11", "确定发展对象", ctx.dates["S07"]),
            ("S11", "集中培训开始", start),
            ("S11", "集中培训结束", end),
            ("S11", "支部大会", ctx.dates["S15"]),
        ],
    )
    if training.organizer is None:
        ctx.emit(code, f"集中培训（{ctx.dates['S11']}）未记录组织单位（应为基层党委或县委组织部）", severity="W")
    elif training.organizer == "other":
        ctx.emit(code, f"集中培训（{ctx.dates['S11']}）的组织单位不是基层党委或县委组织部", severity="W")


# ------------------------------------------------------------------------------------------ stage 4


def check_branch_review(ctx: Ctx) -> None:
    """N-BRANCH-REVIEW: 细则第19条 — 支部委员会审查 before the pre-review."""
    code = "N-BRANCH-REVIEW"
    s12 = ctx.dates["S12"]
    if s12 is None or not ctx.applies(code, s12):
        return
    _emit_chain(ctx, code, [("S12", "支部委员会审查", s12), ("S12", "上级党委预审", ctx.dates["S13"])])


def check_pre_review(ctx: Ctx) -> None:
    """N-PREREVIEW: 细则第19条 — pre-review passed with written notice; S13 ≤ form issued ≤ filled ≤ M."""
    code = "N-PREREVIEW"
    s13 = ctx.dates["S13"]
    if s13 is not None and ctx.applies(code, s13):
        review = ctx.dossier.pre_review
        result = ctx.need(code, review.result, "pre_review.result")
        if result == "fail":
            ctx.emit(code, f"上级党委预审（{s13}）结论为不合格")
        elif result == "pass" and ctx.need(code, review.written_notice, "pre_review.written_notice") is False:
            ctx.emit(code, f"上级党委预审（{s13}）未书面通知党支部")
    form = ctx.dossier.application_form
    if (
        form is None
        or (form.filled or form.issued) is None
        or not ctx.applies(code, form.filled or form.issued)
    ):
        return
    issued = form.issued
    if form.filled is not None:
        issued = ctx.need(code, issued, "application_form.issued", step="S14")
    _emit_chain(
        ctx,
        code,
        [
            ("S14", "上级党委预审", s13),
            ("S14", "入党志愿书发放", issued),
            ("S14", "入党志愿书填写", form.filled),
            ("S14", "支部大会", ctx.dates["S15"]),
        ],
    )


def check_leaving_soon(ctx: Ctx) -> None:
    """N-LEAVING-3M (W): 细则第19条 — expected to leave within three months of the admission meeting."""
    code = "N-LEAVING-3M"
    m = ctx.dates["S15"]
    leaving = get(ctx.dossier.person, "expected_departure")
    if m is None or leaving is None or not ctx.applies(code, m):
        return
    limit = add_months(m, 3)
    if leaving <= limit:
        ctx.emit(code, f"预计于 {leaving} 离开，在支部大会（{m}）后三个月（{limit}）以内")


def _meetings(ctx: Ctx) -> list[tuple[str, str, Meeting, object, str]]:
    """The recorded meetings that vote: (step, path, meeting, occurrence, name)."""
    out: list[tuple[str, str, Meeting, object, str]] = []
    admission = ctx.dossier.admission_meeting
    if admission is not None and admission.date is not None:
        out.append(("S15", "admission_meeting", admission, None, "接收预备党员的支部大会"))
    for view in ctx.conversions.views:
        if view.meeting_date is not None:
            out.append(("S23", f"{view.path}.meeting", view.entry.meeting, view.index, "讨论转正的支部大会"))
    return out


def check_min_three_full(ctx: Ctx) -> None:
    """N-MIN-3-FULL: 党章第30条 — the branch has at least three full members at each meeting that votes."""
    code = "N-MIN-3-FULL"
    for step, path, meeting, occurrence, name in _meetings(ctx):
        if not ctx.applies(code, meeting.date):
            continue
        full = meeting.full_members
        if full is None:
            ctx.need(code, None, f"{path}.full_members", step=step, occurrence=occurrence)
        elif full < 3:
            ctx.emit(
                code,
                f"{name}（{meeting.date}）时支部正式党员 {full} 人，不足三人",
                step=step,
                occurrence=occurrence,
            )


def _voting_problems(
    ctx: Ctx, codes: dict[str, str], step: str, path: str, meeting: Meeting, occurrence: object, name: str
) -> None:
    """Quorum (细则第20条), majority, secret ballot, one by one (细则第21条) for one meeting.

    N = full members − exclusions approved by both the higher committee and the meeting; P = full members
    present. Probationary members never count. Without a quorum the majority is not judged.
    """
    def head() -> str:  # how the meeting is named in messages (written out only for a finding)
        return f"{name}（{meeting.date}）"

    def need(value, field, code_key):
        if value is not None:
            return value
        return ctx.need(codes[code_key], None, f"{path}.{field}", step=step, occurrence=occurrence)

    excluded = 0
    for j, exclusion in enumerate(meeting.exclusions):
        higher, by_meeting = exclusion.approved_by_higher, exclusion.approved_by_meeting
        if higher is None:
            need(None, f"exclusions[{j}].approved_by_higher", "quorum")
        if by_meeting is None:
            need(None, f"exclusions[{j}].approved_by_meeting", "quorum")
        excluded += bool(higher and by_meeting)
    full = need(meeting.full_members, "full_members", "quorum")
    present = need(None if meeting.present is None else meeting.present.full, "present.full", "quorum")
    if full is not None and present is not None:
        n = full - excluded
        if not more_than_half(present, n):
            ctx.emit(
                codes["quorum"],
                f"{head()}应到会有表决权的正式党员 {n} 人（正式党员 {full} 人，经批准不计入 {excluded} 人），"
                f"实到 {present} 人，未超过半数（至少需 {needed_for_more_than_half(n)} 人）",
                step=step,
                occurrence=occurrence,
            )
        else:
            votes = meeting.yes
            yes = need(None if votes is None else votes.full, "yes.full", "majority")
            written = (None if votes is None else votes.written) or 0
            if yes is not None and not more_than_half(yes + written, n):
                ctx.emit(
                    codes["majority"],
                    f"{head()}赞成 {yes + written} 票（到会正式党员 {yes} 票、书面 {written} 票），"
                    f"未超过应到会有表决权正式党员 {n} 人的半数（至少需 {needed_for_more_than_half(n)} 票）",
                    step=step,
                    occurrence=occurrence,
                )
    if need(meeting.ballot, "ballot", "ballot") == "show_of_hands":
        ctx.emit(codes["ballot"], f"{head()}采用举手表决，未采取无记名投票", step=step, occurrence=occurrence)
    on_agenda = need(meeting.candidates_on_agenda, "candidates_on_agenda", "one_by_one")
    if on_agenda is not None and on_agenda > 1:
        if need(meeting.individually_voted, "individually_voted", "one_by_one") is False:
            ctx.emit(
                codes["one_by_one"],
                f"{head()}讨论 {on_agenda} 名对象，未逐个讨论和表决",
                step=step,
                occurrence=occurrence,
            )


ADMISSION_VOTE_CODES = {
    "quorum": "N-QUORUM",
    "majority": "N-MAJORITY",
    "ballot": "N-SECRET-BALLOT",
    "one_by_one": "N-ONE-BY-ONE",
}
CONVERSION_VOTE_CODES = dict.fromkeys(ADMISSION_VOTE_CODES, "N-CONVERT-VOTE")


def check_admission_vote(ctx: Ctx) -> None:
    """N-QUORUM, N-MAJORITY, N-SECRET-BALLOT, N-ONE-BY-ONE: 细则第20–21条, at the admission meeting."""
    meeting = ctx.dossier.admission_meeting
    m = ctx.dates["S15"]
    if m is None or not ctx.applies("N-QUORUM", m):
        return
    _voting_problems(
        ctx, ADMISSION_VOTE_CODES, "S15", "admission_meeting", meeting, None, "接收预备党员的支部大会"
    )


def check_committee_talk(ctx: Ctx) -> None:
    """N-COMMITTEE-TALK: 细则第23条 — a committee member or 组织员 talks with the candidate, M ≤ S16 ≤ S17."""
    code = "N-COMMITTEE-TALK"
    s16 = ctx.dates["S16"]
    if s16 is None or not ctx.applies(code, s16):
        return
    _emit_chain(
        ctx,
        code,
        [
            ("S16", "支部大会", ctx.dates["S15"]),
            ("S16", "上级党委派人谈话", s16),
            ("S16", "上级党委审批", ctx.dates["S17"]),
        ],
    )
    role = ctx.need(code, ctx.dossier.committee_talk.talker_role, "committee_talk.talker_role")
    if role == "other":
        ctx.emit(code, f"上级党委派人谈话（{s16}）的谈话人不是党委委员或组织员")


def check_approver(ctx: Ctx) -> None:
    """N-APPROVER: 细则第26条 — only a 基层党委 with approval authority approves."""
    code = "N-APPROVER"
    s17 = ctx.dates["S17"]
    if s17 is None or not ctx.applies(code, s17):
        return
    body = ctx.need(code, ctx.dossier.approval.body_type, "approval.body_type")
    if body is not None and body not in ("township_committee", "primary_committee"):
        ctx.emit(code, f"审批（{s17}）由{BODY_TYPE_ZH[body]}作出，无审批权限")


def check_approve_collective(ctx: Ctx) -> None:
    """N-APPROVE-COLLECTIVE: 细则第24条 — 党委审批集体讨论和表决，不得以传签或个别征求意见代替."""
    code = "N-APPROVE-COLLECTIVE"
    s17 = ctx.dates["S17"]
    if s17 is None or not ctx.applies(code, s17):
        return
    mode = ctx.need(code, ctx.dossier.approval.mode, "approval.mode")
    if mode is not None and mode != "collective_meeting":
        ctx.emit(code, f"审批（{s17}）采用{MODE_ZH[mode]}方式，未经党委会集体讨论和表决")


def check_approve_within_3m(ctx: Ctx) -> None:
    """N-APPROVE-3M (W/E): 细则第25条 — 三个月内审批; up to six months with a special reason."""
    code = "N-APPROVE-3M"
    m = ctx.dates["S15"]
    if m is None:
        return
    due = ctx.deadline(add_months(m, 3))
    hard = ctx.deadline(add_months(m, 6))
    s17 = ctx.dates["S17"]
    reason = (get(ctx.dossier.approval, "special_reason") or "").strip()
    if s17 is not None:
        if not ctx.applies(code, s17) or s17 <= due.date:
            return
        if s17 > hard.date:
            ctx.emit(
                code,
                f"审批日期 {s17} 超过支部大会（{m}）后六个月的期限 {hard.date}",
                severity="E",
                provisional=hard.provisional,
            )
        elif not reason:
            ctx.emit(
                code,
                f"审批日期 {s17} 超过支部大会（{m}）后三个月的期限 {due.date}，且未记录特殊原因",
                severity="W",
                provisional=due.provisional or hard.provisional,
            )
        return
    if ctx.as_of > hard.date and ctx.applies(code, hard.date):
        ctx.missing_step(
            "S17", code, f"支部大会（{m}）后六个月的期限 {hard.date} 已过", provisional=hard.provisional
        )
    elif ctx.as_of > due.date and not reason and ctx.applies(code, due.date):
        ctx.missing_step(
            "S17",
            code,
            f"支部大会（{m}）后三个月的期限 {due.date} 已过，且未记录特殊原因",
            severity="W",
            provisional=due.provisional or hard.provisional,
        )


def check_approval_filed(ctx: Ctx) -> None:
    """N-APPROVE-FILE: 细则第25条 — 报再上一级党委组织部门备案 after the approval."""
    code = "N-APPROVE-FILE"
    s18 = ctx.dates["S18"]
    if s18 is None or not ctx.applies(code, s18):
        return
    _emit_chain(ctx, code, [("S18", "上级党委审批", ctx.dates["S17"]), ("S18", "再上一级党委组织部门备案", s18)])


# ------------------------------------------------------------------------------------------ stage 5


def check_oath(ctx: Ctx) -> None:
    """N-OATH: 党章第6条 — 预备党员必须面向党旗进行入党宣誓, after the approval."""
    code = "N-OATH"
    oath = ctx.dates["S20"]
    if oath is None or not ctx.applies(code, oath):
        return
    _emit_chain(ctx, code, [("S20", "上级党委审批", ctx.dates["S17"]), ("S20", "入党宣誓", oath)])


def _entry_anchor(view: ConversionView) -> date | None:
    entry = view.entry
    return entry.application or view.meeting_date or entry.approval


def check_conversion_procedure(ctx: Ctx) -> None:
    """N-CONVERT-PROCEDURE: 细则第33条 — each decision has its application, meeting and approval, in order."""
    code = "N-CONVERT-PROCEDURE"
    views = ctx.conversions.views
    archived = ctx.dates["S25"]
    if not views:
        if archived is not None and ctx.applies(code, archived):
            for step in ("S22", "S23"):
                ctx.missing_step(step, code, f"已记录材料归档（{archived}）", occurrence=0)
        return
    for view in views:
        entry, i = view.entry, view.index
        if not ctx.applies(code, _entry_anchor(view) or archived):
            continue
        last_archived = archived if i == len(views) - 1 else None
        meeting = view.meeting_date
        later = meeting or entry.approval or last_archived
        if entry.application is None and (later is not None or entry.decision is not None):
            ctx.missing_step("S22", code, f"第 {i + 1} 次转正决定没有转正申请", occurrence=i)
        if meeting is None and ((entry.approval or last_archived) is not None or entry.decision is not None):
            ctx.missing_step("S23", code, f"第 {i + 1} 次转正决定没有支部大会讨论", occurrence=i)
        if meeting is not None and entry.decision is None:
            ctx.need(code, None, f"{view.path}.decision", step="S23", occurrence=i)
        _emit_chain(
            ctx,
            code,
            [
                ("S22", "转正申请", entry.application),
                ("S23", "转正支部大会", meeting),
                ("S24", "转正审批", entry.approval),
            ],
            occurrence=i,
        )


def check_conversion_not_early(ctx: Ctx) -> None:
    """Q-CONVERT-NOT-EARLY: 党章第7条 — on-time conversion or extension decided only after the probation."""
    code = "Q-CONVERT-NOT-EARLY"
    for view in ctx.conversions.views:
        meeting, end, decision = view.meeting_date, view.end, view.entry.decision
        if decision not in ("on_time", "extend") or meeting is None or end is None:
            continue
        if meeting < end and ctx.applies(code, meeting):
            ctx.emit(
                code,
                f"转正支部大会（{meeting}）在{view.end_label}（{end}）之前作出{DECISION_ZH[decision]}决定",
                occurrence=view.index,
            )


def check_conversion_vote(ctx: Ctx) -> None:
    """N-CONVERT-VOTE: 细则第33条 — each conversion meeting: quorum, majority, secret ballot, one by one."""
    for view in ctx.conversions.views:
        if view.meeting_date is None or not ctx.applies("N-CONVERT-VOTE", view.meeting_date):
            continue
        decision = DECISION_ZH.get(view.entry.decision or "", "转正")
        _voting_problems(
            ctx,
            CONVERSION_VOTE_CODES,
            "S23",
            f"{view.path}.meeting",
            view.entry.meeting,
            view.index,
            f"讨论转正（{decision}）的支部大会",
        )


def check_conversion_approval(ctx: Ctx) -> None:
    """N-CONVERT-APPROVE-3M: 细则第34条 — 支部大会讨论后三个月内审批 each conversion decision."""
    code = "N-CONVERT-APPROVE-3M"
    views = ctx.conversions.views
    archived = ctx.dates["S25"]
    if not views:
        if archived is not None and ctx.applies(code, archived):
            ctx.missing_step("S24", code, f"已记录材料归档（{archived}）", occurrence=0)
        return
    for view in views:
        meeting, approval, i = view.meeting_date, view.entry.approval, view.index
        if meeting is not None:
            due = ctx.deadline(add_months(meeting, 3))
            if approval is not None:
                if approval > due.date and ctx.applies(code, approval):
                    ctx.emit(
                        code,
                        f"转正审批日期 {approval} 超过转正支部大会（{meeting}）后三个月的期限 {due.date}",
                        occurrence=i,
                        provisional=due.provisional,
                    )
                continue
            if ctx.as_of > due.date and ctx.applies(code, due.date):
                ctx.missing_step(
                    "S24",
                    code,
                    f"转正支部大会（{meeting}）后三个月的审批期限 {due.date} 已过",
                    occurrence=i,
                    provisional=due.provisional,
                )
                continue
        if approval is None and i == len(views) - 1 and archived is not None and ctx.applies(code, archived):
            ctx.missing_step("S24", code, f"已记录材料归档（{archived}）", occurrence=i)


def check_extension(ctx: Ctx) -> None:
    """N-EXTEND: 党章第7条 — 预备期可以延长一次，时间不能少于半年，最长不超过一年."""
    code = "N-EXTEND"
    extensions = [v for v in ctx.conversions.views if v.entry.decision == "extend"]
    for n, view in enumerate(extensions):
        if not ctx.applies(code, _entry_anchor(view)):
            continue
        if n >= 1:
            ctx.emit(
                code,
                f"第 {n + 1} 次作出延长预备期决定（{view.meeting_date or '日期未记录'}），预备期只能延长一次",
                occurrence=view.index,
            )
        months = ctx.need(
            code,
            view.entry.extension_months,
            f"{view.path}.extension_months",
            step="S23",
            occurrence=view.index,
        )
        if months is not None and not 6 <= months <= 12:
            ctx.emit(code, f"延长预备期 {months} 个月，应为六至十二个月", occurrence=view.index)


def check_party_age(ctx: Ctx) -> None:
    """N-PARTY-AGE: 细则第32–34条 — 党龄从预备期满转为正式党员之日算起."""
    code = "N-PARTY-AGE"
    for view in ctx.conversions.views:
        entry = view.entry
        if entry.decision != "on_time" or not ctx.applies(code, entry.approval or view.meeting_date):
            continue
        recorded = entry.recorded_full_member_date
        if entry.approval is not None:
            recorded = ctx.need(
                code, recorded, f"{view.path}.recorded_full_member_date", step="S24", occurrence=view.index
            )
        if recorded is not None and view.end is not None and recorded != view.end:
            ctx.emit(
                code,
                f"登记的转为正式党员日期 {recorded} 与{view.end_label}之日 {view.end} 不一致",
                occurrence=view.index,
            )


def check_overdue_conversion(ctx: Ctx) -> None:
    """Q-OVERDUE-CONVERSION (W/E): 党务工作手册 — conversion discussed promptly after the probation ends."""
    code = "Q-OVERDUE-CONVERSION"
    for view in ctx.conversions.views:
        meeting, end, decision = view.meeting_date, view.end, view.entry.decision
        if meeting is None or end is None or decision is None or not ctx.applies(code, meeting):
            continue
        mark3 = ctx.deadline(add_months(end, 3))
        mark6 = ctx.deadline(add_months(end, 6))
        if decision == "on_time" and meeting > mark6.date:
            ctx.emit(
                code,
                f"{view.end_label}（{end}）六个月后（{mark6.date} 之后）才于 {meeting} 讨论并决定按期转正",
                severity="E",
                occurrence=view.index,
                provisional=mark6.provisional,
            )
        elif meeting > mark3.date:
            ctx.emit(
                code,
                f"{view.end_label}（{end}）三个月后（{mark3.date} 之后）才于 {meeting} 召开转正支部大会",
                severity="W",
                occurrence=view.index,
                provisional=mark3.provisional,
            )
    timeline = ctx.conversions
    end = timeline.current_end
    if end is None or timeline.current_decided or not ctx.recorded["S17"] or ctx.as_of <= end:
        return
    if not ctx.applies(code, end):
        return
    label = "延长的预备期" if timeline.current_after_extension else "预备期"
    mark6 = ctx.deadline(add_months(end, 6))
    if ctx.as_of > mark6.date:
        ctx.emit(
            code,
            f"{label}已于 {end} 期满，超过六个月（{mark6.date}）仍未作出转正决定",
            severity="E",
            provisional=mark6.provisional,
            occurrence="pending",
        )
    else:
        ctx.emit(
            code,
            f"{label}已于 {end} 期满，至 {ctx.as_of} 尚未作出转正决定",
            severity="W",
            provisional=mark6.provisional,
            occurrence="pending",
        )


def check_archive(ctx: Ctx) -> None:
    """N-ARCHIVE: 细则第37条 — 转正后一个月内归档, holding the five required materials."""
    code = "N-ARCHIVE"
    approvals = [
        v.entry.approval
        for v in ctx.conversions.views
        if v.entry.decision == "on_time" and v.entry.approval is not None
    ]
    if not approvals:
        return
    approval = approvals[-1]
    limit = add_months(approval, 1)  # not in §1's list of deadlines that roll over
    archived = ctx.dates["S25"]
    if archived is not None and archived < approval and ctx.applies(code, archived):
        ctx.emit(code, f"归档日期 {archived} 早于转正审批日期 {approval}")
    if ctx.as_of <= limit or not ctx.applies(code, limit):
        return
    if archived is None:
        ctx.missing_step("S25", code, f"转正审批（{approval}）后一个月的归档期限 {limit} 已过")
        return
    if archived > limit:
        ctx.emit(code, f"归档日期 {archived} 超过转正审批（{approval}）后一个月的期限 {limit}")
    items = ctx.dossier.archive.items
    missing = [item for item in ARCHIVE_REQUIRED_ITEMS if item not in items]
    if missing:
        ctx.emit(code, f"归档（{archived}）材料缺少：{'、'.join(missing)}")


# ------------------------------------------------------------------------------------------ all steps

# The rule that requires each step, when a step that depends on it is recorded (PROCEDURE.md §2).
# S22–S24 are checked per conversion decision (N-CONVERT-PROCEDURE, N-CONVERT-APPROVE-3M).
MISSING_STEP_RULES: dict[str, str] = {
    "S01": "N-ORDER",
    "S02": "N-ACT-ORDER",
    "S03": "N-ORDER",
    "S04": "N-ACT-FILE",
    "S05": "N-MENTOR-COUNT",
    "S07": "N-ORDER",
    "S08": "N-DEV-FILE",
    "S09": "N-INTRODUCER",
    "S10": "N-POLREV",
    "S11": "N-TRAINING",
    "S12": "N-BRANCH-REVIEW",
    "S13": "N-PREREVIEW",
    "S14": "N-PREREVIEW",
    "S15": "N-ORDER",
    "S16": "N-COMMITTEE-TALK",
    "S17": "N-APPROVE-3M",
    "S18": "N-APPROVE-FILE",
    "S20": "N-OATH",
}


# (step number, step, the rule that requires it, every step depending on it), in step order: the table above
# with the dependencies of §2.
_MISSING_STEP_TABLE = tuple(
    (step_index(step) + 1, step, code, dependents_of(step)) for step, code in sorted(MISSING_STEP_RULES.items())
)


def check_missing_steps(ctx: Ctx) -> None:
    """A step not recorded although a step depending on it (directly or through others) is (§2)."""
    recorded, dates, furthest = ctx.recorded, ctx.dates, ctx.furthest
    if ctx.first_missing > furthest:
        return  # every step up to the furthest one is recorded
    for number, step, code, dependents in _MISSING_STEP_TABLE:
        if number >= furthest:
            break  # what depends on this step comes after it: nothing is recorded there
        if recorded[step]:
            continue
        later = [s for s in dependents if recorded[s]]
        if not later:
            continue
        later_dates = [dates[s] for s in later if dates[s] is not None]
        if not ctx.applies(code, min(later_dates) if later_dates else None):
            continue
        first = later[0]
        when = f"（{dates[first]}）" if dates[first] is not None else ""
        ctx.missing_step(step, code, f"已记录后续步骤 {step_label(first)}{when}")


# Orders that a more specific rule checks itself (N-ORDER only for an order no other rule covers).
ORDER_COVERED_BY: dict[tuple[str, str], str] = {
    ("S02", "S01"): "N-TALK-1M",
    ("S03", "S02"): "N-ACT-ORDER",
    ("S04", "S03"): "N-ACT-FILE",
    ("S05", "S03"): "N-MENTOR-FULL",
    ("S07", "S03"): "N-ACT-1Y",
    ("S08", "S07"): "N-DEV-FILE",
    ("S11", "S07"): "N-TRAINING",
    ("S12", "S10"): "N-POLREV",
    ("S13", "S12"): "N-BRANCH-REVIEW",
    ("S14", "S13"): "N-PREREVIEW",
    ("S15", "S14"): "N-PREREVIEW",
    ("S15", "S11"): "N-TRAINING",
    ("S16", "S15"): "N-COMMITTEE-TALK",
    ("S17", "S16"): "N-COMMITTEE-TALK",
    ("S18", "S17"): "N-APPROVE-FILE",
    ("S20", "S17"): "N-OATH",
    ("S23", "S22"): "N-CONVERT-PROCEDURE",
    ("S24", "S23"): "N-CONVERT-PROCEDURE",
    ("S25", "S24"): "N-ARCHIVE",
}


def _covering_rule(ctx: Ctx, step: str, dep: str) -> str | None:
    code = ORDER_COVERED_BY.get((step, dep))
    if code == "N-ACT-1Y" and ctx.config.candidate_date != "committee":
        return None  # N-ACT-1Y then reads the filing date, not D
    if code == "N-ARCHIVE" and not any(
        v.entry.decision == "on_time" and v.entry.approval is not None for v in ctx.conversions.views
    ):
        return None  # N-ARCHIVE reads the on-time conversion approval only
    return code


def check_order(ctx: Ctx) -> None:
    """N-ORDER: 发展党员工作流程 — a step dated before a step it depends on, where no rule above covers it."""
    days = list(ctx.dates.values())  # S01 … S25, in order
    for i, j, code, dep in _DEPENDENCIES_BEFORE[ctx.furthest]:  # nothing after the furthest step has a date
        day = days[i]
        if day is None or (dep_day := days[j]) is None or day >= dep_day:
            continue
        cover = _covering_rule(ctx, code, dep)
        if cover is not None and ctx.applies(cover, day):
            continue
        ctx.emit(
            "N-ORDER",
            f"{step_label(code)}（{day}）早于 {step_label(dep)}（{dep_day}）",
            step=code,
            fact=f"order:{code}:{dep}",
        )


# Every (step, step it depends on) of §2, in step order, with their places in S01 … S25.
_DEPENDENCIES: tuple[tuple[int, int, str, str], ...] = tuple(
    (step_index(step.code), step_index(dep), step.code, dep) for step in STEPS for dep in step.depends_on
)
# _DEPENDENCIES_BEFORE[n]: the pairs whose step is one of the first n steps (n = 0 … 25).
_DEPENDENCIES_BEFORE = tuple(tuple(p for p in _DEPENDENCIES if p[0] < n) for n in range(len(STEPS) + 1))


NATIONAL_CHECKS: tuple[Check, ...] = (
    check_age_18,
    check_talk_within_month,
    check_activist_order,
    check_activist_decider,
    check_activist_nomination,
    check_activist_filed,
    check_mentor_count,
    check_mentor_full,
    check_half_year_assessments,
    check_one_year_cultivation,
    check_development_opinions,
    check_development_filed,
    check_introducers,
    check_introducer_load,
    check_political_review,
    check_political_review_validity,
    check_training,
    check_branch_review,
    check_pre_review,
    check_leaving_soon,
    check_min_three_full,
    check_admission_vote,
    check_committee_talk,
    check_approver,
    check_approve_collective,
    check_approve_within_3m,
    check_approval_filed,
    check_oath,
    check_conversion_procedure,
    check_conversion_not_early,
    check_conversion_vote,
    check_conversion_approval,
    check_extension,
    check_party_age,
    check_overdue_conversion,
    check_archive,
    check_missing_steps,
    check_order,
)


# The same checks in the same order, in runs that share a gate: a test on the record that is false only when
# every check of the run would do nothing (each of them starts by returning when its steps are not there).
# ``evaluate`` skips a run whose gate is false — an applicant's dossier then costs a few checks, not 38. The
# property test in tests/rules checks that the runs give exactly what running every check gives.
Gate = Callable[[Ctx], bool]


def _activist_stage(ctx: Ctx) -> bool:
    rec = ctx.recorded
    return rec["S03"] or rec["S04"] or rec["S05"]


def _candidate_stage(ctx: Ctx) -> bool:
    rec = ctx.recorded
    return (
        rec["S07"] or rec["S08"] or rec["S09"] or rec["S10"] or rec["S11"] or rec["S12"] or rec["S13"]
        or ctx.dossier.application_form is not None
    )  # fmt: skip


def _admission_stage(ctx: Ctx) -> bool:
    rec = ctx.recorded
    return rec["S15"] or rec["S16"] or rec["S17"] or rec["S18"] or rec["S20"] or bool(ctx.dossier.conversions)


def _conversion_stage(ctx: Ctx) -> bool:
    rec = ctx.recorded
    return bool(ctx.dossier.conversions) or rec["S25"] or rec["S15"]


def _always(ctx: Ctx) -> bool:
    return True


CHECK_RUNS: tuple[tuple[Gate, tuple[Check, ...]], ...] = (
    (lambda ctx: ctx.recorded["S01"], NATIONAL_CHECKS[0:2]),  # N-AGE-18, N-TALK-1M: S01
    (_activist_stage, NATIONAL_CHECKS[2:10]),  # S03 (A), S04, the mentors (S05)
    (_candidate_stage, NATIONAL_CHECKS[10:19]),  # S07 (D), S08, introducers, S10–S13, the form
    (_admission_stage, NATIONAL_CHECKS[19:28]),  # S15 (M), S16–S18, S20, conversion meetings
    (_conversion_stage, NATIONAL_CHECKS[28:36]),  # conversion decisions, S25, S15 (the probation end)
    (_always, NATIONAL_CHECKS[36:]),  # missing steps, N-ORDER
)
