"""The pipeline on a past report date (docs/stats.md, 截至日在过去): generated people move through the stages at
known dates — application (S01), activist (S03), candidate (S07), admission meeting (S15), approval (S17),
conversion decisions (S23/S24: on time, extended, cancelled, in turn) — and every figure on report dates that
fall on a step's date, the day before and the day after is checked against an independent computation from
those dates, for the county, a township, a branch (a roll-up unit) and a party group below it (counted fresh).
People without a dossier (roster imports) stay at their current status; members keep the 入党时间 rule."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.utils import timezone

from dangjian.core import clock
from dangjian.core.audit import Actor
from dangjian.core.bulk import insert_many
from dangjian.development import engine
from dangjian.development.models import Dossier, StepRecord
from dangjian.development.stepdefs import RecordView
from dangjian.orgs.models import Organization, OrgKind, PlaceType
from dangjian.orgs.services import org_create
from dangjian.people.models import Person
from dangjian.stats.figures import StatsContext, compute_figures
from dangjian.stats.models import ROLLUP_PATH_LEN
from dangjian.stats.selectors import children
from tests.stats.test_figures import _check, _expected_group

TODAY = dt.date(2026, 11, 20)
START, END = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
# Steps fall on these days (and elsewhere); the report dates are each of them, the day before and the day after.
KEY_DAYS = (dt.date(2024, 2, 29), dt.date(2024, 12, 31), dt.date(2025, 6, 30), dt.date(2026, 3, 1))
REPORT_DATES = sorted({k + dt.timedelta(days=d) for k in KEY_DAYS for d in (-1, 0, 1)})
MEMBER = {"probationary", "full_member"}
PIPELINE = ("applicant", "activist", "candidate", "probationary")
# Where a dossier ends up: its milestones in order, and the conversion decisions (S23 then S24, by number).
ENDINGS = {
    "applicant": (("S01",), ()),
    "activist": (("S01", "S03"), ()),
    "candidate": (("S01", "S03", "S07"), ()),
    "candidate_met": (("S01", "S03", "S07", "S15"), ()),  # admission meeting held, approval not recorded yet
    "probationary": (("S01", "S03", "S07", "S15", "S17"), ()),
    "pending": (("S01", "S03", "S07", "S15", "S17"), ("on_time?",)),  # meeting decided, approval not recorded
    "full_member": (("S01", "S03", "S07", "S15", "S17"), ("on_time",)),
    "cancelled": (("S01", "S03", "S07", "S15", "S17"), ("cancel",)),
    "extended": (("S01", "S03", "S07", "S15", "S17"), ("extend",)),
    "extended_full": (("S01", "S03", "S07", "S15", "S17"), ("extend", "on_time")),
    "extended_cancelled": (("S01", "S03", "S07", "S15", "S17"), ("extend", "cancel")),
}
STEP_STAGE = {"S01": "applicant", "S03": "activist", "S07": "candidate", "S17": "probationary"}
DECISION_STAGE = {"on_time": "full_member", "extend": "probationary", "cancel": None}


@dataclass
class Track:
    """One generated dossier's known dates: milestones {step: date} and conversions [(decision, S23, S24)]."""

    steps: dict[str, dt.date]
    conversions: list[tuple[str, dt.date, dt.date | None]] = field(default_factory=list)


def _dates(rng: random.Random, n: int) -> list[dt.date]:
    """n dates in order (equal ones allowed: two steps may be recorded the same day), many on a key day or
    next to one."""
    pool = [k + dt.timedelta(days=d) for k in KEY_DAYS for d in (-1, 0, 0, 1)]
    out = [rng.choice(pool) if rng.random() < 0.6 else dt.date(2023, 6, 1) + dt.timedelta(days=rng.randrange(1200))
           for _ in range(n)]
    return sorted(min(d, TODAY) for d in out)


def _current(track: Track) -> tuple[str, dt.date | None, dt.date | None]:
    """(政治面貌, status date, 入党时间) now, as the dossier service derives them (PROCEDURE §2)."""
    approved = [(dec, s24) for dec, _s23, s24 in track.conversions if s24 is not None]
    if approved:
        status = {"on_time": "full_member", "extend": "probationary", "cancel": "none"}[approved[-1][0]]
        since = approved[-1][1] if status != "probationary" else track.steps["S17"]
    else:
        step = max((s for s in track.steps if s in STAGE_ORDER), key=STAGE_ORDER.index)
        status, since = STEP_STAGE[step], track.steps[step]
    return status, since, track.steps.get("S15") if status in MEMBER else None


STAGE_ORDER = ("S01", "S03", "S07", "S17")


def extend_world(world) -> None:
    world.group = org_create(actor=Actor(), code="T101G1", name="东村第一党小组", kind=OrgKind.GROUP,
                             parent=world.v1, place_type=PlaceType.VILLAGE, check_scope=False)
    world.tracks = {}
    rng = random.Random(55)
    generate(world, rng, 260, "hist")
    # Without a dossier (roster imports): members admitted on a key day, and people in the pipeline.
    roster = []
    for i in range(40):
        org = rng.choice([world.v1, world.v2, world.w1, world.group])
        status = rng.choice(["full_member", "probationary", "applicant", "activist", "candidate"])
        joined = rng.choice(KEY_DAYS) if status in MEMBER else None
        roster.append(Person(
            name=f"册{i}", gender="male", ethnicity="汉族", birth_date=dt.date(1980, 5, 5), id_number_enc="x",
            id_number_hash=f"roster-{i}", id_number_masked="522730********0000", education="senior",
            household_type="agricultural", organization=org, org_path=org.path, party_status=status,
            status_date=(min(joined + dt.timedelta(days=400), TODAY) if status == "full_member"
                         else joined or dt.date(2024, 1, 1)),
            joined_on=joined))
    insert_many(roster)


@transaction.atomic
def generate(world, rng: random.Random, n: int, prefix: str) -> None:
    """n people with a dossier each, moving through the stages at known dates (world.tracks)."""
    orgs = [world.v1, world.v2, world.w1, world.group]
    people, tracks = [], []
    for i in range(n):
        milestones, decisions = ENDINGS[rng.choice(list(ENDINGS))]
        dates = _dates(rng, len(milestones) + 2 * len(decisions))
        track = Track(steps=dict(zip(milestones, dates, strict=False)))
        rest = dates[len(milestones):]
        for k, dec in enumerate(decisions):
            s23, s24 = rest[2 * k], rest[2 * k + 1]
            track.conversions.append((dec.rstrip("?"), s23, None if dec.endswith("?") else s24))
        status, since, joined = _current(track)
        org = rng.choice(orgs)
        people.append(Person(
            name=f"史{i}", gender=rng.choice(["male", "female"]), ethnicity=rng.choice(["汉族", "汉族", "苗族", ""]),
            birth_date=dt.date(1960 + rng.randrange(50), 1 + rng.randrange(12), 1 + rng.randrange(28)),
            id_number_enc="x", id_number_hash=f"{prefix}-{i}", id_number_masked="522730********0000",
            education=rng.choice(["", "junior", "senior", "bachelor"]),
            household_type=rng.choice(["agricultural", "non_agricultural", ""]), organization=org, org_path=org.path,
            party_status=status, status_date=since, joined_on=joined))
        tracks.append(track)
    insert_many(people)
    saved = {p.id_number_hash: p for p in Person.objects.filter(id_number_hash__startswith=f"{prefix}-")}
    mine = [saved[f"{prefix}-{i}"] for i in range(n)]
    dossiers = Dossier.objects.bulk_create([
        Dossier(person=p, organization_id=p.organization_id, org_path=p.org_path,
                status="cancelled" if p.party_status == "none" else p.party_status) for p in mine])
    now = timezone.now()
    records = []
    for d, t in zip(dossiers, tracks, strict=True):
        for step, date in t.steps.items():
            records.append(StepRecord(dossier=d, step=step, date=date, data={}, entered_at=now, mode="past"))
        # A step that starts no stage, the day after S01: it moves nobody.
        records.append(StepRecord(dossier=d, step="S02", date=t.steps["S01"] + dt.timedelta(days=1), data={},
                                  entered_at=now, mode="past"))
        for seq, (dec, s23, s24) in enumerate(t.conversions, start=1):
            records.append(StepRecord(dossier=d, step="S23", seq=seq, date=s23, data={"decision": dec},
                                      entered_at=now, mode="past"))
            if s24 is not None:
                records.append(StepRecord(dossier=d, step="S24", seq=seq, date=s24, data={}, entered_at=now,
                                          mode="past"))
    StepRecord.objects.bulk_create(records)
    world.tracks.update({p.pk: t for p, t in zip(mine, tracks, strict=True)})


@pytest.fixture
def world(shared_world):
    with clock.frozen(TODAY):
        yield shared_world


def expected_on(p: Person, day: dt.date, track: Track | None) -> tuple[str | None, dt.date | None]:
    """Independent of StatsContext.moves: (status on `day`, 入党时间 then) from the known dates.
    - a member now: a member from his 入党时间 (S15, or the roster's) — probationary until his conversion (the
      status date of a full member); before it at the furthest of S01/S03/S07 dated on or before `day` (none
      without a dossier); a member without 入党时间 is one on every date;
    - anyone else with a dossier: the last conversion approved by then (both its S23 and S24 on or before `day`)
      decides; else the furthest of S01/S03/S07/S17 on or before it (none when there is none);
    - anyone else without a dossier: his current status."""
    if p.party_status in MEMBER:
        if p.joined_on is None:
            return p.party_status, None
        if p.joined_on <= day:
            full = p.party_status == "full_member" and p.status_date <= day
            return ("full_member" if full else "probationary"), p.joined_on
        steps = track.steps if track else {}
        reached = [s for s in ("S01", "S03", "S07") if s in steps and steps[s] <= day]
        return (STEP_STAGE[reached[-1]] if reached else None), None
    if track is None:
        return p.party_status, None
    approved = [dec for dec, s23, s24 in track.conversions if s24 is not None and s24 <= day and s23 <= day]
    if approved:
        then = DECISION_STAGE[approved[-1]]
    else:
        reached = [s for s in STAGE_ORDER if s in track.steps and track.steps[s] <= day]
        then = STEP_STAGE[reached[-1]] if reached else None
    return then, (track.steps.get("S15") if then in MEMBER else None)


def _then(world, org: Organization, day: dt.date) -> list[tuple[Person, str | None, dt.date | None]]:
    out = []
    for p in Person.objects.filter(org_path__startswith=org.path):
        status, joined = expected_on(p, day, world.tracks.get(p.pk))
        out.append((p, status, joined))
    return out


SCOPES = ["county", "t1", "v1", "group"]


def _org(world, scope: str) -> Organization:
    return getattr(world, scope)


@pytest.mark.parametrize("as_of", REPORT_DATES)
@pytest.mark.parametrize("scope", SCOPES)
def test_the_pipeline_on_a_past_date_is_the_stage_each_person_had_then(world, as_of, scope):
    org = _org(world, scope)
    assert (len(org.path) > ROLLUP_PATH_LEN) == (scope == "group")
    f = compute_figures(StatsContext(org=org, as_of=as_of, start=START, end=END))
    then = _then(world, org, as_of)
    for stage in f["pipeline"]:
        rows = [p for p, s, _j in then if s == stage["status"]]
        _check(stage, _expected_group(rows, lambda p: as_of))
    members = [p for p, s, _j in then if s in MEMBER]
    _check(f["members"], _expected_group(members, lambda p: as_of))
    assert f["members"]["probationary"] == sum(s == "probationary" for _p, s, _j in then)
    joined = {p.pk: j for p, _s, j in then}
    by_year = {y: sum(1 for p in members if joined[p.pk] and joined[p.pk].year == y)
               for y, _n in f["admissions_by_year"]}
    assert dict(f["admissions_by_year"]) == by_year


@pytest.mark.parametrize("as_of", REPORT_DATES[::3] + [TODAY])
@pytest.mark.parametrize("scope", ["county", "t1", "v1"])
def test_the_children_count_the_same_past_pipeline(world, as_of, scope):
    org = _org(world, scope)
    rows = children(user=world.users["county_admin"], org=org, as_of=as_of, start=START, end=END)
    assert rows
    for row in rows:
        then = [s for _p, s, _j in _then(world, row.org, as_of)]
        assert row.pipeline == sum(s in PIPELINE for s in then), row.org.code
        assert row.members == sum(s in MEMBER for s in then), row.org.code
        assert {s: row.counts.get(s, 0) for s in PIPELINE} == {s: then.count(s) for s in PIPELINE}


def test_the_generated_data_holds_every_kind_of_move(world):
    """Every transition the rule knows occurs on the report dates (else the comparisons prove little), with
    steps on a report date itself."""
    seen = set()
    for day in REPORT_DATES:
        for p, s, _j in _then(world, world.county, day):
            if s != p.party_status:
                seen.add((p.party_status, s, p.pk in world.tracks))
    assert {("applicant", None, True), ("activist", "applicant", True), ("candidate", "activist", True),
            ("candidate", None, True), ("none", "probationary", True),
            ("none", "candidate", True), ("none", "activist", True), ("probationary", "candidate", True),
            ("full_member", "probationary", True), ("full_member", "candidate", True),
            ("full_member", None, False), ("probationary", None, False)} <= seen
    on_day = {d for t in world.tracks.values() for d in t.steps.values()}
    assert set(KEY_DAYS) <= on_day


@pytest.mark.parametrize("as_of", REPORT_DATES)
def test_the_expected_stage_of_a_non_member_is_the_rule_engines_status_then(world, as_of):
    """The independent computation above agrees with PROCEDURE §2 as the rule engine applies it to the records
    dated on or before the report date (people who are not members now; members follow 入党时间)."""
    to_status = {"none": None, "cancelled": None}
    ids = list(world.tracks)
    people = {p.pk: p for p in Person.objects.filter(pk__in=ids)}
    docs, want = [], []
    for d in Dossier.objects.filter(person_id__in=ids).prefetch_related("records"):
        p = people[d.person_id]
        if p.party_status in MEMBER:
            continue
        views = [RecordView(step=r.step, seq=r.seq, date=r.date.isoformat(), data=r.data)
                 for r in d.records.all() if r.date <= as_of]
        docs.append(engine.document_from(d.pk, p.birth_date, "", None, views))
        want.append(expected_on(p, as_of, world.tracks[p.pk])[0])
    got = [to_status.get(r["status"], r["status"]) for r in engine.evaluate_many(docs, as_of=as_of, config={})]
    assert got == want


def test_the_number_of_queries_does_not_grow_with_the_people(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as c:
            ctx = StatsContext(org=world.county, as_of=KEY_DAYS[1], start=START, end=END)
            compute_figures(ctx)
        return len(c.captured_queries), ctx.shifts.moved

    queries, moved = count()
    generate(world, random.Random(7), 200, "more")
    queries_after, moved_after = count()
    assert moved_after > moved + 50
    assert queries_after == queries


def test_todays_date_takes_the_roll_up_alone(world, django_assert_num_queries):
    ctx = StatsContext(org=world.county, as_of=TODAY, start=START, end=END)
    with django_assert_num_queries(0):
        assert ctx.shifts.moved == 0
    with django_assert_num_queries(1):
        assert ctx.counts


def test_a_stage_step_after_the_report_date_that_leaves_the_stage_as_it_is_now_moves_nobody(world):
    """A record entered out of line with the status (S07 dated after the report date, the person still an
    activist now, a stray 入党时间 on his row): his stage on the report date (S03) is his stage now, so he stays
    where the roll-up counts him — the grouped shifts skip him like any unmoved person."""
    as_of = dt.date(2025, 6, 30)

    def shifted():
        ctx = StatsContext(org=world.county, as_of=as_of, start=START, end=END)
        return ctx.shifts, ctx.status_by_prefix(len(world.t1.path))

    before = shifted()
    person = Person(name="错录", gender="female", ethnicity="苗族", birth_date=dt.date(1990, 6, 30), id_number_enc="x",
                    id_number_hash="stray-1", id_number_masked="522730********0000", education="senior",
                    household_type="agricultural", organization=world.v1, org_path=world.v1.path,
                    party_status="activist", status_date=dt.date(2024, 2, 1), joined_on=dt.date(2020, 5, 5))
    insert_many([person])
    person = Person.objects.get(id_number_hash="stray-1")
    dossier = Dossier.objects.create(person=person, organization_id=person.organization_id, org_path=person.org_path,
                                     status="activist")
    now = timezone.now()
    StepRecord.objects.bulk_create([
        StepRecord(dossier=dossier, step=step, date=date, data={}, entered_at=now, mode="past")
        for step, date in (("S01", dt.date(2024, 1, 10)), ("S03", dt.date(2024, 2, 1)), ("S07", dt.date(2025, 7, 1)))])
    after = shifted()
    assert after[0] == before[0]
    activists = {k: v.get("activist", 0) for k, v in after[1].items()}
    assert activists[world.t1.path] == {k: v.get("activist", 0) for k, v in before[1].items()}[world.t1.path] + 1
    # Counted at his row as it is: the roll-up's 入党年份 2020 of an activist, not moved to none.
    f = StatsContext(org=world.county, as_of=as_of, start=START, end=END).counts
    assert f[("activist", "joined_year", "2020")] >= 1


def test_a_member_then_without_an_admission_meeting_on_record_is_counted_without_an_admission_year(world):
    """A cancelled probation whose dossier has no S15 (the approval S17 recorded, the meeting not): a member on
    a date between the approval and the cancellation, with no 入党时间 — counted under the blank admission
    year, as the roll-up counts a member without one."""
    as_of = dt.date(2024, 12, 31)

    def counts():
        return StatsContext(org=world.county, as_of=as_of, start=START, end=END).counts

    before = counts()
    insert_many([Person(name="无会", gender="male", ethnicity="汉族", birth_date=dt.date(1995, 3, 3), id_number_enc="x",
                        id_number_hash="no-s15", id_number_masked="522730********0000", education="bachelor",
                        household_type="agricultural", organization=world.w1, org_path=world.w1.path,
                        party_status="none", status_date=dt.date(2025, 5, 10), joined_on=None)])
    person = Person.objects.get(id_number_hash="no-s15")
    dossier = Dossier.objects.create(person=person, organization_id=person.organization_id, org_path=person.org_path,
                                     status="cancelled")
    now = timezone.now()
    steps = (("S01", 1, dt.date(2022, 1, 5), {}), ("S03", 1, dt.date(2022, 6, 1), {}),
             ("S07", 1, dt.date(2023, 9, 1), {}), ("S17", 1, dt.date(2024, 6, 1), {}),
             ("S23", 1, dt.date(2025, 5, 1), {"decision": "cancel"}), ("S24", 1, dt.date(2025, 5, 10), {}))
    StepRecord.objects.bulk_create([StepRecord(dossier=dossier, step=step, seq=seq, date=date, data=data,
                                               entered_at=now, mode="past") for step, seq, date, data in steps])
    after = counts()
    assert after[("probationary", "all", "")] == before[("probationary", "all", "")] + 1
    assert after[("probationary", "joined_year", "")] == before.get(("probationary", "joined_year", ""), 0) + 1
    assert not any(v is None for (_s, _d, v) in after)
