"""Who is told when something is routed to a role — the one rule every path follows
(`/owner`, escalation, feedback to the product managers, vacancy notices, blockers).

The holders who are here (not away, account not deactivated) are told. When none is, the
role's backup stands in, if they are here. Otherwise nobody can be told: `why` says what
kept the holders from it, and `absent` who is away (the holders, then the backup) and until
when, so the person who acted can be told who is back first.
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
class Absent:
    """Someone who would be told but is away, until `until` (their last day away)."""

    user_id: str
    until: date
    backup: bool = False  # the role's backup, not a holder

    @property
    def back_on(self) -> date:
        """The first day they are back."""
        return self.until + timedelta(days=1)


@dataclass(frozen=True)
class Routing:
    """Who to tell about something routed to `role_key`, and in what capacity."""

    role_key: str
    people: tuple[str, ...] = ()  # who to tell, in order (empty: nobody can be)
    backup: bool = False  # `people` is the role's backup, standing in for its holders
    why: str | None = None  # why no holder is told (one of WHYS); None when holders are
    back_on: date | None = None  # with AWAY: the first day a holder is back
    # When nobody can be told: who is away, holders first, then the backup when away too.
    absent: tuple[Absent, ...] = ()

    @property
    def nobody(self) -> bool:
        """Whether nobody can be told."""
        return not self.people

    def without(self, user_id: str) -> tuple[str, ...]:
        """Who to tell besides `user_id` (the person who acted needs no news of it)."""
        return tuple(u for u in self.people if u != user_id)

    @property
    def backup_away(self) -> Absent | None:
        """The backup, when nobody can be told and the backup is away too."""
        return next((a for a in self.absent if a.backup), None)

    @property
    def first_back(self) -> Absent | None:
        """Of the people away, whoever is back first (a holder before the backup)."""
        return min(self.absent, key=lambda a: a.until, default=None)


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
    absent = sorted((Absent(u, away[u]) for u in here), key=lambda a: a.until)
    if backup and backup not in gone and backup in away and backup not in here:
        absent.append(Absent(backup, away[backup], backup=True))
    return Routing(role_key, (), False, why, back, tuple(absent))
