"""Cached Slack user profiles."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import UserProfile
from storage.rows import upsert


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
    """Insert or refresh a cached profile; an upsert, since two fetches may race."""
    values = {
        "team_id": team_id,
        "user_id": user_id,
        "name": name[:255],
        "tz": tz,
        "locale": locale,
        "is_admin": is_admin,
        "is_bot": is_bot,
        "deleted": deleted,
        "fetched_at": fetched_at,
    }
    statement = upsert(session, UserProfile, values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["team_id", "user_id"],
            set_={k: statement.excluded[k] for k in values if k not in ("team_id", "user_id")},
        )
    )
    profile = session.get(UserProfile, (team_id, user_id), populate_existing=True)
    assert profile is not None
    return profile


def workspace_admins(session: Session, team_id: str) -> list[str]:
    """People whose cached profile says they are a Slack workspace admin or owner."""
    rows = session.scalars(
        select(UserProfile.user_id)
        .where(
            UserProfile.team_id == team_id,
            UserProfile.is_admin.is_(True),
            UserProfile.deleted.is_(False),
            UserProfile.is_bot.is_(False),
        )
        .order_by(UserProfile.user_id)
    )
    return list(rows)


def team_profiles(session: Session, team_id: str) -> list[UserProfile]:
    """Every cached profile of a workspace, by user ID."""
    rows = session.scalars(
        select(UserProfile).where(UserProfile.team_id == team_id).order_by(UserProfile.user_id)
    )
    return list(rows)
