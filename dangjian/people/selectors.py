"""Reads of the person registry. Each starts from `visible_to(user)`; reads of personal data are audited."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from dangjian.core import crypto
from dangjian.core.audit import Actor, audit_log
from dangjian.core.errors import NotAllowed, OutOfScope
from dangjian.core.scope import subtree_q, visible_to
from dangjian.orgs.models import Organization
from dangjian.people import idnumber
from dangjian.people.models import Person


@dataclass(frozen=True)
class PersonFilter:
    q: str = ""
    org: str = ""  # organization code: restrict to its subtree (itself inside the user's scope)
    party_status: str = ""
    gender: str = ""
    education: str = ""
    household_type: str = ""
    occupation: str = ""

    def as_detail(self) -> dict:
        # The query may be a full ID number: the audit keeps only its masked form (scrub does it too).
        return {k: v for k, v in self.__dict__.items() if v}


def _search_q(q: str) -> Q:
    q = q.strip()
    number = idnumber.normalize(q)
    if len(number) == 18 and number[:17].isdigit():
        return Q(id_number_hash=crypto.blind_index(number))
    if q.isascii() and q.isalpha():
        key = q.lower()
        return (Q(name_initials__startswith=key) | Q(name_initials__contains=" " + key)
                | Q(name_pinyin__startswith=key) | Q(name_pinyin__contains=" " + key))
    return Q(name__contains=q)


def person_queryset(*, user) -> QuerySet[Person]:
    return visible_to(user, Person).select_related("organization")


def person_list(*, user, filters: PersonFilter) -> QuerySet[Person]:
    """People in the user's subtree matching the filters, ordered by organization then id."""
    qs = person_queryset(user=user)
    if filters.org:
        org = visible_to(user, Organization).filter(code=filters.org).first()
        if org is None:
            return qs.none()
        qs = qs.filter(subtree_q(org.path, "org_path"))
    if filters.q:
        qs = qs.filter(_search_q(filters.q))
    for name in ("party_status", "gender", "education", "household_type"):
        value = getattr(filters, name)
        if value:
            qs = qs.filter(**{name: value})
    if filters.occupation:
        qs = qs.filter(occupations__contains=f" {filters.occupation} ")
    return qs.order_by("org_path", "id")


def audit_person_search(*, actor: Actor, filters: PersonFilter, page: int, shown: int, channel: str) -> None:
    audit_log(actor=actor, action="person.search", obj_type="person",
              detail={"filters": filters.as_detail(), "page": page, "shown": shown, "channel": channel})


def person_detail(*, actor: Actor, person_id: int, channel: str = "web") -> Person:
    """One person, in scope or 404; the view is audited."""
    person = person_queryset(user=actor.user).filter(pk=person_id).first()
    if person is None:
        raise OutOfScope()
    audit_log(actor=actor, action="person.view", obj_type="person", obj_id=person.pk, detail={"channel": channel})
    return person


def person_reveal_id(*, actor: Actor, person_id: int) -> str:
    """The full ID number, for a user whose role may see it and who asked; audited."""
    person = person_queryset(user=actor.user).filter(pk=person_id).first()
    if person is None:
        raise OutOfScope()
    if not actor.user.can_reveal_id:
        raise NotAllowed("您的角色不能查看完整的公民身份号码")
    audit_log(actor=actor, action="person.reveal_id", obj_type="person", obj_id=person.pk)
    return crypto.decrypt(person.id_number_enc)
