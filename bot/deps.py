"""What every handler needs, built once by the app factory and passed down."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.background import Background
from bot.clock import Clock
from bot.settings import Settings
from domain.catalog import Catalog
from storage.db import Database


@dataclass
class Deps:
    """Settings, store, catalogue, clock and the after-ack executor."""

    settings: Settings
    db: Database
    catalog: Catalog
    clock: Clock
    background: Background

    def now(self) -> datetime:
        """The current instant (UTC)."""
        return self.clock.now()
