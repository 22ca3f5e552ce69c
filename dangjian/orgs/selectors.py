"""Reads of the organization tree, always from the user's scope."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from dangjian.core.errors import OutOfScope
from dangjian.core.scope import SEGMENT, visible_to
from dangjian.orgs.models import Organization
from dangjian.people.models import PartyStatus, Person

MEMBER_STATUSES = (PartyStatus.FULL_MEMBER, PartyStatus.PROBATIONARY)
PIPELINE_STATUSES = (PartyStatus.APPLICANT, PartyStatus.ACTIVIST, PartyStatus.CANDIDATE)


def org_list(*, user) -> QuerySet[Organization]:
    return visible_to(user, Organization).select_related("parent")


def org_get(*, user, code: str) -> Organization:
    org = org_list(user=user).filter(code=code).first()
    if org is None:
        raise OutOfScope()
    return org


@dataclass
class OrgNode:
    org: Organization
    counts: dict[str, int] = field(default_factory=dict)
    children: list[OrgNode] = field(default_factory=list)

    @property
    def members(self) -> int:
        return sum(self.counts.get(s, 0) for s in MEMBER_STATUSES)

    @property
    def full_members(self) -> int:
        return self.counts.get(PartyStatus.FULL_MEMBER, 0)

    @property
    def pipeline(self) -> int:
        return sum(self.counts.get(s, 0) for s in (*PIPELINE_STATUSES, PartyStatus.PROBATIONARY))


def status_counts_by_path(*, user, root: Organization) -> dict[str, dict[str, int]]:
    """{org path: {status: count}} summed over each organization's whole subtree — one GROUP BY, then prefixes."""
    from dangjian.core.scope import subtree_q

    rows = (visible_to(user, Person).filter(subtree_q(root.path, "org_path"))
            .values("org_path", "party_status").annotate(n=Count("id")).order_by())
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        path = row["org_path"]
        for end in range(len(root.path), len(path) + 1, SEGMENT):
            totals[path[:end]][row["party_status"]] += row["n"]
    return totals


def org_tree(*, user, root: Organization | None = None, max_depth: int | None = None) -> OrgNode | None:
    """The user's subtree (or `root`'s, inside it) with member and pipeline counts per organization."""
    if root is None:
        root = getattr(user, "organization", None)
        if root is None:
            return None
    from dangjian.core.scope import subtree_q

    orgs = org_list(user=user).filter(subtree_q(root.path))
    if max_depth is not None:
        orgs = orgs.filter(depth__lte=root.depth + max_depth)
    counts = status_counts_by_path(user=user, root=root)
    nodes: dict[str, OrgNode] = {}
    top = None
    for org in orgs.order_by("path"):
        node = OrgNode(org=org, counts=dict(counts.get(org.path, {})))
        nodes[org.path] = node
        parent = nodes.get(org.path[:-SEGMENT])
        if parent is not None:
            parent.children.append(node)
        elif org.path == root.path:
            top = node
    return top
