"""Accepted request signatures, remembered until they expire: a second use is a replay."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import CursorResult, delete, text
from sqlalchemy.orm import Session

from storage.models import SeenSignature
from storage.rows import upsert


def remember_signature(session: Session, digest: str, expires_at: datetime) -> bool:
    """Record a signature's first use; False when it was seen before (a replay).

    One statement (INSERT … ON CONFLICT DO NOTHING), so two replicas receiving the same
    request at once cannot both win, and the caller's transaction stays usable. On
    PostgreSQL the transaction's commit does not wait for the disk: every request pays for
    this write, and a crash would lose only the last instant's signatures (and, most
    likely, the work of those requests too).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL synchronous_commit TO OFF"))
    statement = upsert(session, SeenSignature, {"digest": digest, "expires_at": expires_at})
    inserted = session.execute(
        statement.on_conflict_do_nothing(index_elements=["digest"]).returning(SeenSignature.digest)
    )
    return inserted.first() is not None


def prune_signatures(session: Session, now: datetime) -> int:
    """Forget signatures whose window has closed (they are refused as stale anyway)."""
    result = session.execute(delete(SeenSignature).where(SeenSignature.expires_at <= now))
    return cast(CursorResult[tuple[()]], result).rowcount
