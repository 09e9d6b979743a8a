"""Who is not prompted on a given local date: public holidays, away, skip and pause.

Public holidays come from the `holidays` package, for the one country a workspace names
(`/standup holidays <code>`, stored as the `holidays` setting); a participant's *local* date
is checked. Each (country, year, language) calendar is built once and kept. A country the
package does not know has no holidays (the setting is validated when it is set, so a tick
never fails on it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays

from domain.errors import UsageError
from domain.parsing import parse_date

AWAY, PAUSED, SKIPPED = "away", "paused", "skipped"
MAX_SKIP_DAYS = 366


@dataclass(frozen=True)
class _Year:
    names: dict[date, str]
    makeup_workdays: frozenset[date]


@lru_cache(maxsize=512)
def _year(country: str, year: int, lang: str) -> _Year:
    try:
        base = holidays.country_holidays(country, years=year)
    except NotImplementedError:
        return _Year({}, frozenset())
    language = _language(base, lang)
    if language is not None:
        base = holidays.country_holidays(country, years=year, language=language)
    workdays = frozenset(d for d in getattr(base, "weekend_workdays", ()) if d.year == year)
    # Copied into plain values: a HolidayBase fills in other years when asked about them.
    return _Year({d: str(name) for d, name in base.items() if d.year == year}, workdays)


def _language(base: holidays.HolidayBase, lang: str) -> str | None:
    supported = tuple(getattr(base, "supported_languages", ()) or ())
    prefix = "zh" if lang == "zh" else "en"
    return next((code for code in supported if code.startswith(prefix)), None)


def holiday_name(country: str | None, day: date, lang: str = "en") -> str | None:
    """The public holiday on `day` in `country` (ISO code), in `lang` when the calendar has it."""
    if not country:
        return None
    return _year(country.upper(), day.year, lang).names.get(day)


def is_public_holiday(country: str | None, day: date) -> bool:
    """Whether `day` is a public holiday (an official day off included) in `country`."""
    return holiday_name(country, day) is not None


def is_makeup_workday(country: str | None, day: date) -> bool:
    """Whether `day` is a weekend day made an official working day (China's 调休)."""
    return bool(country) and day in _year(str(country).upper(), day.year, "en").makeup_workdays


@dataclass(frozen=True)
class HolidayCalendar:
    """A workspace's holiday calendar (one country, or none)."""

    country: str | None

    def is_holiday(self, day: date) -> bool:
        """Whether nobody is prompted on local date `day`."""
        return is_public_holiday(self.country, day)

    def is_makeup_workday(self, day: date) -> bool:
        """Whether weekend `day` is a working day here."""
        return is_makeup_workday(self.country, day)


@dataclass(frozen=True)
class Presence:
    """What keeps one person from being prompted: `/role away`, `/standup skip`, `pause`."""

    away_until: date | None = None
    skip_until: date | None = None
    paused: bool = False


def absence_reason(presence: Presence, day: date) -> str | None:
    """Why the person is not prompted on local date `day` (away, paused, skipped), or None."""
    if presence.away_until is not None and day <= presence.away_until:
        return AWAY
    if presence.paused:
        return PAUSED
    if presence.skip_until is not None and day <= presence.skip_until:
        return SKIPPED
    return None


def is_available(presence: Presence, day: date) -> bool:
    """Whether the person is prompted on local date `day`."""
    return absence_reason(presence, day) is None


_TODAY = ("", "today", "今天", "今日")
_TOMORROW = ("tomorrow", "明天", "明日")


def parse_skip(text: str, today: date, usage: str | None = None) -> date:
    """The last skipped local date from `today`, `tomorrow`, `until YYYY-MM-DD` (or a date)."""
    words = text.strip().casefold().split()
    if len(words) <= 1 and " ".join(words) in _TODAY:
        return today
    if len(words) == 1 and words[0] in _TOMORROW:
        return today + timedelta(days=1)
    if len(words) == 2 and words[0] in ("until", "till", "到", "直到"):
        words = words[1:]
    if len(words) != 1:
        raise UsageError("standup.error.bad_skip", usage=usage, text=text.strip())
    until = parse_date(words[0], usage)
    if until < today:
        raise UsageError("standup.error.skip_past", usage=usage, date=until.isoformat())
    if until > today + timedelta(days=MAX_SKIP_DAYS):
        raise UsageError("standup.error.skip_far", usage=usage, days=MAX_SKIP_DAYS)
    return until
