"""What every handler needs, built once by the app factory and passed down."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.background import Background
from bot.clock import Clock
from bot.settings import Settings
from domain.catalog import Catalog
from storage.db import Database

if TYPE_CHECKING:  # handlers import this module; at run time the import would go round
    from handlers.installation import Installations


@dataclass
class Deps:
    """Settings, store, catalogue, clock, the after-ack executor and whom we serve."""

    settings: Settings
    db: Database
    catalog: Catalog
    clock: Clock
    background: Background
    installations: Installations

    def now(self) -> datetime:
        """The current instant (UTC)."""
        return self.clock.now()
