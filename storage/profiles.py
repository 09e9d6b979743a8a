"""Cached Slack user profiles."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import UserProfile


def get_profile(session: Session, team_id: str, user_id: str) -> UserProfile | None:
    """The cached profile, or None when never fetched."""
    return session.get(UserProfile, (team_id, user_id))


def get_profiles(session: Session, team_id: str, user_ids: Iterable[str]) -> dict[str, UserProfile]:
    """Cached profiles by user ID for the given users (missing ones are absent)."""
    ids = set(user_ids)
    if not ids:
        return {}
    rows = session.scalars(
        select(UserProfile).where(UserProfile.team_id == team_id, UserProfile.user_id.in_(ids))
    )
    return {row.user_id: row for row in rows}


def save_profile(
    session: Session,
    team_id: str,
    user_id: str,
    *,
    name: str,
    tz: str | None,
    locale: str | None,
    is_admin: bool,
    is_bot: bool,
    deleted: bool,
    fetched_at: datetime,
) -> UserProfile:
    """Insert or refresh a cached profile."""
    row = session.get(UserProfile, (team_id, user_id))
    if row is None:
        row = UserProfile(team_id=team_id, user_id=user_id)
        session.add(row)
    row.name = name[:255]
    row.tz = tz
    row.locale = locale
    row.is_admin = is_admin
    row.is_bot = is_bot
    row.deleted = deleted
    row.fetched_at = fetched_at
    return row
