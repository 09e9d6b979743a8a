"""Standup answers as data: blocker lines, carried-over blockers, the weekly update's
pre-filled values, the support queue's figures and the digest's layout.

A blocker is carried over when a line of today's answer says the same as a blocker of the
person's previous answer: equal once case, width, punctuation, Slack markup and filler
words (`still`, `again`, `还在`) are set aside, or at least CARRY_THRESHOLD similar
(rapidfuzz). It keeps the date it was first reported, so its age grows answer by answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeVar

from rapidfuzz import fuzz

from domain.availability import AWAY, PAUSED, SKIPPED
from domain.config import SEVERITIES
from domain.schedules import ANSWERED
from domain.text import has_cjk, normalize

T = TypeVar("T")
OUT_STATES = frozenset({SKIPPED, AWAY, PAUSED})
CARRY_THRESHOLD = 85.0

_BULLET = re.compile(
    r"^\s*(?:(?:[-*•·・▪◦‣>]+|\d{1,3}[.)](?=\s|$)|\d{1,3}、|[(（]\d{1,3}[)）])\s*)+"
)
# Slack markup: a mention or channel keeps its ID, a link its label (else its address);
# special mentions (<!here>) and emoji codes go.
_MARKUP = re.compile(r"<([@#!])([^>|]*)(?:\|[^>]*)?>|<([^>|]*)(?:\|([^>]*))?>|:[a-z0-9_+-]+:")
_REFERENCE = re.compile(r"<[@#]([A-Z0-9]+)")
_FILLER = frozenset(
    {"still", "again", "yet", "currently", "is", "are", "am", "the", "a", "an", "being", "also"}
)
_ZH_FILLER = re.compile(r"^(?:还在|仍在|仍然|依然|还是|目前|现在|依旧|还|仍)")
_NOTHING = frozenset(
    normalize(word)
    for word in (
        "none", "no", "nope", "nothing", "n/a", "na", "nil", "-", "no blockers", "no blocker",
        "nothing blocking", "not blocked", "all good",
        "无", "没有", "暂无", "无阻碍", "没有阻碍", "无阻塞", "没有阻塞", "没", "无。",
    )
)  # fmt: skip


def item_lines(text: str | None) -> list[str]:
    """The lines of an answer field, bullets and numbering removed, blank and 'none' lines
    dropped."""
    lines = []
    for raw in (text or "").splitlines():
        line = _BULLET.sub("", raw).strip()
        if line and normalize(line) not in _NOTHING:
            lines.append(line)
    return lines


def blocker_lines(text: str | None) -> list[str]:
    """The blockers in an answer's blocker field, one a line ('none', '无' mean none)."""
    return item_lines(text)


def fingerprint(line: str) -> str:
    """A blocker's comparable form: no case, punctuation, markup or filler words."""
    plain = _MARKUP.sub(_unmarked, line)
    words = [w for w in normalize(plain).split() if w not in _FILLER]
    return _ZH_FILLER.sub("", " ".join(words)).strip()


def _unmarked(match: re.Match[str]) -> str:
    sigil, ref, address, label = match.groups()
    if sigil:
        return " " if sigil == "!" else f" {ref} "
    return f" {label or address or ''} "


def similarity(a: str, b: str) -> float:
    """How alike two lines are (0–100), compared by fingerprint."""
    fa, fb = fingerprint(a), fingerprint(b)
    refs_a, refs_b = set(_REFERENCE.findall(a)), set(_REFERENCE.findall(b))
    if not fa or not fb or (refs_a and refs_b and refs_a != refs_b):
        return 0.0  # waiting on @dana is not waiting on @lee, however alike the rest
    if fa == fb:
        return 100.0
    if has_cjk(fa + fb):
        return float(fuzz.ratio(fa.replace(" ", ""), fb.replace(" ", "")))
    return float(max(fuzz.ratio(fa, fb), fuzz.token_sort_ratio(fa, fb)))


def same_blocker(a: str, b: str, threshold: float = CARRY_THRESHOLD) -> bool:
    """Whether two blocker lines say the same thing."""
    return similarity(a, b) >= threshold


@dataclass(frozen=True)
class Blocker:
    """A blocker line and the local date it was first reported."""

    text: str
    since: date

    def age_days(self, today: date) -> int:
        """Days since first reported (0 on its first day)."""
        return max((today - self.since).days, 0)

    def carried(self, today: date) -> bool:
        """Whether it was already reported before `today`."""
        return self.since < today


def blockers_to_json(blockers: Iterable[Blocker]) -> list[dict[str, str]]:
    """Blockers as stored with an answer: `[{"text": …, "since": "YYYY-MM-DD"}]`."""
    return [{"text": b.text, "since": b.since.isoformat()} for b in blockers]


def blockers_from_json(items: Iterable[Mapping[str, str]]) -> tuple[Blocker, ...]:
    """Stored blockers back as values (an entry without a readable date is skipped)."""
    found = []
    for item in items:
        try:
            found.append(Blocker(str(item["text"]), date.fromisoformat(str(item["since"]))))
        except (KeyError, ValueError):
            continue
    return tuple(found)


def carry_over(
    lines: Iterable[str],
    previous: Sequence[Blocker],
    today: date,
    threshold: float = CARRY_THRESHOLD,
) -> list[Blocker]:
    """Today's blocker lines, each dated from the previous answer's blocker it repeats
    (the most similar one, each used once), else from `today`."""
    unused = list(previous)
    found = []
    for line in lines:
        scored = [(similarity(line, old.text), index) for index, old in enumerate(unused)]
        best = max(scored, default=(0.0, -1))
        if best[0] >= threshold:
            found.append(Blocker(line, unused.pop(best[1]).since))
        else:
            found.append(Blocker(line, today))
    return found


def route_blockers(
    blockers: Sequence[Blocker], resolve: Callable[[str], T | None]
) -> list[tuple[Blocker, T | None]]:
    """Each blocker with what `resolve` makes of its text (a role or area, or None)."""
    return [(blocker, resolve(blocker.text)) for blocker in blockers]


def targets(routed: Iterable[tuple[Blocker, T | None]]) -> list[T]:
    """The distinct targets of routed blockers, first mention first (each told once)."""
    seen: list[T] = []
    for _, target in routed:
        if target is not None and target not in seen:
            seen.append(target)
    return seen


@dataclass(frozen=True)
class DayAnswer:
    """One standup answer of a person: what was done, what is planned, the blockers."""

    local_date: date
    done: str = ""
    planned: str = ""
    blockers: tuple[Blocker, ...] = ()


@dataclass(frozen=True)
class WeeklyPrefill:
    """The weekly progress modal's initial values, built from the week's standups."""

    done: tuple[str, ...] = ()
    planned: tuple[str, ...] = ()
    open_blockers: tuple[Blocker, ...] = ()
    resolved_blockers: tuple[Blocker, ...] = ()
    days_answered: int = 0


def progress_period(day: date) -> tuple[date, date]:
    """The 7 local days a weekly update on `day` covers, `day` included (first, last)."""
    return day - timedelta(days=6), day


def weekly_prefill(answers: Iterable[DayAnswer]) -> WeeklyPrefill:
    """Done: every item of the week once, in order. Planned: the latest answer's plan.
    Open blockers: the latest answer's. Resolved: earlier blockers it no longer lists."""
    week = sorted(answers, key=lambda a: a.local_date)
    if not week:
        return WeeklyPrefill()
    done: list[str] = []
    for answer in week:
        for line in item_lines(answer.done):
            if not any(same_blocker(line, seen) for seen in done):
                done.append(line)
    latest = week[-1]
    resolved: list[Blocker] = []
    for answer in week[:-1]:
        for blocker in answer.blockers:
            still_open = any(same_blocker(blocker.text, b.text) for b in latest.blockers)
            known = any(same_blocker(blocker.text, b.text) for b in resolved)
            if not still_open and not known:
                resolved.append(blocker)
    return WeeklyPrefill(
        done=tuple(done),
        planned=tuple(item_lines(latest.planned)),
        open_blockers=latest.blockers,
        resolved_blockers=tuple(resolved),
        days_answered=len({a.local_date for a in week}),
    )


def bullets(lines: Iterable[str]) -> str:
    """Lines as a plain-text bullet list for a modal's initial value."""
    return "\n".join(f"• {line}" for line in lines)


Message = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class QueueFigures:
    """The support queue over a week: filed and resolved in it, open at its end."""

    filed: int
    resolved: int
    open: int
    oldest_open_days: int | None = None
    open_by_severity: Mapping[str, int] = field(default_factory=dict)


def queue_summary(figures: QueueFigures) -> list[Message]:
    """The figures as message keys and parameters, in reading order: the caller renders
    each with `t(lang, key, **params)` and joins them (the `{queue_summary}` of customer
    support's weekly question)."""
    parts: list[Message] = [
        ("standup.queue.filed", {"count": figures.filed}),
        ("standup.queue.resolved", {"count": figures.resolved}),
        ("standup.queue.open", {"count": figures.open}),
    ]
    if figures.open and figures.oldest_open_days is not None:
        parts.append(("standup.queue.oldest", {"count": figures.oldest_open_days}))
    for severity in SEVERITIES:  # each has its message: standup.queue.urgent, …
        count = figures.open_by_severity.get(severity, 0)
        if count:
            parts.append((f"standup.queue.{severity}", {"count": count}))
    return parts


@dataclass(frozen=True)
class DigestEntry:
    """One participant of an occurrence, as the digest sees them."""

    user_id: str
    roles: tuple[str, ...]
    state: str  # an occurrence state (domain.schedules), or an absence reason
    blockers: tuple[Blocker, ...] = ()


@dataclass(frozen=True)
class DigestLayout:
    """The digest's order: who is blocked, answers by role, who is out, who did not answer."""

    blocked: tuple[DigestEntry, ...]
    by_role: tuple[tuple[str, tuple[DigestEntry, ...]], ...]
    out: tuple[DigestEntry, ...]
    waiting: tuple[DigestEntry, ...]


def digest_layout(entries: Iterable[DigestEntry], role_order: Sequence[str]) -> DigestLayout:
    """Group an occurrence's participants for its digest; each answer sits under its first
    role in `role_order` (roles not in it come last, by key)."""
    rank = {key: index for index, key in enumerate(role_order)}
    answered, out, waiting = [], [], []
    for entry in entries:
        if entry.state == ANSWERED:
            answered.append(entry)
        elif entry.state in OUT_STATES:
            out.append(entry)
        else:
            waiting.append(entry)

    def home(entry: DigestEntry) -> str:
        return min(entry.roles, key=lambda r: (rank.get(r, len(rank)), r), default="")

    groups: dict[str, list[DigestEntry]] = {}
    for entry in sorted(answered, key=lambda e: (rank.get(home(e), len(rank)), home(e))):
        groups.setdefault(home(entry), []).append(entry)
    return DigestLayout(
        blocked=tuple(e for e in answered if e.blockers),
        by_role=tuple((role, tuple(group)) for role, group in groups.items()),
        out=tuple(out),
        waiting=tuple(waiting),
    )
