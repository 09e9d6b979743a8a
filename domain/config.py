"""Workspace configuration: environment defaults overridden per workspace (`/rolecall config`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from domain.errors import Phrase, UsageError
from domain.parsing import parse_channel, parse_user

SEVERITIES = ("urgent", "high", "normal", "low")
DEFAULT_FIRST_RESPONSE = "urgent=1h,high=4h,normal=24h,low=72h"
CONFIG_KEYS = ("support_channel", "admins", "default_tz", "holidays", "first_response", "language")
LANGUAGES = ("en", "zh")
# What `/rolecall config language` accepts for each language, lower-cased.
_LANGUAGE_NAMES = {
    "en": "en",
    "english": "en",
    "英文": "en",
    "英语": "en",
    "zh": "zh",
    "chinese": "zh",
    "中文": "zh",
    "汉语": "zh",
    "简体中文": "zh",
}
# The units the bot prints (1d, 25h, 90m) and their Chinese forms.
_TARGET = re.compile(r"^(\d+(?:\.\d+)?)\s*(d|h|m|min|天|小时|分钟|分)?$")
_UNIT_MINUTES = {"d": 1440, "天": 1440, "h": 60, "小时": 60, "m": 1, "min": 1, "分钟": 1, "分": 1}


class BadValue(ValueError):
    """A refused setting; `reason` says how to write it (a message key, rendered in the
    reader's language: no English is built here)."""

    def __init__(self, reason: str, /, **params: str) -> None:
        super().__init__(reason)
        self.reason = Phrase(f"rolecall.config.reason.{reason}", **params)


class Defaults(Protocol):
    """The environment's defaults for every workspace (the settings object provides them)."""

    @property
    def support_channel(self) -> str | None: ...
    @property
    def admins(self) -> tuple[str, ...]: ...
    @property
    def default_tz(self) -> str: ...
    @property
    def holidays(self) -> str | None: ...
    @property
    def first_response(self) -> str: ...
    @property
    def language(self) -> str: ...


@dataclass(frozen=True)
class WorkspaceConfig:
    """The settings in force for one workspace."""

    support_channel: str | None
    admins: tuple[str, ...]
    default_tz: str
    holidays: str | None
    first_response_minutes: dict[str, int]
    language: str  # of everything posted in channels (cards, flags, digests)


def parse_first_response(text: str) -> dict[str, int]:
    """'urgent=1h,high=4h,normal=24h,low=72h' → minutes per severity (all four required)."""
    targets: dict[str, int] = {}
    for part in text.split(","):
        severity, _, amount = part.partition("=")
        severity = severity.strip().lower()
        match = _TARGET.match(amount.strip().lower())
        if severity not in SEVERITIES or not match:
            raise BadValue("first_response", example=DEFAULT_FIRST_RESPONSE)
        number, unit = float(match.group(1)), match.group(2) or "h"
        minutes = int(number * _UNIT_MINUTES[unit])
        if minutes <= 0:
            raise BadValue("first_response_zero")
        targets[severity] = minutes
    missing = [s for s in SEVERITIES if s not in targets]
    if missing:
        raise BadValue(
            "first_response_missing", missing=", ".join(missing), example=DEFAULT_FIRST_RESPONSE
        )
    return targets


@cache
def supported_countries() -> frozenset[str]:
    """Country codes the holidays package has calendars for."""
    return frozenset(holidays.list_supported_countries())


def normalize_value(key: str, raw: str) -> str:
    """Check a `/rolecall config` value and return it in stored form; BadValue if bad."""
    raw = raw.strip()
    if key == "support_channel":
        try:
            return parse_channel(raw)
        except UsageError:
            raise BadValue("support_channel") from None
    if key == "admins":
        tokens = [tok for tok in re.split(r"[\s,]+", raw) if tok]
        try:
            return ",".join(parse_user(tok) for tok in tokens)
        except UsageError:
            raise BadValue("admins") from None
    if key == "default_tz":
        try:
            ZoneInfo(raw)
        except (ZoneInfoNotFoundError, ValueError):
            raise BadValue("default_tz") from None
        return raw
    if key == "holidays":
        code = raw.upper()
        if not re.fullmatch(r"[A-Z]{2}", code) or code not in supported_countries():
            raise BadValue("holidays")
        return code
    if key == "first_response":
        targets = parse_first_response(raw)
        return ",".join(f"{s}={targets[s]}m" for s in SEVERITIES)
    if key == "language":
        lang = _LANGUAGE_NAMES.get(raw.lower())
        if lang is None:
            raise BadValue("language")
        return lang
    raise KeyError(key)


def effective_config(
    *,
    support_channel: str | None,
    admins: tuple[str, ...],
    default_tz: str,
    holidays: str | None,
    first_response: str,
    overrides: Mapping[str, str],
    language: str = "en",
) -> WorkspaceConfig:
    """Environment defaults with this workspace's overrides applied.

    Admins set here are added to ROLECALL_ADMINS rather than replacing them, so a workspace
    can never lock out the operators who deployed the app.
    """
    extra_admins = tuple(a for a in overrides.get("admins", "").split(",") if a)
    return WorkspaceConfig(
        support_channel=overrides.get("support_channel", support_channel),
        admins=tuple(dict.fromkeys((*admins, *extra_admins))),
        default_tz=overrides.get("default_tz", default_tz),
        holidays=overrides.get("holidays", holidays),
        first_response_minutes=parse_first_response(
            overrides.get("first_response", first_response)
        ),
        language=overrides.get("language", language),
    )
