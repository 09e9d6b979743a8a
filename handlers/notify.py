"""The one way handlers send a DM: enqueued in the caller's transaction under a key that
makes it once-only, sent by the outbox in its turn (paced, retried, failures listed)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from domain.config import Defaults
from handlers.deps import Deps
from i18n import lang_of
from services import deliveries as outbox
from services.config import channel_lang
from storage.profiles import get_profile

# What Slack shows of a message's text; a DM is cut here rather than refused.
TEXT_LIMIT = 3000


def dm(
    session: Session,
    deps: Deps,
    team_id: str,
    user_id: str,
    key: str,
    text: str,
    *,
    kind: str = "dm",
    extra: dict[str, Any] | None = None,
) -> bool:
    """A DM to `user_id` under `key`; False when `key` was enqueued before (told already)."""
    return outbox.dm(
        session, team_id, key, user_id, text[:TEXT_LIMIT], now=deps.now(), kind=kind, extra=extra
    )


def person_lang(session: Session, settings: Defaults, team_id: str, user_id: str) -> str:
    """The language to DM someone in: their Slack locale, or, before Rolecall has seen their
    profile, the workspace's language."""
    profile = get_profile(session, team_id, user_id)
    if profile is not None and profile.locale:
        return lang_of(profile.locale)
    return channel_lang(session, settings, team_id)
