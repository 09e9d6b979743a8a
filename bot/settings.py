"""Settings from the environment (or a `.env` file), validated once at start-up."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from domain.config import DEFAULT_FIRST_RESPONSE, BadValue, normalize_value
from i18n import t

DEFAULT_CATALOG = Path(__file__).resolve().parent.parent / "domain" / "catalog_default.yml"


# What an empty workspace default stands for.
_UNSET_DEFAULTS = {"holidays": None, "first_response": DEFAULT_FIRST_RESPONSE, "language": "en"}


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line naming it."""


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class Settings(BaseSettings):
    """Every setting of SPEC §3; names are the environment variables."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    slack_bot_token: str | None = Field(None, validation_alias=_env("SLACK_BOT_TOKEN"))
    slack_signing_secret: str | None = Field(None, validation_alias=_env("SLACK_SIGNING_SECRET"))
    slack_app_token: str | None = Field(None, validation_alias=_env("SLACK_APP_TOKEN"))
    database_url: str = Field(
        "sqlite:///rolecall.db", validation_alias=_env("ROLECALL_DATABASE_URL")
    )
    slack_api_url: str = Field(
        "https://slack.com/api/", validation_alias=_env("ROLECALL_SLACK_API_URL")
    )
    support_channel: str | None = Field(None, validation_alias=_env("ROLECALL_SUPPORT_CHANNEL"))
    admins: Annotated[tuple[str, ...], NoDecode] = Field(
        (), validation_alias=_env("ROLECALL_ADMINS")
    )
    default_tz: str = Field("UTC", validation_alias=_env("ROLECALL_DEFAULT_TZ"))
    catalog: Path = Field(DEFAULT_CATALOG, validation_alias=_env("ROLECALL_CATALOG"))
    holidays: str | None = Field(None, validation_alias=_env("ROLECALL_HOLIDAYS"))
    first_response: str = Field(
        DEFAULT_FIRST_RESPONSE, validation_alias=_env("ROLECALL_FIRST_RESPONSE")
    )
    # The language of channel messages in workspaces that have not chosen one themselves.
    language: str = Field("en", validation_alias=_env("ROLECALL_LANGUAGE"))
    port: int = Field(3000, ge=1, le=65535, validation_alias=_env("PORT"))

    @field_validator("holidays", "first_response", "language")
    @classmethod
    def _check_workspace_default(cls, value: str | None, info: ValidationInfo) -> str | None:
        if not value:
            return _UNSET_DEFAULTS[info.field_name or ""]
        try:
            return normalize_value(info.field_name or "", value)
        except BadValue as bad:
            # Whoever deploys reads English; the hint is the one `/rolecall config` gives.
            raise ValueError(t("en", bad.reason.key, **bad.reason.params)) from None

    @field_validator("admins", mode="before")
    @classmethod
    def _split_admins(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("admins")
    @classmethod
    def _check_admins(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for user_id in value:
            if not re.fullmatch(r"[UW][A-Z0-9]{2,}", user_id):
                raise ValueError(f"{user_id!r} is not a Slack user ID like U0123ABC")
        return value

    @field_validator("default_tz")
    @classmethod
    def _check_tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _check_api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("support_channel")
    @classmethod
    def _check_channel(cls, value: str | None) -> str | None:
        if value is not None and value and value[0] not in "CG":
            raise ValueError(f"{value!r} is not a channel ID like C0123ABC")
        return value or None

    def require(self, *fields: str) -> None:
        """Stop with one line naming the first of `fields` that is unset."""
        for name in fields:
            if not getattr(self, name):
                raise SettingsError(f"{_env_name(name)} is not set")


_ENV_NAMES = {
    "slack_bot_token": "SLACK_BOT_TOKEN",
    "slack_signing_secret": "SLACK_SIGNING_SECRET",
    "slack_app_token": "SLACK_APP_TOKEN",
    "database_url": "ROLECALL_DATABASE_URL",
    "slack_api_url": "ROLECALL_SLACK_API_URL",
    "support_channel": "ROLECALL_SUPPORT_CHANNEL",
    "admins": "ROLECALL_ADMINS",
    "default_tz": "ROLECALL_DEFAULT_TZ",
    "catalog": "ROLECALL_CATALOG",
    "holidays": "ROLECALL_HOLIDAYS",
    "first_response": "ROLECALL_FIRST_RESPONSE",
    "language": "ROLECALL_LANGUAGE",
    "port": "PORT",
}


def _env_name(field: str) -> str:
    return _ENV_NAMES.get(field, field.upper())


def load_settings(**overrides: object) -> Settings:
    """Read settings; a malformed one raises SettingsError with one line naming it."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "settings"
        message = first["msg"].removeprefix("Value error, ")
        raise SettingsError(f"{_env_name(field)}: {message}") from None
