"""Role-aware blockers: each blocker line read as `/owner` reads a question, routed to the
role or area it names and so to the people who answer for it now, and carried over (with
its first day) when it repeats the person's previous answer.

Who is told: an override set with `/owner set` when they are here, else whom the role
routes to by the rule every path follows (domain.routing: the holders here, else the backup
standing in). Someone away is not told, and neither is the person who is blocked. Each
person is told once per blocker: the notice's key stays the same while the blocker is
carried over day after day. When the rule finds nobody to tell, the route keeps why (and
who is away until when), and the person who is blocked is told so, once per blocker too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from domain.catalog import Area, Catalog, Role
from domain.routing import WHYS, Absent, Routing
from domain.standup import (
    CARRY_THRESHOLD,
    Blocker,
    blockers_from_json,
    carry_over,
    fingerprint,
    similarity,
)
from services.owner import owners_of, read_topic

AREA, ROLE = "area", "role"


@dataclass(frozen=True)
class Route:
    """Where a blocker points: an area or a role, its owning role, and who answers for it."""

    kind: str  # AREA or ROLE
    key: str  # the area's or the role's key
    role: str  # the owning role's key
    people: tuple[str, ...]  # mentioned on the line and told by DM (may be empty)
    backup: bool = False  # the role's backup stands in: every holder is away
    # When the rule finds nobody to tell: why (domain.routing.WHYS), the first day a holder
    # is back, and who is away until when. Rows stored before these fields read as None.
    why: str | None = None
    back_on: date | None = None
    absent: tuple[Absent, ...] = ()

    @property
    def nobody(self) -> bool:
        """Whether the rule found nobody to tell (not: the only one to tell is the blocked)."""
        return self.why is not None and not self.people

    def routing(self) -> Routing:
        """The rule's answer again, as the routing texts read it."""
        return Routing(self.role, (), False, self.why, self.back_on, self.absent)


@dataclass(frozen=True)
class RoutedBlocker:
    """A blocker line of an answer: its text, first day, stable id and route (if any)."""

    id: str
    text: str
    since: date
    route: Route | None = None

    def age_days(self, today: date) -> int:
        """Days since first reported (0 on its first day)."""
        return max((today - self.since).days, 0)

    def carried(self, today: date) -> bool:
        """Whether it was already reported before `today`."""
        return self.since < today


def _new_id(text: str, since: date) -> str:
    digest = hashlib.sha1(fingerprint(text).encode("utf-8")).hexdigest()[:10]
    return f"{since.isoformat()}-{digest}"


def _target(catalog: Catalog, line: str) -> Area | Role | None:
    match, role = read_topic(catalog, line)
    if match.best is not None:
        return match.best.area
    owners = {hit.area.owner for hit in match.hits}
    if len(owners) == 1:
        return match.hits[0].area  # several areas of one role: that role answers either way
    return role


def route_line(
    session: Session, team_id: str, catalog: Catalog, line: str, blocked: str, day: date
) -> Route | None:
    """The route of one blocker line on local date `day`, or None when it names no single
    role or area."""
    target = _target(catalog, line)
    if target is None:
        return None
    answer = owners_of(session, team_id, catalog, target, day)
    if answer is None:
        return None
    kind = AREA if isinstance(target, Area) else ROLE
    # The area's own owner when here; an owner away leaves it to the role's rule below.
    if answer.override and all(p.away_until is None for p in answer.owners):
        people = tuple(p.user_id for p in answer.owners if p.user_id != blocked)
        return Route(kind, target.key, answer.role.key, people)
    routing = answer.routing  # the role's rule: its holders here, else its backup
    if not routing.nobody:
        return Route(kind, target.key, answer.role.key, routing.without(blocked), routing.backup)
    return Route(
        kind, target.key, answer.role.key, (), False, routing.why, routing.back_on, routing.absent
    )


def read_blockers(
    session: Session,
    team_id: str,
    catalog: Catalog,
    lines: Sequence[str],
    previous: Sequence[RoutedBlocker],
    blocked: str,
    day: date,
    editing: Sequence[RoutedBlocker] = (),
) -> list[RoutedBlocker]:
    """Today's blocker lines, each dated from the previous answer's blocker it repeats,
    identified like the blocker it repeats (of the previous answer, or of the answer being
    edited), and routed."""
    dated = carry_over(lines, [Blocker(b.text, b.since) for b in previous], day)
    known = [*previous, *editing]
    found = []
    for blocker in dated:
        found.append(
            RoutedBlocker(
                _inherited_id(blocker, known) or _new_id(blocker.text, blocker.since),
                blocker.text,
                blocker.since,
                route_line(session, team_id, catalog, blocker.text, blocked, day),
            )
        )
    return found


def _inherited_id(blocker: Blocker, known: Sequence[RoutedBlocker]) -> str | None:
    scored = [(similarity(b.text, blocker.text), b.id) for b in known if b.since == blocker.since]
    best = max(scored, default=(0.0, ""))
    return best[1] if best[0] >= CARRY_THRESHOLD else None


def to_json(blockers: Iterable[RoutedBlocker]) -> list[dict[str, Any]]:
    """Blockers as stored with an answer (`text` and `since` as storage.models documents,
    plus `id` and `route`)."""
    stored = []
    for b in blockers:
        entry: dict[str, Any] = {"text": b.text, "since": b.since.isoformat(), "id": b.id}
        if b.route is not None:
            r = b.route
            entry["route"] = {
                "kind": r.kind,
                "key": r.key,
                "role": r.role,
                "people": list(r.people),
                "backup": r.backup,
            }
            if r.nobody:
                entry["route"] |= {
                    "why": r.why,
                    "back_on": r.back_on.isoformat() if r.back_on else None,
                    "absent": [
                        {"user": a.user_id, "until": a.until.isoformat(), "backup": a.backup}
                        for a in r.absent
                    ],
                }
        stored.append(entry)
    return stored


def from_json(items: Iterable[Mapping[str, Any]]) -> tuple[RoutedBlocker, ...]:
    """Stored blockers back as values (entries without text or a readable day skipped)."""
    found = []
    for item in items:
        dated = blockers_from_json([item])
        if not dated:
            continue
        route = item.get("route")
        found.append(
            RoutedBlocker(
                str(item.get("id") or _new_id(dated[0].text, dated[0].since)),
                dated[0].text,
                dated[0].since,
                _route(route) if isinstance(route, Mapping) else None,
            )
        )
    return tuple(found)


def _route(data: Mapping[str, Any]) -> Route | None:
    try:
        why = data.get("why")
        return Route(
            str(data["kind"]),
            str(data["key"]),
            str(data["role"]),
            tuple(str(p) for p in data.get("people", ())),
            bool(data.get("backup", False)),
            str(why) if why in WHYS else None,
            date.fromisoformat(data["back_on"]) if data.get("back_on") else None,
            tuple(
                Absent(str(a["user"]), date.fromisoformat(a["until"]), bool(a.get("backup")))
                for a in data.get("absent", ())
            ),
        )
    except (KeyError, TypeError, ValueError):
        return None


@dataclass(frozen=True)
class BlockerNotice:
    """A DM telling one person they are named on someone's blocker (once per blocker)."""

    key: str
    team_id: str
    to_user: str
    blocked_user: str
    blocker: RoutedBlocker
    schedule_id: int
    local_date: date
    nobody: bool = False  # to the blocked person: the rule found nobody to tell


def notices(
    team_id: str, blocked: str, schedule_id: int, day: date, blockers: Iterable[RoutedBlocker]
) -> list[BlockerNotice]:
    """One notice per routed person per blocker, or one to the blocked person when nobody can
    be told; the key holds the blocker's id, so a carried blocker or an edited answer tells
    nobody twice."""
    found = []
    for blocker in blockers:
        if blocker.route is not None and blocker.route.nobody:
            key = f"blocker:{blocked}:{blocker.id}:nobody"
            found.append(
                BlockerNotice(key, team_id, blocked, blocked, blocker, schedule_id, day, True)
            )
        for to_user in blocker.route.people if blocker.route else ():
            key = f"blocker:{blocked}:{blocker.id}:{to_user}"
            found.append(BlockerNotice(key, team_id, to_user, blocked, blocker, schedule_id, day))
    return found
