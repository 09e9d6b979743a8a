"""Run-time areas, per-area owner overrides, and unmatched `/owner` questions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from storage.models import CustomArea, OwnerOverride, UnmatchedQuery
from storage.rows import put_or_delete, upsert


def custom_areas(session: Session, team_id: str) -> list[CustomArea]:
    """The workspace's own areas, by key."""
    return list(
        session.scalars(
            select(CustomArea).where(CustomArea.team_id == team_id).order_by(CustomArea.key)
        )
    )


def custom_version(session: Session, team_id: str) -> tuple[object, ...]:
    """A cheap fingerprint of the workspace's own areas (they are only added): when it is
    unchanged, a catalogue built from them earlier is still right."""
    areas = session.execute(
        select(func.count(), func.max(CustomArea.created_at)).where(CustomArea.team_id == team_id)
    ).one()
    return tuple(areas)


def add_custom_area(
    session: Session, team_id: str, key: str, name: str, role_key: str, by: str, at: datetime
) -> CustomArea:
    """Store a new area owned by `role_key`."""
    row = CustomArea(
        team_id=team_id,
        key=key,
        name=name[:255],
        role_key=role_key,
        aliases=[],
        created_by=by,
        created_at=at,
    )
    session.add(row)
    session.flush()
    return row


def overrides(session: Session, team_id: str) -> dict[str, str]:
    """Person-specific owners by area key."""
    rows = session.scalars(select(OwnerOverride).where(OwnerOverride.team_id == team_id))
    return {row.area_key: row.user_id for row in rows}


def set_override(session: Session, team_id: str, area_key: str, user_id: str | None) -> None:
    """Name a person owner of an area, or (None) remove the override."""
    fields = None if user_id is None else {"user_id": user_id}
    put_or_delete(session, OwnerOverride, (team_id, area_key), fields)


def record_unmatched(
    session: Session, team_id: str, normalized: str, sample: str, at: datetime
) -> None:
    """Count a question that matched nothing (an upsert: two people may ask at once)."""
    values = {
        "team_id": team_id,
        "normalized": normalized[:255],
        "sample": sample[:255],
        "count": 1,
        "last_at": at,
    }
    statement = upsert(session, UnmatchedQuery, values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["team_id", "normalized"],
            set_={
                "count": UnmatchedQuery.count + 1,
                "sample": statement.excluded.sample,
                "last_at": statement.excluded.last_at,
            },
        )
    )


def top_unmatched(session: Session, team_id: str, limit: int = 15) -> list[UnmatchedQuery]:
    """The most asked unmatched questions, most asked (then most recent) first."""
    return list(
        session.scalars(
            select(UnmatchedQuery)
            .where(UnmatchedQuery.team_id == team_id)
            .order_by(UnmatchedQuery.count.desc(), UnmatchedQuery.last_at.desc())
            .limit(limit)
        )
    )


def forget_unmatched(session: Session, team_id: str, normalized: str) -> None:
    """Drop a gap once an area answers it."""
    session.execute(
        delete(UnmatchedQuery).where(
            UnmatchedQuery.team_id == team_id, UnmatchedQuery.normalized == normalized[:255]
        )
    )
