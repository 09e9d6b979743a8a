"""The one way handlers send a DM: enqueued in the caller's transaction under a key that
makes it once-only, sent by the outbox in its turn (paced, retried, failures listed)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from handlers.deps import Deps
from services import deliveries as outbox

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
