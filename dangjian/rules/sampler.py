"""Deterministic generated ``check`` input (PROCEDURE.md §5) for the engine benchmark and property tests.

``sample_documents(n, seed=…)`` yields documents holding ``n`` dossiers in all: people at every stage of the
procedure (applicants to archived full members, extensions and cancellations included), dated from before
the 细则 (2014) to today, under a handful of county configurations (national rules only, and several local
rule sets), most of them valid and some with realistic faults (a late talk, a missing filing, a meeting
without quorum, an approval by the wrong body, a missing field…). Same seed, same documents.

Plain data in, JSON-decoded dicts out; no Django. The generator is not part of the rules: nothing in the
engine reads it.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

from dangjian.rules.dates import add_months, add_years

ARCHIVE_ITEMS = ["入党志愿书", "入党申请书", "政治审查材料", "转正申请书", "培养教育考察材料"]
NAMES = ["王建国", "李秀英", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "黄丽", "周军", "吴霞", "徐明", "孙芳"]

# County configurations: national rules only (most counties), and several local rule sets (§4).
CONFIGS: tuple[dict[str, Any], ...] = (
    {},
    {},
    {"holiday_rollover": True},
    {
        "min_cultivation_years": 2,
        "tiers": True,
        "publicity_at": ["candidate", "admission"],
        "publicity_working_days": 5,
    },
    {
        "strict_anniversary": True,
        "strict_birthday": True,
        "kinship_gate": "candidate",
        "joint_review_departments": ["公安", "纪委"],
        "joint_review_gate": "candidate",
        "county_review_gate": "admission",
    },
    {
        "candidate_date": "filing",
        "training_min_hours": 32,
        "application_min_months": 6,
        "meeting_within_1m_of_prereview": True,
        "oath_within_1m": True,
        "publicity_at": ["activist", "conversion"],
    },
)

AS_OF_DATES: tuple[date, ...] = (
    date(2025, 6, 30),
    date(2026, 3, 16),
    date(2024, 12, 31),
    date(2019, 9, 1),
    date(2027, 5, 20),  # a year the calendar may not know: provisional answers
)


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def _days(d: date, lo: int, hi: int, rng: random.Random) -> date:
    return d + timedelta(days=rng.randint(lo, hi))


def _meeting(day: date, rng: random.Random) -> dict[str, Any]:
    full = rng.randint(5, 60)
    excluded = rng.choice((0, 0, 0, 1, 2)) if full > 10 else 0
    entitled = full - excluded
    present = rng.randint(entitled // 2 + 1, entitled)
    yes = rng.randint(entitled // 2 + 1, present) if present > entitled // 2 + 1 else present
    reason = {"reason": "外出务工", "approved_by_higher": True, "approved_by_meeting": True}
    return {
        "date": _iso(day),
        "full_members": full,
        "exclusions": [dict(reason) for _ in range(excluded)],
        "present": {"full": present, "probationary": rng.randint(0, 3)},
        "yes": {"full": yes, "probationary": 0, "written": 0},
        "ballot": "secret",
        "individually_voted": True,
        "candidates_on_agenda": rng.choice((1, 1, 1, 2, 3)),
        "publicity": None,
    }


def _notice(before: date, rng: random.Random) -> dict[str, str]:
    """A notice of 7–9 days ending the day before ``before`` (5 working days unless a holiday falls in it)."""
    end = before - timedelta(days=1)
    return {"start": _iso(end - timedelta(days=rng.randint(6, 8))), "end": _iso(end)}


def _valid(rng: random.Random, as_of: date, ident: str, config: dict[str, Any]) -> dict[str, Any]:
    """A record that keeps the county's rules, following the order of §2 with realistic gaps, cut off at
    ``as_of`` (a few people stopped at some stage: missing later steps may then be overdue)."""
    years_back = rng.choices((0, 1, 2, 3), weights=(25, 20, 15, 40))[0]
    span = (365, 730, 1095, 365 * 12)[years_back]
    s01 = as_of - timedelta(days=rng.randint(20 if years_back == 0 else span - 365, span))
    birth = add_years(s01, -rng.randint(18, 40)) - timedelta(days=rng.randint(0, 364))
    last_stage = rng.randint(1, 7) if rng.random() < 0.05 else 7
    d: dict[str, Any] = {
        "id": ident,
        "person": {
            "birth_date": _iso(birth),
            "near_relative_of_cadre": rng.random() < 0.05,
            "tier": "near_term" if rng.random() < 0.03 else "current_year",
            "expected_departure": None,
        },
    }
    if d["person"]["near_relative_of_cadre"] and rng.random() < 0.8:
        d["kinship_approval"] = {"date": _iso(s01)}

    def fits(day: date) -> bool:
        return day <= as_of

    d["application"] = {"received": _iso(s01)}
    talk = _days(s01, 1, 27, rng)
    if not fits(talk):
        return d
    d["talk"] = {
        "date": _iso(talk),
        "talker": rng.choice(NAMES),
        "talker_role": rng.choice(("secretary", "organizer")),
    }
    if last_stage < 2:
        return d
    a = add_months(s01, 6) + timedelta(days=rng.randint(0, 120))
    if not fits(a):
        return d
    publicized = 0.97 if "activist" in config.get("publicity_at", ()) else 0.7
    nomination = rng.choice(
        (["party_member"], ["mass_org"], ["party_member", "mass_org"], ["party_member", "mass_org"])
    )
    d["activist"] = {
        "date": _iso(a),
        "decided_by": rng.choice(("branch_committee", "branch_committee", "branch_meeting")),
        "nomination": nomination,
        "filed": None,
        "publicity": _notice(a + timedelta(days=10), rng) if rng.random() < publicized else None,
    }
    filed = _days(a, 10, 20, rng)
    if fits(filed):
        d["activist"]["filed"] = _iso(filed)
    mentors = rng.sample(NAMES, rng.choice((1, 2, 2)))
    assigned = _days(a, 0, 9, rng)
    if fits(assigned):
        d["mentors"] = [{"name": n, "status": "full", "assigned": _iso(assigned)} for n in mentors]
    candidate = add_years(a, config.get("min_cultivation_years") or 1) + timedelta(days=rng.randint(1, 150))
    limit = candidate if last_stage >= 3 else as_of
    assessments = []
    k = 1
    while (end := add_months(a, 6 * k)) <= min(limit, as_of):
        assessments.append(
            {
                "date": _iso(end - timedelta(days=rng.randint(0, 40))),
                "rating": rng.choice(("good", "good", "good", "average")),
            }
        )
        k += 1
    if assessments:
        d["assessments"] = assessments
    if last_stage < 3 or not fits(candidate) or not fits(filed) or not fits(assigned):
        return d
    cfiled = _days(candidate, 1, 12, rng)
    d["candidate"] = {
        "date": _iso(candidate),
        "filed": _iso(cfiled) if fits(cfiled) else None,
        "opinions_heard": _iso(candidate - timedelta(days=rng.randint(1, 6))),
        "publicity": _notice(cfiled, rng),
    }
    d["joint_review"] = [
        {"department": dep, "date": _iso(candidate - timedelta(days=rng.randint(1, 20))), "finding": "none"}
        for dep in ("公安", "纪委")
    ]
    d["introducers"] = [
        {
            "name": n,
            "status": "full",
            "discipline": "none",
            "open_candidates": 2 if rng.random() < 0.03 else 1,
        }
        for n in rng.sample(NAMES, 2)
    ]
    review = _days(candidate, 10, 45, rng)
    if fits(review):
        d["political_review"] = {"date": _iso(review), "result": "pass"}
    start = _days(candidate, 5, 30, rng)
    if fits(start + timedelta(days=3)):
        hours = max(rng.choice((24, 32, 40)), config.get("training_min_hours") or 0)
        d["training"] = {
            "start": _iso(start),
            "end": _iso(start + timedelta(days=3)),
            "days": hours // 8,
            "hours": hours,
            "organizer": rng.choice(("county_org_dept", "primary_committee")),
        }
    if last_stage < 4 or not fits(cfiled) or "political_review" not in d or "training" not in d:
        return d
    branch = _days(max(review, cfiled, start), 3, 20, rng)
    pre = _days(branch, 2, 10, rng)
    county = _days(pre, 1, 5, rng)
    issued = _days(county, 1, 4, rng)
    filled = _days(issued, 1, 6, rng)
    m = _days(max(filled, start + timedelta(days=3)), 3, 20, rng)
    m = min(m, add_months(pre, 1))
    for key, day, value in (
        ("branch_review", branch, {"date": _iso(branch)}),
        ("pre_review", pre, {"date": _iso(pre), "result": "pass", "written_notice": True}),
        ("county_review", county, {"date": _iso(county), "result": "pass"}),
        (
            "application_form",
            issued,
            {"issued": _iso(issued), "filled": _iso(filled) if fits(filled) else None},
        ),
    ):
        if not fits(day):
            return d
        d[key] = value
    if not fits(m) or not fits(filled):
        return d
    d["admission_meeting"] = _meeting(m, rng)
    d["admission_meeting"]["publicity"] = {
        "start": _iso(m + timedelta(days=1)),
        "end": _iso(m + timedelta(days=9)),
    }
    talk2 = _days(m, 10, 25, rng)
    approval = min(_days(talk2, 1, 30, rng), add_months(m, 3))
    if not fits(talk2):
        return d
    d["committee_talk"] = {
        "date": _iso(talk2),
        "talker": rng.choice(NAMES),
        "talker_role": rng.choice(("organizer", "committee_member")),
    }
    if last_stage < 5 or not fits(approval):
        return d
    d["approval"] = {
        "date": _iso(approval),
        "body_type": "township_committee",
        "mode": "collective_meeting",
        "special_reason": None,
    }
    for key, day in (
        ("approval_filed", _days(approval, 1, 10, rng)),
        ("enrolled", _days(approval, 1, 10, rng)),
        ("oath", _days(approval, 1, 20, rng)),
    ):
        if fits(day):
            d[key] = _iso(day)
    if "approval_filed" not in d or "oath" not in d:
        return d
    probation = [day for day in (_days(approval, 150, 180, rng), _days(approval, 300, 330, rng)) if fits(day)]
    if probation:
        d["probation_assessments"] = [_iso(day) for day in probation]
    end = add_years(m, 1)
    conversions: list[dict[str, Any]] = []
    outcome = rng.choices(("on_time", "extend", "cancel"), weights=(90, 6, 4))[0]
    for round_ in range(2):
        application = end - timedelta(days=rng.randint(5, 30))
        meeting = _days(end, 0, 40, rng)
        approved = _days(meeting, 10, 60, rng)
        if last_stage < 6 or not fits(application):
            break
        entry: dict[str, Any] = {
            "application": _iso(application),
            "meeting": None,
            "decision": None,
            "extension_months": None,
            "approval": None,
            "recorded_full_member_date": None,
        }
        conversions.append(entry)
        if not fits(meeting):
            break
        decision = "on_time" if round_ == 1 else outcome
        entry["meeting"] = _meeting(meeting, rng)
        entry["meeting"]["publicity"] = {
            "start": _iso(meeting + timedelta(days=1)),
            "end": _iso(meeting + timedelta(days=8)),
        }
        entry["decision"] = decision
        if decision == "on_time":
            entry["recorded_full_member_date"] = _iso(end)
        if decision == "extend":
            entry["extension_months"] = rng.randint(6, 12)
        if not fits(approved):
            break
        entry["approval"] = _iso(approved)
        if decision != "extend":
            break
        end = add_months(end, entry["extension_months"])
    if conversions:
        d["conversions"] = conversions
    last = conversions[-1] if conversions else None
    if last_stage >= 7 and last and last["decision"] == "on_time" and last["approval"]:
        archived = _days(date.fromisoformat(last["approval"]), 3, 25, rng)
        if fits(archived):
            d["archive"] = {"date": _iso(archived), "items": list(ARCHIVE_ITEMS)}
    return d


# ------------------------------------------------------------------------------------------------- faults

Fault = Callable[[dict[str, Any], random.Random], bool]


def _shift(section: dict[str, Any] | None, key: str, days: int) -> bool:
    if not section or not section.get(key):
        return False
    section[key] = _iso(date.fromisoformat(section[key]) + timedelta(days=days))
    return True


def _set(d: dict[str, Any], path: tuple[str, ...], value: Any) -> bool:
    target: Any = d
    for key in path[:-1]:
        target = target.get(key) if isinstance(target, dict) else None
        if target is None:
            return False
    if not isinstance(target, dict) or path[-1] not in target:
        return False
    target[path[-1]] = value
    return True


def _late_talk(d, rng):
    return _shift(d.get("talk"), "date", rng.randint(35, 90))


def _under_age(d, rng):
    s01 = date.fromisoformat(d["application"]["received"])
    d["person"]["birth_date"] = _iso(add_years(s01, -17))
    return True


def _no_filing(d, rng):
    return _set(d, ("activist", "filed"), None)


def _three_mentors(d, rng):
    if not d.get("mentors"):
        return False
    d["mentors"] = d["mentors"] + [
        {"name": "第三人", "status": "probationary", "assigned": d["mentors"][0]["assigned"]}
    ]
    return True


def _skip_assessment(d, rng):
    if len(d.get("assessments", [])) < 2:
        return False
    del d["assessments"][rng.randrange(len(d["assessments"]))]
    return True


def _early_candidate(d, rng):
    return _shift(d.get("candidate"), "date", -rng.randint(60, 200))


def _bad_introducer(d, rng):
    if not d.get("introducers"):
        return False
    d["introducers"][0]["discipline"] = "probation_within_party"
    d["introducers"][1]["status"] = "probationary"
    return True


def _failed_review(d, rng):
    return _set(d, ("political_review", "result"), "fail")


def _short_training(d, rng):
    return _set(d, ("training", "days"), 2) and _set(d, ("training", "hours"), 16)


def _no_quorum(d, rng):
    meeting = d.get("admission_meeting")
    if not meeting:
        return False
    meeting["present"]["full"] = meeting["full_members"] // 2 - len(meeting["exclusions"]) // 2
    return True


def _show_of_hands(d, rng):
    return _set(d, ("admission_meeting", "ballot"), "show_of_hands")


def _wrong_approver(d, rng):
    return _set(d, ("approval", "body_type"), "branch") and _set(d, ("approval", "mode"), "circulated")


def _late_approval(d, rng):
    return _shift(d.get("approval"), "date", rng.randint(100, 200))


def _early_oath(d, rng):
    if not d.get("oath") or not d.get("approval"):
        return False
    d["oath"] = _iso(date.fromisoformat(d["approval"]["date"]) - timedelta(days=3))
    return True


def _short_extension(d, rng):
    conversions = d.get("conversions") or []
    if not conversions or not conversions[0].get("meeting"):
        return False
    conversions[0]["decision"] = "extend"
    conversions[0]["extension_months"] = 4
    conversions[0]["recorded_full_member_date"] = None
    return True


def _early_conversion(d, rng):
    conversions = d.get("conversions") or []
    if not conversions or not conversions[0].get("meeting"):
        return False
    return _shift(conversions[0]["meeting"], "date", -rng.randint(30, 90))


def _thin_archive(d, rng):
    if not d.get("archive"):
        return False
    d["archive"]["items"] = d["archive"]["items"][:3]
    return True


def _missing_fields(d, rng):
    done = _set(d, ("talk", "talker_role"), None)
    done = _set(d, ("activist", "decided_by"), None) or done
    return _set(d, ("admission_meeting", "ballot"), None) or done


def _blocking_hit(d, rng):
    d["negative_list_hits"] = [
        {
            "item": f"NL{rng.randint(1, 25):02d}",
            "stage": "candidate",
            "effect": rng.choice(("block", "refer")),
        }
    ]
    return True


def _no_archive_yet(d, rng):
    if not d.get("archive"):
        return False
    del d["archive"]
    return True


FAULTS: tuple[Fault, ...] = (
    _late_talk,
    _under_age,
    _no_filing,
    _three_mentors,
    _skip_assessment,
    _early_candidate,
    _bad_introducer,
    _failed_review,
    _short_training,
    _no_quorum,
    _show_of_hands,
    _wrong_approver,
    _late_approval,
    _early_oath,
    _short_extension,
    _early_conversion,
    _thin_archive,
    _missing_fields,
    _blocking_hit,
    _no_archive_yet,
)


def sample_dossier(
    rng: random.Random,
    as_of: date,
    ident: str,
    config: dict[str, Any] | None = None,
    fault_rate: float = 0.15,
) -> dict[str, Any]:
    """One generated dossier as of ``as_of`` for a county with ``config``: valid, or (with probability
    ``fault_rate``) with 1–2 faults."""
    d = _valid(rng, as_of, ident, config or {})
    if rng.random() < fault_rate:
        for fault in rng.sample(FAULTS, rng.choice((1, 1, 2))):
            fault(d, rng)
    return d


def sample_documents(n: int, *, seed: int = 2026, batch: int = 500) -> Iterator[dict[str, Any]]:
    """Documents holding ``n`` generated dossiers in all (``batch`` per document), each under one of
    :data:`CONFIGS` and as of one of :data:`AS_OF_DATES`. Deterministic for a given ``seed``."""
    made = 0
    doc_no = 0
    while made < n:
        rng = random.Random(f"{seed}:{doc_no}")  # each document on its own: any slice can be made alone
        size = min(batch, n - made)
        as_of = AS_OF_DATES[doc_no % len(AS_OF_DATES)]
        config = CONFIGS[doc_no % len(CONFIGS)]
        dossiers = [sample_dossier(rng, as_of, f"g{seed}-{made + i}", config) for i in range(size)]
        yield {"as_of": as_of.isoformat(), "config": dict(config), "dossiers": dossiers}
        made += size
        doc_no += 1


__all__ = ["CONFIGS", "AS_OF_DATES", "FAULTS", "sample_dossier", "sample_documents"]
