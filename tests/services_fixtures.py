"""What the direct service tests share: environment defaults, the catalogue, an instant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from bot.settings import DEFAULT_CATALOG
from domain.catalog import Catalog, load_catalog
from domain.config import DEFAULT_FIRST_RESPONSE

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
