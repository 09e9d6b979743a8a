"""The one facade over users.info: profiles cached in the store, refreshed after the ack."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.deps import Deps
from handlers.slack_text import mentioned_users, readable
from storage.models import UserProfile
from storage.profiles import get_profile, get_profiles, save_profile

log = logging.getLogger(__name__)
FRESH_FOR = timedelta(hours=12)
RETRY_AFTER = timedelta(minutes=1)


class UserDirectory:
    """Cached Slack profiles: language, time zone, admin flag, deactivation."""

    def __init__(self, deps: Deps, client: WebClient) -> None:
        self.deps = deps
        self.client = client
        # For a lookup the ack waits on (an admin check of someone never seen): one try, short
        # timeout, no sleeping on Retry-After — the answer must leave within Slack's 3 s.
        self.quick_client = WebClient(
            token=client.token, base_url=client.base_url, timeout=2, retry_handlers=[]
        )
        self._inflight: set[tuple[str, str]] = set()
        # users.info failures, so an unknown ID is not asked about on every request.
        self._failed: dict[tuple[str, str], datetime] = {}
        # Whom Slack said it does not know (user_not_found), as opposed to could not answer.
        self._unknown: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def cached(self, team_id: str, user_id: str) -> UserProfile | None:
        """The stored profile, without asking Slack."""
        with self.deps.db.begin() as session:
            return get_profile(session, team_id, user_id)

    def cached_many(self, team_id: str, user_ids: Iterable[str]) -> dict[str, UserProfile]:
        """Stored profiles of several people, by user ID (missing ones are absent)."""
        with self.deps.db.begin() as session:
            return get_profiles(session, team_id, user_ids)

    def readable(self, team_id: str, text: str) -> str:
        """`text` as people read it: unlabelled mentions named from cached profiles."""
        wanted = mentioned_users(text)
        known = self.cached_many(team_id, wanted) if wanted else {}

        def name(user_id: str) -> str | None:
            profile = known.get(user_id)
            return profile.name if profile is not None and profile.name else None

        return readable(text, name)

    def is_stale(self, profile: UserProfile) -> bool:
        """Whether the profile should be fetched again."""
        return self.deps.now() - profile.fetched_at > FRESH_FOR

    def needs_fetch(self, team_id: str, user_id: str, cached: UserProfile | None) -> bool:
        """Whether to ask Slack: never fetched or stale, and not a recent failure."""
        if cached is not None and not self.is_stale(cached):
            return False
        with self._lock:
            retry_at = self._failed.get((team_id, user_id))
        return retry_at is None or self.deps.now() >= retry_at

    def lookup_failed(self, team_id: str, user_id: str) -> bool:
        """Whether the last users.info for this person failed (rate limit, outage, unknown)."""
        with self._lock:
            return (team_id, user_id) in self._failed

    def unknown_to_slack(self, team_id: str, user_id: str) -> bool:
        """Whether Slack said it has no such user (not merely that it could not answer)."""
        with self._lock:
            return (team_id, user_id) in self._unknown

    def profile(self, team_id: str, user_id: str) -> UserProfile | None:
        """The stored profile, fetched from Slack first when never seen (admin checks)."""
        found = self.cached(team_id, user_id)
        if found is not None or not self.needs_fetch(team_id, user_id, None):
            return found
        return self.fetch(team_id, user_id, quick=True)

    def fetch(self, team_id: str, user_id: str, *, quick: bool = False) -> UserProfile | None:
        """Ask users.info and store the answer; None when Slack does not know the user."""
        client = self.quick_client if quick else self.client
        try:
            answer = client.users_info(user=user_id, include_locale=True)
        except (SlackApiError, OSError, ValueError) as exc:
            error = exc.response.get("error") if isinstance(exc, SlackApiError) else repr(exc)
            log.warning("users.info %s failed: %s", user_id, error)
            unknown = error in ("user_not_found", "user_not_visible")
            wait = FRESH_FOR if unknown else RETRY_AFTER
            with self._lock:
                self._failed[(team_id, user_id)] = self.deps.now() + wait
                if unknown:
                    self._unknown.add((team_id, user_id))
            return None
        with self._lock:
            self._failed.pop((team_id, user_id), None)
            self._unknown.discard((team_id, user_id))
        return self.store(team_id, answer["user"])

    def store(self, team_id: str, user: dict[str, Any]) -> UserProfile:
        """Save a Slack user object (from users.info or a user_change event)."""
        profile = user.get("profile") or {}
        with self.deps.db.begin() as session:
            return save_profile(
                session,
                team_id,
                user["id"],
                name=profile.get("display_name") or user.get("real_name") or user.get("name", ""),
                tz=user.get("tz"),
                locale=user.get("locale"),
                is_admin=bool(user.get("is_admin") or user.get("is_owner")),
                is_bot=bool(user.get("is_bot")),
                deleted=bool(user.get("deleted")),
                fetched_at=self.deps.now(),
            )

    def refresh_later(self, team_id: str, user_id: str) -> None:
        """Fetch the profile after the ack, off the request path (once while in flight)."""
        with self._lock:
            if (team_id, user_id) in self._inflight:
                return
            self._inflight.add((team_id, user_id))
        self.deps.background.submit(self._refresh_quietly, team_id, user_id)

    def _refresh_quietly(self, team_id: str, user_id: str) -> None:
        try:
            self.fetch(team_id, user_id)
        except Exception:
            log.exception("refreshing profile %s failed", user_id)
        finally:
            with self._lock:
                self._inflight.discard((team_id, user_id))
