"""Who is told when something is routed to a role — the one rule every path follows
(`/owner`, escalation, feedback to the product managers, vacancy notices, blockers).

The holders who are here (not away, account not deactivated) are told. When none is, the
role's backup stands in, if they are here. Otherwise nobody can be told, and `why` says
what kept the holders from it, so the person who acted can be told instead.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

# Why the holders cannot be told (the backup stands in, or nobody is told).
NO_HOLDER = "no_holder"  # nobody holds the role
AWAY = "away"  # every holder still here is away
VACATED = "vacated"  # every holder's account is deactivated
WHYS = (NO_HOLDER, AWAY, VACATED)


@dataclass(frozen=True)
class Routing:
    """Who to tell about something routed to `role_key`, and in what capacity."""

    role_key: str
    people: tuple[str, ...] = ()  # who to tell, in order (empty: nobody can be)
    backup: bool = False  # `people` is the role's backup, standing in for its holders
    why: str | None = None  # why no holder is told (one of WHYS); None when holders are
    back_on: date | None = None  # with AWAY: the first day a holder is back

    @property
    def nobody(self) -> bool:
        """Whether nobody can be told."""
        return not self.people

    def without(self, user_id: str) -> tuple[str, ...]:
        """Who to tell besides `user_id` (the person who acted needs no news of it)."""
        return tuple(u for u in self.people if u != user_id)


def route(
    role_key: str,
    holders: Sequence[str],
    backup: str | None,
    away: Mapping[str, date],
    gone: Collection[str],
) -> Routing:
    """Apply the rule to one role's facts: its holders in assignment order, its backup, who
    is away (until when) and whose account is deactivated."""
    here = [u for u in holders if u not in gone]
    present = tuple(u for u in here if u not in away)
    if present:
        return Routing(role_key, present)
    why = AWAY if here else VACATED if holders else NO_HOLDER
    last = min((away[u] for u in here), default=None)
    back = last + timedelta(days=1) if last else None
    if backup and backup not in gone and backup not in away:
        return Routing(role_key, (backup,), True, why, back)
    return Routing(role_key, (), False, why, back)
