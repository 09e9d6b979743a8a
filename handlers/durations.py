"""Durations as a reader reads them: `25h`, `3d`, `90m` in English, `25小时`, `3天`, `90分钟`
in Chinese (ticket ages, first-response targets, the `/rolecall config` listing)."""

from __future__ import annotations

from datetime import datetime

from i18n import t


def amount(lang: str, minutes: int) -> str:
    """A set duration, exact: whole hours as hours, anything else in minutes."""
    if minutes % 60 == 0:
        return t(lang, "duration.hours", n=minutes // 60)
    return t(lang, "duration.minutes", n=minutes)


def age(lang: str, since: datetime, now: datetime) -> str:
    """How long ago, compact: minutes under an hour, hours under two days, then days."""
    minutes = max(int((now - since).total_seconds() // 60), 0)
    if minutes < 60:
        return t(lang, "duration.minutes", n=minutes)
    if minutes < 48 * 60:
        return t(lang, "duration.hours", n=minutes // 60)
    return t(lang, "duration.days", n=minutes // 1440)
