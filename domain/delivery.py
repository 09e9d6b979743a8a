"""Delivery rules: what a Slack failure means, how long to wait, how fast to send.

Pure: no Slack client, no sessions. The dispatcher (handlers.delivery) asks these rules
what to do with each answer; the outbox (storage.deliveries) keeps the state.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

# Methods a delivery can use. "dm" is chat.postMessage with the user's ID as the channel:
# Slack posts it in the app's DM with that person (one call, no conversations.open, whose
# Tier 3 budget of ~50 a minute would make a fan-out of 1 000 DMs take 20 minutes).
POST = "chat.postMessage"
UPDATE = "chat.update"
EPHEMERAL = "chat.postEphemeral"
DM = "dm"
# A DM scheduled in Slack for its payload's `post_at` (Unix seconds), posted directly instead
# when that time is too near (`direct`); and the deletion of one (`scheduled_message_id`,
# or the one the delivery `anchor` scheduled).
SCHEDULE = "chat.scheduleMessage"
UNSCHEDULE = "chat.deleteScheduledMessage"
# A render's word on a SCHEDULE in doubt that must not go out any more: adopt the copy an
# earlier try may have made (so its deletion can delete it), else end it unsent.
ADOPT_ONLY = "adopt_only"
METHODS = frozenset({POST, UPDATE, EPHEMERAL, DM, SCHEDULE, UNSCHEDULE})
# Methods that create a message, so a lost answer may hide a posted one.
CREATES_MESSAGE = frozenset({POST, DM, SCHEDULE})

# A prompt is scheduled in Slack only when its time is at least this far ahead: Slack
# refuses a post_at in the past (`time_in_past`), and a request that takes seconds, a clock
# a few seconds off Slack's, or a retry after an uncertain answer (a list, then the schedule
# call again) must all still land before post_at. Nearer than that, it waits for post_at
# and is posted directly (chat.postMessage), as it is when its time has passed.
SCHEDULE_LEAD = 60.0

# The message metadata a delivery carries, so a retry after an ambiguous failure can find
# the copy Slack may already have posted (conversations.history include_all_metadata).
METADATA_EVENT = "rolecall_delivery"

# A row in the outbox goes pending → sending → sent | failed; superseded (a newer update to
# the same card replaced it before it went) and skipped (nothing left to say) end it too.
PENDING, SENDING, SENT, FAILED, SUPERSEDED, SKIPPED = (
    "pending",
    "sending",
    "sent",
    "failed",
    "superseded",
    "skipped",
)
OPEN_STATES = (PENDING, SENDING)

# Transient failures are retried with backoff this many times, then the delivery fails.
# 429s do not count: they are pacing, not failure.
MAX_ATTEMPTS = 10
BACKOFF_BASE = 1.0  # seconds before the first retry (on average 0.75 s: jittered)
BACKOFF_CAP = 300.0  # never wait more than five minutes between two tries


class Verdict(StrEnum):
    """What a failed call means for its delivery."""

    RATE_LIMITED = "rate_limited"  # 429: pause the workspace and method, try again, no penalty
    RETRY = "retry"  # nothing was done (refused connection, Slack said try later)
    AMBIGUOUS = "ambiguous"  # 5xx or timeout: Slack may have acted; look before re-posting
    PERMANENT = "permanent"  # retrying cannot help until someone fixes the cause


# Slack errors that say "not now" rather than "never".
TRANSIENT_ERRORS = frozenset(
    {
        "internal_error",
        "fatal_error",
        "service_unavailable",
        "request_timeout",
        "team_added_to_org",
    }
)
# Errors after which Slack may have done the work anyway.
AMBIGUOUS_ERRORS = frozenset({"internal_error", "fatal_error", "request_timeout"})
RATE_LIMIT_ERRORS = frozenset({"ratelimited", "rate_limited"})
# Documented permanent ones, listed so their meaning is on record; any other unknown error
# code is permanent too (a loop on an error we do not understand helps nobody), and an admin
# can retry it (storage.deliveries.retry) once the cause is fixed.
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "account_inactive",
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "missing_scope",
        "invalid_blocks",
        "invalid_blocks_format",
        "msg_too_long",
        "no_text",
        "user_not_found",
        "user_not_visible",
        "message_not_found",
        "cant_update_message",
        "edit_window_closed",
        "restricted_action",
        "ekm_access_denied",
        "invalid_metadata_format",
        "invalid_metadata_schema",
        "invalid_time",
        "time_too_far",
        "restricted_too_many",
        "invalid_scheduled_message_id",
    }
)


def classify(status: int | None, error: str | None) -> Verdict:
    """The verdict on a failed call: its HTTP status (None when no answer came: a timeout or
    a dropped connection, both ambiguous) and Slack's error code, if it sent one."""
    if status == 429 or error in RATE_LIMIT_ERRORS:
        return Verdict.RATE_LIMITED
    if status is None or status >= 500:
        return Verdict.AMBIGUOUS
    if error in AMBIGUOUS_ERRORS:
        return Verdict.AMBIGUOUS
    if error in TRANSIENT_ERRORS:
        return Verdict.RETRY
    if status != 200 and error is None:
        # A proxy's 4xx page (no Slack JSON): the request never reached Slack's handler.
        return Verdict.RETRY if status in (408, 409, 425) else Verdict.PERMANENT
    return Verdict.PERMANENT


def backoff(attempt: int, rng: random.Random | None = None) -> float:
    """Seconds before try number `attempt + 1` after `attempt` failed tries: exponential,
    capped, with "equal jitter" (half fixed, half random) so replicas retrying the same
    outage do not come back in lockstep."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** max(attempt - 1, 0))
    return ceiling / 2 + (rng or random).uniform(0, ceiling / 2)


def retry_after(header: str | None, default: float = 1.0) -> float:
    """Seconds a 429's Retry-After asks for (Slack sends whole seconds); `default` when it
    is missing or unreadable."""
    try:
        return max(float(header), 0.0) if header is not None else default
    except ValueError:
        return default


def metadata(key: str) -> dict[str, Any]:
    """The message metadata that marks a message as the delivery `key`."""
    return {"event_type": METADATA_EVENT, "event_payload": {"key": key}}


def carries(message: dict[str, Any], key: str) -> bool:
    """Whether a message (from conversations.history) is the delivery `key`."""
    found = message.get("metadata") or {}
    payload = found.get("event_payload") or {}
    return found.get("event_type") == METADATA_EVENT and payload.get("key") == key


# --- pacing ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Limit:
    """A sustained rate (calls a second) and the burst allowed on top of it."""

    rate: float
    burst: float


@dataclass(frozen=True)
class MethodLimits:
    """A method's budget in one workspace, and per channel where Slack counts that too."""

    workspace: Limit
    channel: Limit | None = None


# Slack's published tiers (docs: "Rate limits"), a little under what users measured:
# chat.postMessage ~1/s per channel with short bursts (measured: ~25 then ~1/s) and a
# workspace-wide cap (measured: 1 600 DMs in ~7 min ≈ 3.8/s); chat.update Tier 3 (50+/min);
# chat.postEphemeral Tier 4 (100+/min); conversations.history and .open Tier 3.
DEFAULT_LIMITS: dict[str, MethodLimits] = {
    POST: MethodLimits(workspace=Limit(3.5, 25), channel=Limit(1.0, 5)),
    UPDATE: MethodLimits(workspace=Limit(50 / 60, 10)),
    EPHEMERAL: MethodLimits(workspace=Limit(100 / 60, 20)),
    "conversations.history": MethodLimits(workspace=Limit(50 / 60, 10)),
    "conversations.replies": MethodLimits(workspace=Limit(50 / 60, 10)),
    "conversations.open": MethodLimits(workspace=Limit(50 / 60, 10)),
    # Tier 3 (docs: chat.scheduleMessage), and at most 30 per channel in 5 minutes; each DM
    # is its own channel, so a fan-out of prompts meets only the workspace's budget.
    SCHEDULE: MethodLimits(workspace=Limit(50 / 60, 10), channel=Limit(30 / 300, 30)),
    UNSCHEDULE: MethodLimits(workspace=Limit(50 / 60, 10)),
    "chat.scheduledMessages.list": MethodLimits(workspace=Limit(50 / 60, 10)),
}
UNLISTED = MethodLimits(workspace=Limit(20 / 60, 5))  # Tier 2, the most common one
# The share of each limit the pacer spends (a clock drifting against Slack's costs no 429),
# and so the rate a queue of calls is planned at.
PACING_MARGIN = 0.97


def api_method(method: str) -> str:
    """The Web API method a delivery's method is paced and paused as."""
    return POST if method == DM else method


def posts_directly(payload: dict[str, Any], now: float) -> bool:
    """Whether a scheduled DM is posted directly rather than scheduled: its time is less
    than SCHEDULE_LEAD ahead of `now` (Unix seconds), or Slack said it is past."""
    return bool(payload.get("direct")) or float(payload["post_at"]) - now < SCHEDULE_LEAD


def sending_method(method: str, payload: dict[str, Any], now: float) -> str:
    """The delivery method a delivery is sent (and paced) as at `now`: a scheduled DM
    whose time is near goes as a plain DM."""
    if method == SCHEDULE and posts_directly(payload, now):
        return DM
    return method


@dataclass
class TokenBucket:
    """A token bucket: `burst` tokens, refilled at `rate` a second.

    `wait(now)` is how long until one token is there; `take(now)` spends one. Times are
    seconds on any monotonic scale the caller keeps to.
    """

    limit: Limit
    tokens: float = -1.0
    updated: float | None = None

    def _refill(self, now: float) -> None:
        if self.updated is None or self.tokens < 0:
            self.tokens, self.updated = self.limit.burst, now
            return
        elapsed = max(now - self.updated, 0.0)  # a clock set back never adds tokens
        self.tokens = min(self.limit.burst, self.tokens + elapsed * self.limit.rate)
        self.updated = max(now, self.updated)

    def wait(self, now: float) -> float:
        """Seconds until a token is available (0 when one is there now)."""
        self._refill(now)
        if self.tokens >= 1:
            return 0.0
        return (1 - self.tokens) / self.limit.rate

    def take(self, now: float) -> None:
        """Spend one token (call after `wait(now)` said 0)."""
        self._refill(now)
        self.tokens -= 1
