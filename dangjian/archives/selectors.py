"""Reads of the archives app, always from the user's scope (core.scope). Reads of personal data are audited."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from dangjian import rules
from dangjian.archives.catalogue import DEFAULT_CHECKLIST, PROBLEM_LABELS, RESPONSIBILITY_LABELS
from dangjian.archives.models import (
    ArchiveFile,
    AuditProblem,
    AuditRound,
    AuditSample,
    ChecklistItem,
    ProblemStatus,
)
from dangjian.core.audit import Actor, audit_log
from dangjian.core.errors import OutOfScope
from dangjian.core.scope import SEGMENT, path_visible, scope_q, subtree_q, visible_to
from dangjian.development.models import Dossier, DossierStatus, Finding, StepRecord
from dangjian.orgs.models import Organization, OrgKind

# Which dossiers are archives for the audit (docs/archives.md): the person reached 发展对象 or beyond — from
# then on the township holds a full file (political review, training, the form, the votes).
ARCHIVE_STATUSES = (DossierStatus.CANDIDATE, DossierStatus.PROBATIONARY, DossierStatus.FULL_MEMBER)


def _step_names() -> dict[str, str]:
    steps = rules.STEPS.values() if isinstance(rules.STEPS, dict) else rules.STEPS
    return {s.code: s.name for s in steps}


STEP_NAMES = _step_names()


# --- checklist ---------------------------------------------------------------------------------------------
def checklist_for(county: Organization | None) -> dict[str, list[str]]:
    """The county's checklist (step → materials), or the default (PROCEDURE §7) when it has not set one."""
    rows = list(ChecklistItem.objects.filter(county=county).values_list("step", "name")) if county else []
    if not rows:
        return {step: list(names) for step, names in DEFAULT_CHECKLIST.items()}
    out: dict[str, list[str]] = {step: [] for step in DEFAULT_CHECKLIST}
    for step, name in rows:
        out.setdefault(step, []).append(name)
    return out


def _county_of_user(user) -> Organization | None:
    from dangjian.development import engine

    org = getattr(user, "organization", None)
    return engine.county_of(org.path) if org is not None else None


def user_checklist(*, user) -> dict[str, list[str]]:
    return checklist_for(_county_of_user(user))


# --- completeness ------------------------------------------------------------------------------------------
@dataclass
class MaterialRow:
    step: str
    name: str
    files: list[ArchiveFile] = field(default_factory=list)


@dataclass
class StepMaterials:
    step: str
    step_name: str
    materials: list[MaterialRow]
    others: list[ArchiveFile]  # 其他材料 / 整改材料 filed under this step


def completeness(expected: int, done: int) -> int | None:
    return None if expected == 0 else round(100 * done / expected)


def _expected(steps: set[str], checklist: dict[str, list[str]]) -> set[tuple[str, str]]:
    return {(s, name) for s in steps for name in checklist.get(s, [])}


@dataclass
class DossierArchive:
    dossier: Dossier
    steps: list[StepMaterials]
    expected: int
    done: int
    files: list[ArchiveFile]

    @property
    def percent(self) -> int | None:
        return completeness(self.expected, self.done)


def dossier_archive(*, actor: Actor, dossier_id: int) -> DossierArchive:
    """A dossier's checklist for its recorded steps, with the files uploaded for each material (audited)."""
    from dangjian.development import engine

    dossier = visible_to(actor.user, Dossier).select_related("person", "organization").filter(pk=dossier_id).first()
    if dossier is None:
        raise OutOfScope()
    checklist = checklist_for(engine.county_of(dossier.org_path))
    recorded = set(StepRecord.objects.filter(dossier=dossier).values_list("step", flat=True))
    files = list(ArchiveFile.objects.filter(dossier=dossier).order_by("step", "id"))
    steps = []
    for code in DEFAULT_CHECKLIST:
        step_files = [f for f in files if f.step == code]
        if code not in recorded and not step_files:
            continue
        names = checklist.get(code, []) if code in recorded else []
        materials = [MaterialRow(code, n, [f for f in step_files if f.material == n]) for n in names]
        others = [f for f in step_files if f.material not in names]
        steps.append(StepMaterials(code, STEP_NAMES.get(code, code), materials, others))
    expected = _expected(recorded, checklist)
    done = len(expected & {(f.step, f.material) for f in files})
    audit_log(actor=actor, action="archives.dossier_view", obj_type="dossier", obj_id=dossier.pk)
    return DossierArchive(dossier=dossier, steps=steps, expected=len(expected), done=done, files=files)


@dataclass
class OrgCompleteness:
    code: str
    name: str
    dossiers: int
    expected: int
    done: int

    @property
    def percent(self) -> int | None:
        return completeness(self.expected, self.done)


@dataclass
class DossierCompleteness:
    dossier_id: int
    name: str
    org_name: str
    status: str
    expected: int
    done: int

    @property
    def percent(self) -> int | None:
        return completeness(self.expected, self.done)


ORG_SORTS = {"percent": lambda r: (r.percent if r.percent is not None else 101, r.code),
             "-percent": lambda r: (-(r.percent or 0), r.code), "name": lambda r: (r.name, r.code),
             "dossiers": lambda r: (-r.dossiers, r.code), "code": lambda r: r.code}


def completeness_lists(*, user, org: Organization | None = None, sort: str = "percent"
                       ) -> tuple[list[OrgCompleteness], list[DossierCompleteness]]:
    """Completeness per organization and per dossier, in the user's subtree (or `org`'s, inside it).
    A handful of queries whatever the size: dossiers, recorded steps, files, counties and their checklists."""
    dossiers = visible_to(user, Dossier)
    if org is not None:
        dossiers = dossiers.filter(subtree_q(org.path, "org_path"))
    rows = list(dossiers.values_list("id", "org_path", "status", "person__name", "organization__name"))
    # One row per organization one level below the page's (a county sees its townships, a township its
    # branches); a branch sees itself.
    base = org.path if org is not None else getattr(getattr(user, "organization", None), "path", "")
    depth = len(base) + SEGMENT
    steps: dict[int, set[str]] = defaultdict(set)
    for d, s in StepRecord.objects.filter(dossier__in=dossiers).values_list("dossier_id", "step").distinct():
        steps[d].add(s)
    have: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for d, s, m in ArchiveFile.objects.filter(dossier__in=dossiers).values_list("dossier_id", "step", "material"):
        have[d].add((s, m))
    counties = dict(Organization.objects.filter(kind=OrgKind.COUNTY).values_list("path", "pk"))
    checklists: dict[str | None, dict[str, list[str]]] = {}
    by_path: dict[str, OrgCompleteness] = {}
    per_dossier = []
    labels = dict(DossierStatus.choices)
    for pk, path, status, name, org_name in rows:
        county_key = next((path[:i] for i in range(len(path), 0, -SEGMENT) if path[:i] in counties), None)
        if county_key not in checklists:
            county = Organization.objects.filter(path=county_key).first() if county_key else None
            checklists[county_key] = checklist_for(county)
        exp = _expected(steps[pk], checklists[county_key])
        done = len(exp & have[pk])
        per_dossier.append(DossierCompleteness(pk, name, org_name, labels.get(status, status), len(exp), done))
        o = by_path.setdefault(path[:depth], OrgCompleteness("", "", 0, 0, 0))
        o.dossiers += 1
        o.expected += len(exp)
        o.done += done
    for p, code, org_name in Organization.objects.filter(path__in=list(by_path)).values_list("path", "code", "name"):
        by_path[p].code, by_path[p].name = code, org_name
    key = ORG_SORTS.get(sort, ORG_SORTS["percent"])
    per_dossier.sort(key=lambda r: (r.percent if r.percent is not None else 101, r.dossier_id))
    return sorted(by_path.values(), key=key), per_dossier


def archive_file_get(*, user, file_id: int) -> ArchiveFile:
    f = visible_to(user, ArchiveFile).filter(pk=file_id).first()
    if f is None:
        raise OutOfScope()
    return f


def archive_file_for_download(*, actor: Actor, file_id: int) -> ArchiveFile:
    f = archive_file_get(user=actor.user, file_id=file_id)
    audit_log(actor=actor, action="archives.file_download", obj_type="archive_file", obj_id=f.pk,
              detail={"dossier": f.dossier_id, "step": f.step, "material": f.material})
    return f


# --- audit rounds ------------------------------------------------------------------------------------------
def townships_of(county: Organization) -> list[Organization]:
    """The units sampled separately: the county's direct children (乡镇党委, 街道党工委), in path order."""
    return list(Organization.objects.filter(parent=county).order_by("path"))


def archive_dossiers(*, county: Organization) -> list[tuple[int, str]]:
    """(id, org_path) of every archive in the county (see ARCHIVE_STATUSES), by id."""
    return list(Dossier.objects.filter(subtree_q(county.path, "org_path"), status__in=ARCHIVE_STATUSES)
                .order_by("id").values_list("id", "org_path"))


def round_queryset(*, user) -> QuerySet[AuditRound]:
    """Rounds of the user's county (opened above him) and any inside his subtree. What he sees *in* a round is
    limited again to his subtree (samples and problems by their own path)."""
    org = getattr(user, "organization", None)
    if org is None or not path_visible(user, org.path):
        return AuditRound.objects.none()
    prefixes = [org.path[:i] for i in range(SEGMENT, len(org.path) + 1, SEGMENT)]
    return (AuditRound.objects.filter(Q(org_path__in=prefixes) | scope_q(user, "org_path"))
            .select_related("county"))


def round_get(*, user, round_id: int) -> AuditRound:
    if getattr(user, "organization", None) is None:
        raise OutOfScope()
    rnd = round_queryset(user=user).filter(pk=round_id).first()
    if rnd is None:
        raise OutOfScope()
    return rnd


def round_samples(*, user, rnd: AuditRound) -> QuerySet[AuditSample]:
    return (visible_to(user, AuditSample).filter(round=rnd)
            .select_related("dossier__person", "dossier__organization", "township"))


def problem_queryset(*, user) -> QuerySet[AuditProblem]:
    return visible_to(user, AuditProblem).select_related("round", "township", "sample__dossier__person",
                                                         "sample__dossier__organization")


def round_problems(*, user, rnd: AuditRound) -> QuerySet[AuditProblem]:
    """The round's problems in the user's subtree, by organization (the round page, its export and the API)."""
    return problem_queryset(user=user).filter(round=rnd).order_by("org_path", "id")


def round_samples_by_township(*, user, rnd: AuditRound) -> list[tuple[Organization, list[AuditSample]]]:
    """The round's samples in the user's subtree, grouped by the township they were drawn for (by its id: two
    townships may share a name), townships in path order."""
    groups: dict[int, tuple[Organization, list[AuditSample]]] = {}
    for s in round_samples(user=user, rnd=rnd).order_by("township__path", "position"):
        groups.setdefault(s.township_id, (s.township, []))[1].append(s)
    return list(groups.values())


def round_export_rows(*, actor: Actor, rnd: AuditRound) -> list[AuditProblem]:
    """The round's problems for the Excel export, in the user's subtree (audited: they name people)."""
    rows = list(round_problems(user=actor.user, rnd=rnd))
    audit_log(actor=actor, action="archives.round_export", obj_type="audit_round", obj_id=rnd.pk,
              detail={"rows": len(rows)})
    return rows


def problem_list(*, user, status: str = "", limit: int = 500) -> list[AuditProblem]:
    """The problems page: the user's subtree, newest round first, optionally one status."""
    qs = problem_queryset(user=user).order_by("-round__year", "-round__half", "org_path", "id")
    if status in ProblemStatus.values:
        qs = qs.filter(status=status)
    return list(qs[:limit])


def sample_problems(*, user, sample: AuditSample) -> QuerySet[AuditProblem]:
    return problem_queryset(user=user).filter(sample=sample).order_by("id")


def sample_records(*, user, sample: AuditSample) -> list[StepRecord]:
    """The step records of a sampled archive, with their responsible persons (the archive is in the user's
    subtree: sample_detail checked it; the dossier is re-checked here all the same)."""
    dossiers = visible_to(user, Dossier).filter(pk=sample.dossier_id)
    return list(StepRecord.objects.filter(dossier__in=dossiers).order_by("step", "seq"))


@dataclass
class RoundSummary:
    """The seeds' sentence for a round: 审查档案N份，发现问题M个，已整改K个 (K = 销号)."""

    archives: int
    problems: int
    rectified: int

    @property
    def sentence(self) -> str:
        return f"审查档案{self.archives}份，发现问题{self.problems}个，已整改{self.rectified}个"


@dataclass
class RoundStats(RoundSummary):
    answered: int
    open: int
    by_type: list[tuple[str, int, int]]
    by_org: list[tuple[str, int, int, int]]  # township name, archives, problems, rectified (one row per township)
    by_responsibility: list[tuple[str, int, int]]
    by_role: list[tuple[str, int, int]]
    by_person: list[tuple[str, str, int]]


def round_stats(*, user, rnd: AuditRound) -> RoundStats:
    """The seeds' numbers for one round, in the user's subtree: 审查档案N份，发现问题M个，已整改K个 (K = 销号),
    and the problems by type, township (grouped by its id, shown by name), responsibility (谁培养/考察/审批谁负责)
    and responsible role."""
    samples = list(round_samples(user=user, rnd=rnd).values_list("township_id", "township__name"))
    problems = list(visible_to(user, AuditProblem).filter(round=rnd).values_list(
        "problem_type", "township_id", "responsibility", "responsible_role", "responsible_name", "status"))
    closed = ProblemStatus.CLOSED
    names = dict(samples)

    def group(key) -> list[tuple[str, int, int]]:
        total, done = Counter(), Counter()
        for p in problems:
            total[key(p)] += 1
            done[key(p)] += p[5] == closed
        return sorted(((k, total[k], done[k]) for k in total), key=lambda x: (-x[1], x[0]))

    archives_by_org = Counter(t for t, _ in samples)
    problems_by_org = {k: (n, d) for k, n, d in group(lambda p: p[1])}
    by_org = [(names[t], a, *problems_by_org.get(t, (0, 0)), t) for t, a in archives_by_org.items()]
    by_org.sort(key=lambda x: (-x[2], x[0], x[4]))
    persons = Counter((p[4] or "（未记录责任人）", p[3] or "—") for p in problems)
    return RoundStats(
        archives=len(samples), problems=len(problems), rectified=sum(p[5] == closed for p in problems),
        answered=sum(p[5] == ProblemStatus.ANSWERED for p in problems),
        open=sum(p[5] == ProblemStatus.OPEN for p in problems),
        by_type=[(PROBLEM_LABELS.get(k, k), n, d) for k, n, d in group(lambda p: p[0])],
        by_org=[row[:4] for row in by_org],
        by_responsibility=[(RESPONSIBILITY_LABELS.get(k, "未对应步骤"), n, d) for k, n, d in group(lambda p: p[2])],
        by_role=[(k or "（未记录职务）", n, d) for k, n, d in group(lambda p: p[3])],
        by_person=sorted(((name, role, n) for (name, role), n in persons.items()), key=lambda x: (-x[2], x[0])),
    )


def round_list(*, user) -> list[tuple[AuditRound, RoundSummary]]:
    """The rounds the user sees, each with its sentence in his subtree: three queries whatever the number of
    rounds (the rounds, their samples counted per round, their problems counted per round)."""
    rounds = list(round_queryset(user=user))
    ids = [r.pk for r in rounds]
    archives = dict(visible_to(user, AuditSample).filter(round_id__in=ids).order_by().values("round_id")
                    .annotate(n=Count("id")).values_list("round_id", "n"))
    problems = {r: (n, k) for r, n, k in visible_to(user, AuditProblem).filter(round_id__in=ids).order_by()
                .values("round_id")
                .annotate(n=Count("id"), k=Count("id", filter=Q(status=ProblemStatus.CLOSED)))
                .values_list("round_id", "n", "k")}
    return [(r, RoundSummary(archives.get(r.pk, 0), *problems.get(r.pk, (0, 0)))) for r in rounds]


def round_draw_check(*, rnd: AuditRound) -> bool | None:
    """Redo the round's draw from what the audit log recorded (seed, N, every township's archive ids in order)
    and compare with the stored sample. None when the round has not been drawn."""
    from dangjian.archives.services import draw_sample
    from dangjian.core.models import AuditEntry

    entry = (AuditEntry.objects.filter(action="archives.round_draw", object_type="audit_round", object_id=str(rnd.pk))
             .order_by("-id").first())
    if entry is None or not entry.after or "pools" not in entry.after:
        return None
    pools = [(code, ids) for code, ids in entry.after["pools"]]
    redrawn = draw_sample(seed=entry.after["seed"], per_township=entry.after["per_township"], pools=pools)
    recorded = list(AuditSample.objects.filter(round=rnd).order_by("position")
                    .values_list("township__code", "dossier_id"))
    return [(code, pk) for code, pk in redrawn] == recorded


def sample_detail(*, actor: Actor, sample_id: int) -> AuditSample:
    sample = (visible_to(actor.user, AuditSample).select_related("round", "dossier__person", "dossier__organization",
                                                                 "township").filter(pk=sample_id).first())
    if sample is None or not round_queryset(user=actor.user).filter(pk=sample.round_id).exists():
        raise OutOfScope()
    audit_log(actor=actor, action="archives.sample_view", obj_type="audit_sample", obj_id=sample.pk,
              detail={"dossier": sample.dossier_id})
    return sample


def proposed_findings(*, sample: AuditSample) -> list[Finding]:
    """The rule findings stored for the archive that are not yet recorded as problems of this round."""
    taken = AuditProblem.objects.filter(round_id=sample.round_id, finding__isnull=False).values("finding_id")
    return list(Finding.objects.filter(dossier_id=sample.dossier_id).exclude(pk__in=taken).order_by("step", "code"))


def problem_detail(*, actor: Actor, problem_id: int) -> AuditProblem:
    p = problem_queryset(user=actor.user).filter(pk=problem_id).first()
    if p is None:
        raise OutOfScope()
    audit_log(actor=actor, action="archives.problem_view", obj_type="audit_problem", obj_id=p.pk)
    return p


def problem_files(problem: AuditProblem) -> list[ArchiveFile]:
    """The rectification scans of a problem fetched through :func:`problem_detail` (so in scope)."""
    return list(problem.files.all())
