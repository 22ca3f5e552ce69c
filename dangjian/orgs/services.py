"""Writes to organizations and users. Each is one transaction and writes its own audit row."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Max

from dangjian.core import clock
from dangjian.core.audit import Actor, audit_log
from dangjian.core.errors import NotAllowed, OutOfScope, field_error
from dangjian.core.scope import path_visible, segment
from dangjian.orgs.models import Organization, OrgKind, Role, User


def org_snapshot(org: Organization) -> dict:
    return {"code": org.code, "name": org.name, "kind": org.kind, "place_type": org.place_type,
            "parent": org.parent.code if org.parent_id else None, "has_branch_committee": org.has_branch_committee,
            "can_approve": org.can_approve}


def _next_child_path(parent: Organization | None) -> str:
    if parent is None:
        last = Organization.objects.filter(depth=0).aggregate(m=Max("path"))["m"]
        return segment(int(last) + 1 if last else 1)
    last = Organization.objects.filter(parent=parent).aggregate(m=Max("path"))["m"]
    n = int(last[-4:]) + 1 if last else 1
    return parent.path + segment(n)


@transaction.atomic
def org_create(*, actor: Actor | None, code: str, name: str, kind: str, parent: Organization | None = None,
               place_type: str = "", has_branch_committee: bool = False, can_approve: bool | None = None,
               check_scope: bool = True) -> Organization:
    """Create an organization under `parent` (inside the actor's subtree unless check_scope is off: CLI set-up)."""
    if check_scope:
        user = actor.user if actor else None
        if parent is None or not path_visible(user, parent.path):
            raise OutOfScope()
        if not user.can_write:
            raise NotAllowed("只读用户不能新建组织")
    if Organization.objects.filter(code=code).exists():
        raise field_error("code", f"组织代码 {code} 已存在")
    if kind not in OrgKind.values:
        raise field_error("kind", "组织类别无效")
    if can_approve is None:
        # A 乡镇党委 may approve admissions; a 村党委 (primary committee under a township) by default may not.
        can_approve = kind in {OrgKind.COUNTY, OrgKind.TOWNSHIP}
    org = Organization(code=code, name=name, kind=kind, parent=parent, place_type=place_type,
                       has_branch_committee=has_branch_committee, can_approve=can_approve,
                       path=_next_child_path(parent), depth=0 if parent is None else parent.depth + 1)
    org.full_clean()
    org.save()
    audit_log(actor=actor, action="org.create", obj_type="organization", obj_id=org.code, after=org_snapshot(org))
    return org


@transaction.atomic
def user_create(*, actor: Actor | None, username: str, password: str, organization: Organization | None,
                role: str, full_name: str = "", must_change_password: bool = True,
                validate_password: bool = True, password_hash: str | None = None) -> User:
    """Create a user. The password obeys SECURITY.md A1 (validators in settings)."""
    from django.contrib.auth.password_validation import validate_password as _validate

    if User.objects.filter(username=username).exists():
        raise field_error("username", f"用户名 {username} 已存在")
    if role not in Role.values:
        raise field_error("role", "角色无效")
    user = User(username=username, organization=organization, role=role, full_name=full_name,
                must_change_password=must_change_password, password_changed_at=clock.now())
    if validate_password:
        _validate(password, user)
    # A precomputed hash of the same (validated) password lets bulk set-up hash once, not per user.
    user.password = password_hash or make_password(password)
    user.full_clean()
    user.save()
    user.password_history.create(password=user.password)
    audit_log(actor=actor, action="user.create", obj_type="user", obj_id=user.username,
              after={"username": username, "role": role, "organization": organization.code if organization else None})
    return user


@transaction.atomic
def user_set_password(*, actor: Actor | None, user: User, password: str) -> None:
    from django.contrib.auth.password_validation import validate_password as _validate

    _validate(password, user)
    user.set_password(password)
    user.password_changed_at = clock.now()
    user.must_change_password = False
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    user.password_history.create(password=user.password)
    audit_log(actor=actor, action="user.password_change", obj_type="user", obj_id=user.username)
