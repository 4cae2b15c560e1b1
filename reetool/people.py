"""A who's who of the corpus: each person with the titles and organizations the news gives them.

Roles (:mod:`reetool.roles`) are per document; here they are folded across documents.
People and organizations are merged as ``reetool entities`` merges them
(:class:`reetool.name_index.EntityIndex`: "Liu" joins "Liu Leiyun", "MP Materials Corp"
joins "MP Materials"), and titles are grouped by their normalised form ("CEO" and
"chief executive" are one title, "co-chairman" is not "chairman").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from reetool.document import Entity, Extraction
from reetool.name_index import EntityIndex, name_key
from reetool.roles import Titles, sentence_of

#: The keys of a ``reetool people`` record, in order (``evidence`` only with ``--explain``).
PEOPLE_COLUMNS = ("person", "titles", "organizations", "roles", "docs", "first_published", "last_published")


@dataclass(frozen=True, slots=True)
class RoleSeen:
    """One ROLE of one document, with what a who's who needs to date and explain it."""

    doc: str
    published: str | None
    role: Entity
    sentence: str


@dataclass(slots=True)
class Person:
    """One row of ``reetool people``."""

    person: str
    titles: dict[str, str] = field(default_factory=dict)  # title group -> first form written
    organizations: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    docs: set[str] = field(default_factory=set)
    dates: set[str] = field(default_factory=set)
    evidence: list[str] = field(default_factory=list)

    def record(self, explain: bool = False) -> dict[str, Any]:
        rec: dict[str, Any] = {
            "person": self.person,
            "titles": list(self.titles.values()),
            "organizations": self.organizations,
            "roles": self.roles,
            "docs": len(self.docs),
            "first_published": min(self.dates) if self.dates else None,
            "last_published": max(self.dates) if self.dates else None,
        }
        if explain:
            rec["evidence"] = self.evidence
        return rec


class PeopleIndex:
    """Collects roles and the names they point to, then folds them into people."""

    def __init__(self, names: EntityIndex, titles: Titles) -> None:
        self.names = names
        self.titles = titles
        self.seen: list[RoleSeen] = []

    def add(self, extraction: Extraction) -> None:
        """A document's roles, and its people and organizations for merging names."""
        self.names.add(extraction)
        d = extraction.document
        for e in extraction.entities:
            if e.label == "ROLE":
                sentence = sentence_of(d.text, e.start, e.end) if d.text else e.text
                self.seen.append(RoleSeen(d.doc, d.published, e, sentence))

    def add_roles(self, roles: Iterable[tuple[str, str | None, Entity, str]]) -> None:
        """Roles as the store gives them (:meth:`reetool.store.Store.roles`); their names
        are fed separately, from the store's name counts."""
        self.seen.extend(RoleSeen(*r) for r in roles)

    def people(self, org: str | None = None) -> list[Person]:
        """People with at least one role, most documents first; with ``org``, only those
        who hold a role at an organization of that name (or alias)."""
        merged = _merged_names(self.names)
        wanted = merged.get(("ORG", name_key(org)), org) if org else None
        by_person: dict[str, Person] = {}
        for seen in self.seen:
            r = seen.role
            name = merged.get(("PERSON", name_key(r.canonical)), r.canonical)
            org_name = merged.get(("ORG", name_key(r.org)), r.org) if r.org else None
            p = by_person.setdefault(name, Person(name))
            if r.title:
                p.titles.setdefault(self.titles.group(r.title), r.title)
            if org_name and org_name not in p.organizations:
                p.organizations.append(org_name)
            role = ", ".join(x for x in (r.title, org_name) if x)
            if role not in p.roles:
                p.roles.append(role)
            p.docs.add(seen.doc)
            if seen.published:
                p.dates.add(seen.published)
            p.evidence.append(f"{seen.doc}: {seen.sentence}")
        people = list(by_person.values())
        if wanted is not None:
            key = name_key(wanted)
            people = [p for p in people if any(name_key(o) == key for o in p.organizations)]
        people.sort(key=lambda p: (-len(p.docs), p.person.casefold()))
        return people


def _merged_names(index: EntityIndex) -> dict[tuple[str, str], str]:
    """(label, name key) of every name and alias -> the corpus canonical name."""
    out: dict[tuple[str, str], str] = {}
    for ent in index.entities():
        for name in (ent.canonical, *ent.aliases):
            out.setdefault((ent.label, name_key(name)), ent.canonical)
    return out
