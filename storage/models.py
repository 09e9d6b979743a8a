"""SQLAlchemy models. Every row carries the Slack workspace it belongs to (`team_id`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.types import UTCDateTime

TEAM = String(32)
USER = String(32)


class Base(DeclarativeBase):
    """Declarative base of every Rolecall table."""


class UserProfile(Base):
    """A cached users.info answer: language, time zone, admin flags, deactivation."""

    __tablename__ = "user_profiles"
    team_id: Mapped[str] = mapped_column(TEAM, primary_key=True)
    user_id: Mapped[str] = mapped_column(USER, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    tz: Mapped[str | None] = mapped_column(String(64))
    locale: Mapped[str | None] = mapped_column(String(16))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WorkspaceSetting(Base):
    """A `/rolecall config` value overriding the environment default for one workspace."""

    __tablename__ = "workspace_settings"
    team_id: Mapped[str] = mapped_column(TEAM, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class RoleAssignment(Base):
    """A person holding a role."""

    __tablename__ = "role_assignments"
    __table_args__ = (UniqueConstraint("team_id", "role_key", "user_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM, index=True)
    role_key: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(USER)
    assigned_by: Mapped[str] = mapped_column(USER)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RoleBackup(Base):
    """The person named first for a role while its holders are away."""

    __tablename__ = "role_backups"
    team_id: Mapped[str] = mapped_column(TEAM, primary_key=True)
    role_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(USER)


class Absence(Base):
    """A person away until (and including) a date."""

    __tablename__ = "absences"
    team_id: Mapped[str] = mapped_column(TEAM, primary_key=True)
    user_id: Mapped[str] = mapped_column(USER, primary_key=True)
    until: Mapped[date] = mapped_column(Date)


class CustomRole(Base):
    """A role added at run time, beside the catalogue's."""

    __tablename__ = "custom_roles"
    team_id: Mapped[str] = mapped_column(TEAM, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)


class CustomArea(Base):
    """An area added at run time by an admin (`/owner add`)."""

    __tablename__ = "custom_areas"
    team_id: Mapped[str] = mapped_column(TEAM, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    role_key: Mapped[str] = mapped_column(String(64))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by: Mapped[str] = mapped_column(USER)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OwnerOverride(Base):
    """A person named owner of one area, winning over the role holders (`/owner set`)."""

    __tablename__ = "owner_overrides"
    team_id: Mapped[str] = mapped_column(TEAM, primary_key=True)
    area_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(USER)


class RoleEvent(Base):
    """One change to roles, areas or presence, for `/role history`."""

    __tablename__ = "role_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM, index=True)
    role_key: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[str] = mapped_column(USER)
    subject_id: Mapped[str | None] = mapped_column(USER)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class UnmatchedQuery(Base):
    """An `/owner` question that matched no area, counted for `/owner gaps`."""

    __tablename__ = "unmatched_queries"
    team_id: Mapped[str] = mapped_column(TEAM, primary_key=True)
    normalized: Mapped[str] = mapped_column(String(255), primary_key=True)
    sample: Mapped[str] = mapped_column(String(255))
    count: Mapped[int] = mapped_column(Integer, default=1)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Delivery(Base):
    """A claimed once-only delivery (a notice, a flag, a prompt): the key is unique."""

    __tablename__ = "deliveries"
    team_id: Mapped[str] = mapped_column(TEAM, primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TicketCounter(Base):
    """The last ticket number given out in a workspace (numbers count per workspace)."""

    __tablename__ = "ticket_counters"
    team_id: Mapped[str] = mapped_column(TEAM, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class Ticket(Base):
    """A customer issue in the support queue; text is stored exactly as typed."""

    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("team_id", "number"),
        UniqueConstraint("team_id", "dedupe_key"),
        Index("ix_tickets_team_status", "team_id", "status"),
        Index("ix_tickets_status_created", "status", "created_at"),
        # /issue list: each (severity, status) range read newest first (storage.tickets).
        Index("ix_tickets_list", "team_id", "severity", "status", "number"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    number: Mapped[int] = mapped_column(Integer)
    dedupe_key: Mapped[str | None] = mapped_column(String(255))
    summary: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    customer: Mapped[str | None] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    reporter_id: Mapped[str] = mapped_column(USER)
    assignee_id: Mapped[str | None] = mapped_column(USER)
    root_cause: Mapped[str | None] = mapped_column(Text)
    solution: Mapped[str | None] = mapped_column(Text)
    source_channel: Mapped[str | None] = mapped_column(String(32))
    source_ts: Mapped[str | None] = mapped_column(String(32))
    source_thread_ts: Mapped[str | None] = mapped_column(String(32))
    source_permalink: Mapped[str | None] = mapped_column(Text)
    card_channel: Mapped[str | None] = mapped_column(String(32))
    card_ts: Mapped[str | None] = mapped_column(String(32))
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_by: Mapped[str | None] = mapped_column(USER)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TicketEvent(Base):
    """One change to a ticket (status, assignee, escalation, resolution): who and when."""

    __tablename__ = "ticket_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    ticket_id: Mapped[int] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[str] = mapped_column(USER)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class OutboxDelivery(Base):
    """A Slack write recorded with the change that caused it, sent by the dispatcher.

    The table is `outbox` because `deliveries` already holds the once-only claims above.
    `key` is unique per workspace: enqueueing the same delivery twice records it once.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("team_id", "key"),
        # The dispatcher's question: what is due (pending, or sending with a dead lease)?
        Index("ix_outbox_due", "state", "next_attempt_at"),
        # A chain is sent in order: "is anything earlier in this chain still open?"
        Index("ix_outbox_chain", "team_id", "chain", "id"),
        Index("ix_outbox_coalesce", "team_id", "coalesce_key", "state"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    key: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(32))
    method: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(32))  # the channel, or the person for "dm"
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    chain: Mapped[str | None] = mapped_column(String(255))
    coalesce_key: Mapped[str | None] = mapped_column(String(255))
    anchor: Mapped[str | None] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    uncertain: Mapped[bool] = mapped_column(Boolean, default=False)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    result_channel: Mapped[str | None] = mapped_column(String(32))
    result_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
