"""What every handler needs, built once by the app factory and passed down."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from domain.catalog import Catalog
from domain.config import Defaults
from handlers.background import Background
from handlers.clock import Clock
from storage.db import Database

if TYPE_CHECKING:  # handlers import this module; at run time the import would go round
    from handlers.delivery import Dispatcher
    from handlers.installation import Installations


class AppSettings(Defaults, Protocol):
    """What handlers read of the settings: the workspace defaults, which were given (in the
    environment) rather than left at their built-in value, and the signing secret (requests
    are checked with it; what the app hands Slack to give back is signed with it)."""

    @property
    def slack_signing_secret(self) -> str | None: ...

    @property
    def model_fields_set(self) -> set[str]: ...


@dataclass
class Deps:
    """Settings, store, catalogue, clock, the after-ack executor, whom we serve, and the
    outbox's dispatcher (commits that enqueue wake it; `rolecall tick` and tests drain it)."""

    settings: AppSettings
    db: Database
    catalog: Catalog
    clock: Clock
    background: Background
    installations: Installations
    dispatcher: Dispatcher | None = None

    def now(self) -> datetime:
        """The current instant (UTC)."""
        return self.clock.now()
