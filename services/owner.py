"""`/owner` use cases: who owns a topic, every area's owners, overrides, new areas, gaps."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from domain.catalog import Area, Catalog, Role
from domain.errors import Conflict, NotFound, UsageError
from domain.matching import ALIAS, EXACT, MatchResult, is_topic, match_topic
from domain.parsing import check_text
from domain.routing import Routing, route
from domain.text import normalize
from services.roles import find_role, workspace_catalog
from storage import areas as area_store
from storage import roles as role_store
from storage.models import UnmatchedQuery
from storage.profiles import get_profiles

USAGE = "owner.usage"
AREA_NAME_LIMIT = 100  # a topic's name, as lists and answers show it


@dataclass(frozen=True)
class Person:
    """Someone named in an answer, and the last day they are away (if away)."""

    user_id: str
    away_until: date | None = None


@dataclass(frozen=True)
class Contributor:
    """A contributing role, by the rule every path follows: its holders still here (present
    ones first, away ones marked) and whom it routes to (the backup standing in when no
    holder is here; who is away, the backup too, when nobody is)."""

    role: Role
    holders: tuple[Person, ...]
    routing: Routing


@dataclass(frozen=True)
class AreaAnswer:
    """Who to ask about one area, in the order to ask them."""

    area: Area
    role: Role
    owners: tuple[Person, ...]
    override: bool
    backup_first: bool
    vacated: tuple[str, ...]
    contributors: tuple[Contributor, ...]
    # Whom something routed to the role reaches (domain.routing: the one rule).
    routing: Routing
    # The person set with `/owner set` whose account is deactivated: the holders answer
    # meanwhile, and the answer says the override needs replacing.
    stale_override: str | None = None

    @property
    def why(self) -> str | None:
        """Why no holder is asked while the backup stands in (domain.routing.WHYS)."""
        return self.routing.why if self.backup_first else None

    @property
    def holders(self) -> tuple[Person, ...]:
        """The role's holders named by the answer (never the backup standing in)."""
        return self.owners[1:] if self.backup_first else self.owners


@dataclass(frozen=True)
class TopicAnswer:
    """The match and the answer for each matched area."""

    match: MatchResult
    answers: tuple[AreaAnswer, ...]
    # The question named a role rather than an area ("/owner tech lead"): its areas are
    # the answers, and `people` says who answers for it (for a role that owns no area).
    role: Role | None = None
    people: AreaAnswer | None = None


def answer_topic(
    session: Session, team_id: str, base: Catalog, query: str, day: date, at: datetime
) -> TopicAnswer:
    """Answer `/owner <topic>`; a question that matched nothing is counted for gaps."""
    if not is_topic(query):
        raise UsageError("owner.junk", usage=USAGE, topic=query[:100])
    catalog = workspace_catalog(session, team_id, base)
    match, role = read_topic(catalog, query)
    if role is not None:
        owned = [a for a in catalog.areas.values() if a.owner == role.key]
        answers = answers_for(session, team_id, catalog, owned, day)
        people = answers_for(session, team_id, catalog, [_role_probe(role)], day)[0]
        return TopicAnswer(match, tuple(answers), role, people)
    if not match.hits:
        area_store.record_unmatched(session, team_id, normalize(query), query.strip(), at)
    answers = answers_for(session, team_id, catalog, [h.area for h in match.hits], day)
    return TopicAnswer(match, tuple(answers))


def read_topic(catalog: Catalog, query: str) -> tuple[MatchResult, Role | None]:
    """What a text names, read as `/owner` reads a question: the areas it matches, or else
    the role it names (a standup blocker is routed the same way)."""
    match = match_topic(query, catalog.areas.values(), catalog.roles.values())
    return match, match.role


def _role_probe(role: Role) -> Area:
    """A stand-in area owned by `role`, to reuse the holder rules (away, backup, deactivated)."""
    return Area(key=f"role:{role.key}", name_en=role.name_en, name_zh=role.name_zh, owner=role.key)


def answer_area(
    session: Session, team_id: str, base: Catalog, area_key: str, day: date
) -> AreaAnswer:
    """The answer for one area by key (the share button)."""
    catalog = workspace_catalog(session, team_id, base)
    area = catalog.areas.get(area_key)
    if area is None:
        raise NotFound("owner.no_area", topic=area_key)
    return answers_for(session, team_id, catalog, [area], day)[0]


def answers_for(
    session: Session, team_id: str, catalog: Catalog, areas: list[Area], day: date
) -> list[AreaAnswer]:
    """Answers for several areas from five queries, whatever their number."""
    keys = {k for a in areas for k in (a.owner, *a.contributors) if k in catalog.roles}
    held = role_store.holders_by_role(session, team_id, keys)
    backup = role_store.backups(session, team_id, keys)
    override = area_store.overrides(session, team_id)
    people = {u for us in held.values() for u in us} | set(backup.values())
    people |= {override[a.key] for a in areas if a.key in override}
    away = role_store.absences(session, team_id, day, people)
    gone = {u for u, p in get_profiles(session, team_id, people).items() if p.deleted}
    facts = _Facts(held, backup, override, away, gone)
    return [facts.answer(catalog, area) for area in areas if area.owner in catalog.roles]


@dataclass(frozen=True)
class _Facts:
    held: dict[str, list[str]]
    backup: dict[str, str]
    override: dict[str, str]
    away: dict[str, date]
    gone: set[str]

    def people(self, role_key: str) -> tuple[Person, ...]:
        """Holders still here, present ones first (an away holder is named after them)."""
        here = [
            Person(u, self.away.get(u)) for u in self.held.get(role_key, []) if u not in self.gone
        ]
        return tuple(sorted(here, key=lambda p: p.away_until is not None))

    def routing(self, role_key: str) -> Routing:
        """Who is told about something routed to the role (the one rule)."""
        held = self.held.get(role_key, [])
        return route(role_key, held, self.backup.get(role_key), self.away, self.gone)

    def answer(self, catalog: Catalog, area: Area) -> AreaAnswer:
        role = catalog.roles[area.owner]
        holders = self.people(role.key)
        vacated = tuple(u for u in self.held.get(role.key, []) if u in self.gone)
        chosen = self.override.get(area.key)
        routing = self.routing(role.key)
        owners, is_override, backup_first = holders, False, False
        if chosen and chosen not in self.gone:
            owners, is_override = (Person(chosen, self.away.get(chosen)),), True
        elif routing.backup:
            # No holder can be asked (away, or none): the backup stands in, asked first.
            rest = tuple(p for p in holders if p.user_id not in routing.people)
            owners, backup_first = (*(Person(u) for u in routing.people), *rest), True
        contributors = tuple(
            Contributor(catalog.roles[k], self.people(k), self.routing(k))
            for k in area.contributors
            if k in catalog.roles
        )
        stale = chosen if chosen and chosen in self.gone else None
        return AreaAnswer(
            area, role, owners, is_override, backup_first, vacated, contributors, routing, stale
        )


def list_areas(session: Session, team_id: str, base: Catalog, day: date) -> list[AreaAnswer]:
    """Every area's answer, in catalogue order (grouped by role by the caller)."""
    catalog = workspace_catalog(session, team_id, base)
    return answers_for(session, team_id, catalog, list(catalog.areas.values()), day)


def resolve_area(catalog: Catalog, topic: str) -> Area:
    """The one area a topic names, or a clear error."""
    if not is_topic(topic):
        raise UsageError("owner.junk", usage=USAGE, topic=topic[:100])
    match = match_topic(topic, catalog.areas.values())
    if match.best is not None:
        return match.best.area
    if match.hits:
        areas = tuple(h.area for h in match.hits)
        raise Conflict("owner.ambiguous", usage=USAGE, topic=topic, areas=areas)
    raise NotFound("owner.no_area", usage=USAGE, topic=topic)


def set_owner(
    session: Session,
    team_id: str,
    base: Catalog,
    actor: str,
    topic: str,
    user: str | None,
    at: datetime,
) -> Area:
    """Name a person owner of an area (None: back to the role holders)."""
    area = resolve_area(workspace_catalog(session, team_id, base), topic)
    if user is None and area.key not in area_store.overrides(session, team_id):
        raise NotFound("owner.unset.none", usage=USAGE, area=area)
    area_store.set_override(session, team_id, area.key, user)
    role_store.add_event(
        session,
        team_id,
        "owner_set" if user else "owner_unset",
        actor,
        at,
        role_key=area.owner,
        subject_id=user,
        detail={"area": area.key},
    )
    return area


def area_key(topic: str) -> str:
    """A key for a new area, from its topic ('Data Platform' → 'data-platform')."""
    key = re.sub(r"[^0-9a-z\u3400-\u9fff]+", "-", normalize(topic)).strip("-")
    return key[:64]


def add_area(
    session: Session,
    team_id: str,
    base: Catalog,
    actor: str,
    topic: str,
    role_text: str,
    at: datetime,
) -> tuple[Area, Role]:
    """Add an area owned by a role; refuses a topic an area already has as a name."""
    catalog = workspace_catalog(session, team_id, base)
    check_text(topic.strip(), usage=USAGE, limit=AREA_NAME_LIMIT, key="owner.add.too_long")
    key = area_key(topic)
    if not is_topic(topic) or not key:
        raise UsageError("owner.junk", usage=USAGE, topic=topic[:100])
    role = find_role(catalog, role_text, USAGE)
    same = [h for h in match_topic(topic, catalog.areas.values()).hits if h.kind in (EXACT, ALIAS)]
    if key in catalog.areas or same:
        existing = catalog.areas.get(key) or same[0].area
        raise Conflict("owner.add.exists", topic=topic, area=existing)
    area_store.add_custom_area(session, team_id, key, topic.strip(), role.key, actor, at)
    area_store.forget_unmatched(session, team_id, normalize(topic))
    role_store.add_event(
        session, team_id, "area_add", actor, at, role_key=role.key, detail={"area": key}
    )
    area = Area(key=key, name_en=topic.strip(), name_zh=topic.strip(), owner=role.key, custom=True)
    return area, role


def gaps(session: Session, team_id: str, limit: int = 15) -> list[UnmatchedQuery]:
    """The most asked questions that matched nothing."""
    return area_store.top_unmatched(session, team_id, limit)


def vacancies(answers: Iterable[AreaAnswer]) -> set[tuple[str, str]]:
    """(role key, user) for each deactivated holder named by the answers' roles."""
    return {(a.role.key, u) for a in answers for u in a.vacated}


def owners_of(
    session: Session, team_id: str, catalog: Catalog, target: Area | Role, day: date
) -> AreaAnswer | None:
    """Who answers for an area or a role on `day`, by `/owner`'s rules (override, holders
    present first, the backup first when no holder is here, deactivated people out: the
    rule of domain.routing, kept in `routing`); None for an area whose role is gone from
    the catalogue."""
    area = target if isinstance(target, Area) else _role_probe(target)
    found = answers_for(session, team_id, catalog, [area], day)
    return found[0] if found else None
