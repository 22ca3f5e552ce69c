"""Scope: the one function that decides what a user may see (SECURITY.md B3).

A user sees the subtree of the organization he belongs to, and nothing else. A user without an
organization, an anonymous user and an inactive user see nothing. There is no exception, not even for
superusers. Subtrees are ranges of the materialized path: a path is a string of fixed-width 4-digit
segments ("0001" the root, "00010003" its third child…), so a subtree is `path >= P AND path < next(P)`,
one indexed range scan on any database and collation (digits only), no recursion.
"""

from __future__ import annotations

from django.db.models import Model, Q, QuerySet

SEGMENT = 4
MAX_CHILDREN = 10**SEGMENT - 2  # the last segment value is reserved so next_sibling_path never overflows


def segment(n: int) -> str:
    if not 1 <= n <= MAX_CHILDREN:
        raise ValueError(f"child number {n} out of range 1..{MAX_CHILDREN}")
    return f"{n:0{SEGMENT}d}"


def path_upper_bound(path: str) -> str:
    """The smallest path greater than every path of the subtree: the last segment plus one."""
    head, last = path[:-SEGMENT], int(path[-SEGMENT:])
    return head + f"{last + 1:0{SEGMENT}d}"


def subtree_q(path: str, field: str = "path") -> Q:
    return Q(**{f"{field}__gte": path, f"{field}__lt": path_upper_bound(path)})


def _user_path(user) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    if getattr(user, "role", "") == "dept_reviewer":
        return None  # a 联审 department reviewer is outside the org tree: his own pages read reviews.selectors
    org = getattr(user, "organization", None)
    return org.path if org is not None else None


def scope_q(user, field: str) -> Q:
    """The filter of everything `user` may see, on a model whose subtree path is in `field`."""
    path = _user_path(user)
    if path is None:
        return Q(pk__in=[])
    return subtree_q(path, field)


def visible_to(user, queryset: QuerySet | type[Model]) -> QuerySet:
    """Restrict a queryset (or a model's default manager) to the user's subtree.

    Every selector, view and API endpoint starts here. The model names its path field in
    `SCOPE_PATH_FIELD` ("path" for organizations, "org_path" for records that belong to one).
    """
    qs = queryset if isinstance(queryset, QuerySet) else queryset._default_manager.all()
    field = qs.model.SCOPE_PATH_FIELD
    if _user_path(user) is None:
        return qs.none()
    return qs.filter(scope_q(user, field))


def path_visible(user, path: str) -> bool:
    """Whether a record at `path` is inside the user's subtree (used by services before and after a write)."""
    own = _user_path(user)
    return own is not None and own <= path < path_upper_bound(own)
