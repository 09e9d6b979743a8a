"""What the direct service tests share: environment defaults, the catalogue, an instant,
a cached Slack profile."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from bot.settings import DEFAULT_CATALOG
from domain.catalog import Catalog, load_catalog
from domain.config import DEFAULT_FIRST_RESPONSE
from storage.profiles import save_profile

TEAM = "T0001"
OTHER = "T0002"
NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)


@dataclass(frozen=True)
class Env:
    """The environment's defaults (what `Settings` provides services)."""

    support_channel: str | None = None
    admins: tuple[str, ...] = ("UOPS",)
    default_tz: str = "UTC"
    holidays: str | None = None
    first_response: str = DEFAULT_FIRST_RESPONSE
    language: str = "en"


def catalog() -> Catalog:
    """A fresh shipped catalogue (its workspace cache starts empty)."""
    return load_catalog(DEFAULT_CATALOG)


def profile(
    session: Session,
    user: str,
    *,
    team: str = TEAM,
    tz: str | None = None,
    locale: str | None = None,
    admin: bool = False,
    deleted: bool = False,
    fetched_at: datetime = NOW,
) -> None:
    """Someone's Slack profile as Rolecall caches it (named after their lowercased ID)."""
    save_profile(
        session,
        team,
        user,
        name=user.lower(),
        tz=tz,
        locale=locale,
        is_admin=admin,
        is_bot=False,
        deleted=deleted,
        fetched_at=fetched_at,
    )
