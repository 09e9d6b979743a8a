"""The one source of 'now', so the shell and tests can move time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    """Wall-clock UTC time plus an offset the shell (`clock +2h`) can advance."""

    def __init__(self) -> None:
        self._fixed: datetime | None = None
        self._offset = timedelta()

    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        base = self._fixed if self._fixed is not None else datetime.now(UTC)
        return base + self._offset

    def advance(self, delta: timedelta) -> datetime:
        """Move time forward (or back) by `delta`; returns the new now."""
        self._offset += delta
        return self.now()

    def set(self, instant: datetime) -> None:
        """Fix time at `instant` (aware)."""
        self._fixed = instant
        self._offset = timedelta()
