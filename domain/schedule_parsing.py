"""Command text of `/standup schedule` and `/progress schedule`: days, times, windows.

`<days>`: `daily`, `weekdays`, `weekends`, `mon-fri` (ranges wrap: `fri-mon`), `mon,wed,fri`,
full names, and Chinese forms: `每天`, `工作日`, `周末`, `周一至周五`, `周一,周三`, `周一三五`.
A weekly `<day>`: `fri`, `friday`, `周五`, `星期五`. Times: `09:30`, `9:30` (24-hour).
Windows: `4h`, `90m`, `1h30m`, `1.5h`, `4小时`, `90分钟` (15 min to 24 h; a week for progress).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import time

from domain.errors import UsageError
from domain.parsing import parse_channel
from domain.schedules import (
    ALL_DAYS,
    DAY_KEYS,
    DEFAULT_WINDOW,
    MAX_WINDOW,
    MIN_WINDOW,
    PROGRESS,
    STANDUP,
    WORKWEEK,
    Schedule,
)

_EN_DAYS = (
    ("mon", "monday"),
    ("tue", "tues", "tuesday"),
    ("wed", "weds", "wednesday"),
    ("thu", "thur", "thurs", "thursday"),
    ("fri", "friday"),
    ("sat", "saturday"),
    ("sun", "sunday"),
)
_ZH_NUMERALS = "一二三四五六日"
_ZH_PREFIXES = ("周", "星期", "礼拜")
_GROUPS = {
    ALL_DAYS: ("daily", "everyday", "every day", "每天", "每日", "天天"),
    WORKWEEK: ("weekdays", "weekday", "workdays", "工作日", "每个工作日"),
    frozenset({5, 6}): ("weekends", "weekend", "周末"),
}
_LIST = re.compile(r"[,，、;；/\s]+")
_RANGE = re.compile(r"\s*(?:-|–|—|~|～|至|到)\s*")
_ZH_RUN = re.compile(rf"^(?:{'|'.join(_ZH_PREFIXES)})([{_ZH_NUMERALS}天]{{2,}})$")
_TIME = re.compile(r"^([01]?\d|2[0-3])[:：]([0-5]\d)$")
_WINDOW = re.compile(
    r"^(?:(?P<h>\d+(?:\.\d+)?)\s*(?:h|hr|hrs|hours?|小时|个小时))?"
    r"\s*(?:(?P<m>\d+)\s*(?:m|min|mins|minutes?|分钟|分))?$"
)
_EVERYONE = ("all", "everyone", "everybody", "全部", "所有人", "所有", "全员")


def _day_names() -> dict[str, int]:
    names = {name: index for index, forms in enumerate(_EN_DAYS) for name in forms}
    for index, numeral in enumerate(_ZH_NUMERALS):
        for prefix in _ZH_PREFIXES:
            names[prefix + numeral] = index
    for prefix in _ZH_PREFIXES:
        names[prefix + "天"] = 6
    return names


_DAYS = _day_names()


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().strip()


def _one_day(token: str) -> int | None:
    return _DAYS.get(token)


def _days_of_part(part: str) -> set[int] | None:
    if part in _DAYS:
        return {_DAYS[part]}
    run = _ZH_RUN.match(part)  # 周一三五: Monday, Wednesday, Friday
    if run:
        return {6 if c == "天" else _ZH_NUMERALS.index(c) for c in run.group(1)}
    ends = _RANGE.split(part)
    if len(ends) != 2:
        return None
    first, last = _one_day(ends[0]), _one_day(ends[1])
    if first is None or last is None:
        return None
    span = (last - first) % 7  # fri-mon wraps over the weekend
    return {(first + step) % 7 for step in range(span + 1)}


def parse_days(text: str, usage: str | None = None) -> frozenset[int]:
    """Weekdays (Monday = 0) from `daily`, `weekdays`, `mon-fri`, `mon,wed,fri`, `工作日`…"""
    folded = _fold(text)
    for group, words in _GROUPS.items():
        if folded in words:
            return group
    found: set[int] = set()
    for part in _LIST.split(_RANGE.sub("-", folded)):
        if not part:
            continue
        days = _days_of_part(part)
        if days is None:
            raise UsageError("standup.error.bad_days", usage=usage, text=text.strip())
        found |= days
    if not found:
        raise UsageError("standup.error.bad_days", usage=usage, text=text.strip())
    return frozenset(found)


def parse_day(text: str, usage: str | None = None) -> int:
    """One weekday (Monday = 0) for a weekly schedule: `fri`, `friday`, `周五`, `星期五`."""
    day = _one_day(_fold(text))
    if day is None:
        raise UsageError("standup.error.bad_day", usage=usage, text=text.strip())
    return day


def format_days(days: Iterable[int]) -> str:
    """The canonical text of a set of weekdays, as stored and shown: `daily`, `weekdays`,
    `mon,wed,fri`; `parse_days` reads it back."""
    chosen = frozenset(days)
    if chosen == ALL_DAYS:
        return "daily"
    if chosen == WORKWEEK:
        return "weekdays"
    return ",".join(DAY_KEYS[day] for day in sorted(chosen))


def parse_time(text: str, usage: str | None = None) -> time:
    """A local time written `HH:MM` or `H:MM` (24-hour; a full-width colon is fine)."""
    match = _TIME.match(_fold(text))
    if not match:
        raise UsageError("standup.error.bad_time", usage=usage, text=text.strip())
    return time(int(match.group(1)), int(match.group(2)))


def parse_window(text: str, kind: str = STANDUP, usage: str | None = None) -> int:
    """An answer window in minutes from `4h`, `90m`, `1h30m`, `1.5h`, `4小时`, `90分钟`."""
    folded = _fold(text).removeprefix("window=").strip()
    match = _WINDOW.match(folded)
    if not folded or not match or not (match.group("h") or match.group("m")):
        raise UsageError("standup.error.bad_window", usage=usage, text=text.strip())
    minutes = round(float(match.group("h") or 0) * 60) + int(match.group("m") or 0)
    longest = MAX_WINDOW.get(kind, MAX_WINDOW[STANDUP])
    if not MIN_WINDOW <= minutes <= longest:
        raise UsageError(
            "standup.error.window_range",
            usage=usage,
            text=text.strip(),
            min=MIN_WINDOW,
            max=longest // 60,
        )
    return minutes


def is_window(token: str) -> bool:
    """Whether a token reads as an answer window (`4h`, `window=90m`)."""
    folded = _fold(token)
    if folded.startswith("window="):
        return True
    match = _WINDOW.match(folded)
    return bool(folded and match and (match.group("h") or match.group("m")))


@dataclass(frozen=True)
class ScheduleRequest:
    """What `/standup schedule …` or `/progress schedule …` asked for; roles not yet resolved."""

    kind: str
    role_names: tuple[str, ...]  # empty: the holders of every role
    days: frozenset[int]
    at: time
    channel: str
    window_minutes: int = DEFAULT_WINDOW


def parse_schedule(kind: str, text: str, usage: str | None = None) -> ScheduleRequest:
    """`<role|all> <days> <HH:MM> <#channel> [window]` (a weekly `<day>` for progress).

    Read from the right, so role names may hold spaces (`tech lead`) and days may be
    written with spaces (`mon, wed, fri`); roles are separated by commas.
    """
    tokens = text.split()
    window = DEFAULT_WINDOW
    if len(tokens) >= 5 and is_window(tokens[-1]):
        window = parse_window(tokens.pop(), kind, usage)
    if len(tokens) < 4:
        raise UsageError("standup.error.missing", usage=usage)
    channel = parse_channel(tokens[-1], usage)
    at = parse_time(tokens[-2], usage)
    head = tokens[:-2]
    if kind == PROGRESS:
        days, cut = frozenset({parse_day(head[-1], usage)}), len(head) - 1
    else:
        days, cut = _days_from_right(head, usage)
    return ScheduleRequest(kind, _role_names(" ".join(head[:cut])), days, at, channel, window)


def _days_from_right(head: list[str], usage: str | None) -> tuple[frozenset[int], int]:
    # The longest run of tokens before the time that reads as days (`mon - fri` is three
    # tokens, and `- fri` alone does not read); at least one token is left for the role.
    best = (parse_days(head[-1], usage), len(head) - 1)  # raises with the offending text
    for cut in range(len(head) - 2, 0, -1):
        try:
            best = (parse_days(" ".join(head[cut:])), cut)
        except UsageError:
            continue
    return best


def _role_names(text: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in re.split(r"[,，、]", text) if name.strip())
    if any(_fold(name) in _EVERYONE for name in names):
        return ()
    return names


def format_time(at: time) -> str:
    """A local time as stored and shown: `09:30`."""
    return f"{at.hour:02d}:{at.minute:02d}"


def stored_schedule(
    schedule_id: int,
    kind: str,
    roles: Iterable[str],
    days: str,
    local_time: str,
    channel: str,
    window_minutes: int,
) -> Schedule:
    """The domain value of a stored schedule (days and time in their stored text)."""
    return Schedule(
        schedule_id,
        kind,
        tuple(roles),
        parse_days(days),
        parse_time(local_time),
        channel,
        window_minutes,
    )
