"""The demo county (and, for benchmarks, a province of such counties), deterministic from a seed.

1 county, 15 townships (13 乡镇 + 2 街道), about 330 village branches (some villages with a 村党委 and several
branches, some branches with 党小组), about 20 community and 两新 branches, about 20,000 full members, 2,500
people in the pipeline spread over the stages and some 800 后备力量 (群众). Ages, education, ethnicity and
occupations follow rural patterns; ID numbers are valid and agree with birth date and gender.
This is a bulk path: it writes rows in batches and one audit row for the whole generation (synthetic data:
one row per generated person would double the time and tell nobody anything).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from dangjian.core import clock, crypto
from dangjian.core.audit import Actor, audit_log
from dangjian.core.models import Installation
from dangjian.core.scope import segment
from dangjian.demo import names
from dangjian.orgs.models import Organization, OrgKind, PlaceType, Role, User
from dangjian.orgs.services import user_create
from dangjian.people import idnumber
from dangjian.people.models import Education, HouseholdType, Occupation, PartyStatus, Person
from dangjian.people.pinyin import name_keys

DEMO_PASSWORD = "Demo-2026"
DEMO_ACCOUNTS = (
    ("county_admin", "县委组织部管理员（全县）"),
    ("town_organizer", "乡镇组织委员（第一个乡镇：龙泉镇）"),
    ("village_secretary", "村党支部书记（龙泉镇的一个村党支部）"),
    ("other_town_organizer", "乡镇组织委员（第二个乡镇：青山镇）"),
)
COUNTY_REGION = "522730"
# People per county; "small" is the same tree with fewer people, for tests.
SIZES = {"county": {"members": 20000, "pipeline": 2500, "reserve": 800},
         "small": {"members": 1500, "pipeline": 300, "reserve": 50}}
BATCH = 5000


def has_data() -> bool:
    return Organization.objects.exists()


@dataclass
class _Gen:
    rng: random.Random
    today: dt.date
    used_ids: set[str] = field(default_factory=set)
    people: list[Person] = field(default_factory=list)
    orgs: list[Organization] = field(default_factory=list)
    _surnames: list[str] = field(default_factory=list)
    _surname_w: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._surnames = [s for s, _ in names.SURNAMES]
        self._surname_w = [w for _, w in names.SURNAMES]

    # --- organizations -------------------------------------------------------------------------------
    def org(self, parent: Organization | None, n: int, code: str, name: str, kind: str, place: str = "",
            committee: bool = False, can_approve: bool = False) -> Organization:
        path = segment(n) if parent is None else parent.path + segment(n)
        o = Organization(code=code, name=name, kind=kind, place_type=place, parent=parent, path=path,
                         depth=0 if parent is None else parent.depth + 1, has_branch_committee=committee,
                         can_approve=can_approve)
        self.orgs.append(o)
        return o

    # --- people ---------------------------------------------------------------------------------------
    def name(self, gender: str) -> str:
        r = self.rng
        surname = r.choices(self._surnames, self._surname_w)[0]
        pool = names.MALE_CHARS if gender == "male" else names.FEMALE_CHARS
        if r.random() < 0.7:
            return surname + r.choice(names.MIDDLE_CHARS + pool) + r.choice(pool)
        return surname + r.choice(pool)

    def id_number(self, region: str, birth: dt.date, gender: str) -> str:
        while True:
            seq = self.rng.randrange(0, 999)
            if (seq % 2 == 1) != (gender == "male"):
                seq = seq + 1 if seq < 998 else seq - 1
            number = idnumber.make(region, birth, seq)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def birth(self, min_age: int, max_age: int) -> dt.date:
        days = self.rng.randint(min_age * 365 + 1, max_age * 365 - 1)
        return self.today - dt.timedelta(days=days)

    def education(self, birth: dt.date, young_bias: bool) -> str:
        age = (self.today - birth).days // 365
        r = self.rng.random()
        if age >= 60:
            table = ((0.55, Education.PRIMARY), (0.9, Education.JUNIOR), (1.0, Education.SENIOR))
        elif age >= 40:
            table = ((0.25, Education.PRIMARY), (0.7, Education.JUNIOR), (0.92, Education.SENIOR), (1.0, Education.COLLEGE))
        else:
            table = ((0.05, Education.PRIMARY), (0.35 if not young_bias else 0.25, Education.JUNIOR),
                     (0.65, Education.SENIOR), (0.88, Education.COLLEGE), (0.99, Education.BACHELOR),
                     (1.0, Education.POSTGRADUATE))
        return next(e for p, e in table if r <= p)

    def person(self, org: Organization, status: str, status_date: dt.date | None, birth: dt.date, gender: str,
               occupations: list[str], rural: bool, joined_on: dt.date | None = None) -> None:
        r = self.rng
        nm = self.name(gender)
        region = COUNTY_REGION if r.random() < 0.93 else r.choice(("522731", "522701", "520102", "522725"))
        number = self.id_number(region, birth, gender)
        initials, full = name_keys(nm)
        ethnicity = r.choices([e for e, _ in names.ETHNICITIES], [w for _, w in names.ETHNICITIES])[0]
        household = HouseholdType.AGRICULTURAL if (rural and r.random() < 0.95) or (not rural and r.random() < 0.2) \
            else HouseholdType.NON_AGRICULTURAL
        self.people.append(Person(
            name=nm, name_initials=initials, name_pinyin=full, gender=gender, ethnicity=ethnicity, birth_date=birth,
            id_number_enc=crypto.encrypt(number), id_number_hash=crypto.blind_index(number),
            id_number_masked=idnumber.mask(number), education=self.education(birth, status != PartyStatus.FULL_MEMBER),
            household_type=household, occupations=f" {' '.join(occupations)} " if occupations else "",
            phone=f"1{r.choice('3578')}{r.randrange(0, 10**9):09d}", organization=org, org_path=org.path,
            party_status=status, status_date=status_date, joined_on=joined_on))


PIPELINE_OCCUPATIONS = (Occupation.RICH_LEADER, Occupation.MIGRANT, Occupation.RETURNED_ENTREPRENEUR,
                        Occupation.RETURNED_GRADUATE, Occupation.VETERAN, Occupation.VILLAGE_CADRE)


def _village_name(g: _Gen, used: set[str]) -> str:
    while True:
        n = g.rng.choice(names.VILLAGE_FIRST) + g.rng.choice(names.VILLAGE_SECOND) + "村"
        if n not in used:
            used.add(n)
            return n


def _county(g: _Gen, parent: Organization | None, n: int, region: str, county_name: str) -> tuple[Organization, list]:
    """One county's tree. Returns the county and its branches as (org, rural, weight)."""
    r = g.rng
    county = g.org(parent, n, region, f"中共{county_name}委员会", OrgKind.COUNTY, committee=True, can_approve=True)
    branches: list[tuple[Organization, bool, float]] = []
    used_village_names: set[str] = set()
    community_i = 0
    new_org_i = 0
    for t_i, (t_name, t_type) in enumerate(names.TOWNSHIPS, start=1):
        t_code = f"{region}{100 + t_i:03d}"
        title = f"中共{county_name}{t_name}{'工作委员会' if t_type == 'subdistrict' else '委员会'}"
        town = g.org(county, t_i, t_code, title, OrgKind.TOWNSHIP, committee=True, can_approve=True)
        child_n = 0
        if t_type == "township":
            for _v in range(r.randint(22, 28)):
                child_n += 1
                v_code = f"{t_code}{child_n:03d}"
                v_name = _village_name(g, used_village_names)
                if r.random() < 0.06:
                    # A large village: 村党委 (no approval power) with branches under it.
                    vc = g.org(town, child_n, v_code, f"中共{v_name}委员会", OrgKind.PRIMARY_COMMITTEE,
                               place=PlaceType.VILLAGE, committee=True, can_approve=False)
                    for b in range(1, r.randint(2, 3) + 1):
                        br = g.org(vc, b, f"{v_code}{b:02d}", f"{v_name}第{'一二三'[b - 1]}党支部", OrgKind.BRANCH,
                                   place=PlaceType.VILLAGE, committee=True)
                        branches.append((br, True, 1.0))
                else:
                    committee = r.random() < 0.85
                    br = g.org(town, child_n, v_code, f"{v_name}党支部", OrgKind.BRANCH, place=PlaceType.VILLAGE,
                               committee=committee)
                    branches.append((br, True, 1.0 if committee else 0.5))
                    if committee and r.random() < 0.2:
                        for grp in range(1, 3):
                            g.org(br, grp, f"{v_code}G{grp}", f"{v_name}第{grp}党小组", OrgKind.GROUP,
                                  place=PlaceType.VILLAGE)
            # Two 两新 branches, one of them a 联合党支部, per rural township for the first few.
            if t_i <= 5:
                for k in range(2):
                    child_n += 1
                    nm = names.NEW_ORG_NAMES[new_org_i % len(names.NEW_ORG_NAMES)]
                    new_org_i += 1
                    kind = OrgKind.JOINT_BRANCH if k == 1 else OrgKind.BRANCH
                    br = g.org(town, child_n, f"{t_code}{child_n:03d}", f"{nm}{'联合' if k == 1 else ''}党支部", kind,
                               place=PlaceType.NEW_ORG, committee=False)
                    branches.append((br, False, 0.15))
        else:
            for _c in range(5):
                child_n += 1
                nm = names.COMMUNITY_NAMES[community_i % len(names.COMMUNITY_NAMES)]
                community_i += 1
                br = g.org(town, child_n, f"{t_code}{child_n:03d}", f"{nm}社区党支部", OrgKind.BRANCH,
                           place=PlaceType.COMMUNITY, committee=True)
                branches.append((br, False, 1.2))
    return county, branches


def _people_for_county(g: _Gen, branches: list, members: int, pipeline: int, reserve: int) -> None:
    r = g.rng
    orgs = [b[0] for b in branches]
    weights = [b[2] for b in branches]
    rural = {b[0].code: b[1] for b in branches}
    today = g.today
    # Full members: old-leaning rural ages; women about one in five.
    for org in r.choices(orgs, weights, k=members):
        gender = "female" if r.random() < 0.2 else "male"
        birth = g.birth(22, 90)
        age = (today - birth).days // 365
        joined_age = r.randint(20, min(max(age - 1, 21), 55))
        joined = birth + dt.timedelta(days=joined_age * 365 + r.randint(0, 364))
        if joined > today - dt.timedelta(days=400):
            joined = today - dt.timedelta(days=400 + r.randint(0, 300))
        occ = [Occupation.VILLAGE_CADRE] if r.random() < 0.08 else ([Occupation.FARMER] if rural[org.code] else [])
        # status_date is the conversion (转正); the admission meeting (入党时间) a year before (no rng draw: seeds stay).
        g.person(org, PartyStatus.FULL_MEMBER, joined, birth, gender, occ, rural[org.code],
                 joined_on=joined - dt.timedelta(days=365))
    # The pipeline: young people, spread over the stages.
    # (status, share, status date from … to … days ago, youngest age): old enough to have applied at 18.
    stages = ((PartyStatus.APPLICANT, 0.36, 0, 700, 21), (PartyStatus.ACTIVIST, 0.36, 0, 900, 23),
              (PartyStatus.CANDIDATE, 0.14, 0, 330, 22), (PartyStatus.PROBATIONARY, 0.14, 0, 290, 23))
    for status, share, lo, hi, youngest in stages:
        for org in r.choices(orgs, weights, k=round(pipeline * share)):
            gender = "female" if r.random() < 0.35 else "male"
            birth = g.birth(youngest, 45)
            occ = r.sample(PIPELINE_OCCUPATIONS, k=r.choice((0, 1, 1, 1, 2)))
            since = today - dt.timedelta(days=r.randint(lo, hi))
            # 入党时间 of a probationary member: the branch meeting, some weeks before the approval (status date);
            # where dossiers are built (county scale) the recheck replaces it by the dossier's S15 date.
            g.person(org, status, since, birth, gender, occ, rural[org.code],
                     joined_on=since - dt.timedelta(days=20) if status == PartyStatus.PROBATIONARY else None)
    # 后备力量: young rural residents noted as future applicants.
    for org in r.choices(orgs, weights, k=reserve):
        gender = "female" if r.random() < 0.4 else "male"
        occ = r.sample(PIPELINE_OCCUPATIONS, k=1)
        g.person(org, PartyStatus.NONE, None, g.birth(18, 35), gender, occ, rural[org.code])


def _flush(g: _Gen) -> None:
    # Level by level, so every parent has its primary key before its children are written.
    for depth in sorted({o.depth for o in g.orgs}):
        level = [o for o in g.orgs if o.depth == depth and o.pk is None]
        for o in level:
            if o.parent is not None:
                o.parent_id = o.parent.pk
        Organization.objects.bulk_create(level, batch_size=BATCH)
    g.orgs.clear()


def _dossiers(rng: random.Random, today: dt.date) -> int:
    """Every person in the pipeline gets a dossier with the steps that brought him there; then the engine
    derives status, dates and findings (a few percent carry realistic faults)."""
    from dangjian.demo import pipeline
    from dangjian.development.services import dossier_recheck

    people = list(Person.objects.filter(party_status__in=[PartyStatus.APPLICANT, PartyStatus.ACTIVIST,
                                                          PartyStatus.CANDIDATE, PartyStatus.PROBATIONARY])
                  .order_by("id"))
    n, _records = pipeline.build(people=people, today=today, rng=rng)
    dossier_recheck(actor=Actor())
    return n


def _flush_people(g: _Gen) -> int:
    n = len(g.people)
    Person.objects.bulk_create(g.people, batch_size=BATCH)
    g.people.clear()
    return n


def _wipe() -> None:
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)


@transaction.atomic
def generate(*, seed: int = 2026, scale: str = "county", force: bool = False,
             progress: Callable[[str], None] = lambda m: None) -> dict:
    """Generate the demo county (scale "county") or a province of 50 such counties (scale "province")."""
    if force:
        _wipe()
    elif has_data():
        raise RuntimeError("数据库中已有数据")
    rng = random.Random(seed)
    g = _Gen(rng=rng, today=clock.today())
    actor = Actor()
    total_people = 0
    if scale in SIZES:
        county, branches = _county(g, None, 1, COUNTY_REGION, "青山县")
        _flush(g)
        progress(f"组织 {Organization.objects.count()} 个")
        _people_for_county(g, branches, **SIZES[scale])
        total_people += _flush_people(g)
        first_county = county
        dossiers = _dossiers(rng, g.today)
        progress(f"发展党员档案 {dossiers} 份")
    else:
        province = g.org(None, 1, "520000", "中共示范省委员会", OrgKind.PROVINCE, committee=True, can_approve=True)
        first_county = None
        for c in range(1, 51):
            region = f"52{c:02d}30"
            county, branches = _county(g, province, c, region, f"示范{c}县")
            first_county = first_county or county
            _flush(g)
            _people_for_county(g, branches, members=20000, pipeline=2500, reserve=300)
            total_people += _flush_people(g)
            progress(f"县 {c}/50：累计 {total_people} 人")
    _demo_users(first_county)
    from dangjian.demo.stats import demo_stats; demo_stats(rng=rng, county=first_county, today=g.today)  # noqa: E702, I001
    from dangjian.demo.archives import demo_archives; demo_archives(seed=seed, county=first_county, today=g.today)  # noqa: E702, I001
    from dangjian.demo.reviews import demo_reviews; demo_reviews(seed=seed, county=first_county, today=g.today)  # noqa: E702, I001
    Installation.objects.all().delete()
    Installation.objects.create(is_demo=True, demo_seed=seed, demo_scale=scale)
    summary = {"seed": seed, "scale": scale, "organizations": Organization.objects.count(), "people": total_people,
               "members": Person.objects.filter(party_status__in=[PartyStatus.FULL_MEMBER, PartyStatus.PROBATIONARY]).count()}
    audit_log(actor=actor, action="demo.generate", detail=summary)
    return summary


def analyze() -> None:
    """Refresh the planner's statistics after a bulk load (both databases)."""
    with connection.cursor() as cur:
        cur.execute("ANALYZE")


def _demo_users(county: Organization) -> None:
    towns = list(Organization.objects.filter(parent=county, kind=OrgKind.TOWNSHIP).order_by("path")[:2])
    village = (Organization.objects.filter(parent=towns[0], kind=OrgKind.BRANCH, place_type=PlaceType.VILLAGE,
                                           has_branch_committee=True).order_by("path").first())
    accounts = (("county_admin", county, Role.COUNTY_ADMIN, "县委组织部 张明"),
                ("town_organizer", towns[0], Role.TOWNSHIP_ORGANIZER, "龙泉镇组织委员 李华"),
                ("village_secretary", village, Role.VILLAGE_SECRETARY, f"{village.name}书记 王强"),
                ("other_town_organizer", towns[1], Role.TOWNSHIP_ORGANIZER, "青山镇组织委员 刘芳"))
    hashed = make_password(DEMO_PASSWORD)
    for username, org, role, full_name in accounts:
        # Demo accounts skip the first-login password change so a demo can start at once; real accounts don't.
        user_create(actor=Actor(), username=username, password=DEMO_PASSWORD, organization=org, role=role,
                    full_name=full_name, must_change_password=False, password_hash=hashed)
    assert User.objects.count() >= 4
