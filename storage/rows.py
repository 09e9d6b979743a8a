"""Row-level helpers shared by the repositories."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import Insert as PgInsert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.models import Base


def upsert(session: Session, model: type[Base], values: dict[str, Any]) -> PgInsert | SqliteInsert:
    """An INSERT … ON CONFLICT-capable statement for the session's database (both SQLite and
    PostgreSQL spell it the same way, from different modules)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    return insert(model).values(**values)


def put_or_delete(
    session: Session, model: type[Base], key: tuple[str, ...], values: dict[str, Any] | None
) -> None:
    """Set the row at primary `key` to `values`, or delete it when `values` is None."""
    row = session.get(model, key)
    if values is None:
        if row is not None:
            session.delete(row)
        return
    if row is None:
        names = [column.name for column in model.__table__.primary_key]
        session.add(model(**dict(zip(names, key, strict=True)), **values))
        return
    for name, value in values.items():
        setattr(row, name, value)
