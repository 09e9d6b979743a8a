"""Pacing: token buckets per workspace and method (and per channel where Slack counts that),
and the pauses a 429 asks for. In memory: one dispatcher's view of the budget."""

from __future__ import annotations

import threading

from domain.delivery import (
    DEFAULT_LIMITS,
    PACING_MARGIN,
    UNLISTED,
    Limit,
    MethodLimits,
    TokenBucket,
)


class Pacer:
    """Says when a call may go: `reserve` spends a token or says how long to wait.

    `margin` paces a little under the limits, so a clock drifting against Slack's does not
    cost a 429 and its Retry-After. A 429 pauses one workspace's method (`pause`), nothing
    else: the other methods and workspaces go on.
    """

    def __init__(
        self, limits: dict[str, MethodLimits] | None = None, *, margin: float = PACING_MARGIN
    ) -> None:
        self.limits = DEFAULT_LIMITS if limits is None else limits
        self.margin = margin
        self._buckets: dict[tuple[str, str, str], TokenBucket] = {}
        self._paused: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def _bucket(self, key: tuple[str, str, str], limit: Limit) -> TokenBucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            scaled = Limit(limit.rate * self.margin, max(limit.burst, 1.0))
            bucket = self._buckets[key] = TokenBucket(scaled)
        return bucket

    def reserve(self, team_id: str, method: str, channel: str, now: float) -> float:
        """Spend a token for one call of `method` (an API method name) to `channel`, and
        return 0; or spend nothing and return the seconds to wait first."""
        limits = self.limits.get(method, UNLISTED)
        with self._lock:
            paused = self._paused.get((team_id, method), 0.0) - now
            if paused > 0:
                return paused
            buckets = [self._bucket((team_id, method, "*"), limits.workspace)]
            if limits.channel is not None:
                buckets.append(self._bucket((team_id, method, channel), limits.channel))
            wait = max(bucket.wait(now) for bucket in buckets)
            if wait > 0:
                return wait
            for bucket in buckets:
                bucket.take(now)
            return 0.0

    def pause(self, team_id: str, method: str, until: float) -> None:
        """Send no `method` call in this workspace before `until` (a 429's Retry-After)."""
        with self._lock:
            key = (team_id, method)
            self._paused[key] = max(self._paused.get(key, 0.0), until)
