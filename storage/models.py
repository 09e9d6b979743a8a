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
    """A role added at run time, beside the catalogue's.

    Nothing writes it yet (no command adds a role; SPEC §1 allows one): the table stays so
    that command needs no migration, and it reads these rows into `services.roles`."""

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
    # Whom the latest escalation went to (`to`; `backup` and `why` when the tech lead's
    # backup stood in), as its event records it: the card names them without a query.
    escalated_to: Mapped[dict[str, Any] | None] = mapped_column(JSON)
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


class SeenSignature(Base):
    """A Slack request signature already accepted, kept until its timestamp leaves the
    five-minute window, so a replayed request is refused (by every replica: it is shared).

    Not per workspace: it is checked before the request is trusted to name one."""

    __tablename__ = "seen_signatures"
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


# ---- Scheduled standups and weekly progress updates (revision 0006) ----


class PromptSchedule(Base):
    """A `/standup schedule` or `/progress schedule`: which roles, local days and time, where."""

    __tablename__ = "schedules"
    __table_args__ = (
        Index("ix_schedules_team", "team_id", "kind", "active"),
        Index("ix_schedules_active", "active", "id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    kind: Mapped[str] = mapped_column(String(16))  # standup | progress
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty: every role
    days: Mapped[str] = mapped_column(String(32))  # domain.schedule_parsing.format_days
    local_time: Mapped[str] = mapped_column(String(5))  # HH:MM
    channel: Mapped[str] = mapped_column(String(32))
    window_minutes: Mapped[int] = mapped_column(Integer, default=240)
    created_by: Mapped[str] = mapped_column(USER)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    removed_by: Mapped[str | None] = mapped_column(USER)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ScheduleSlot(Base):
    """A schedule's (zone, local date) whose participants have been listed: planned once."""

    __tablename__ = "schedule_slots"
    __table_args__ = (UniqueConstraint("schedule_id", "local_date", "tz"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    schedule_id: Mapped[int] = mapped_column(Integer)
    local_date: Mapped[date] = mapped_column(Date)
    tz: Mapped[str] = mapped_column(String(64))
    prompt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cutoff_at: Mapped[datetime] = mapped_column(UTCDateTime)
    participants: Mapped[int] = mapped_column(Integer, default=0)
    planned_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PromptOccurrence(Base):
    """One participant's part in one occurrence: when they are prompted, and how far it got.

    `tick` reads only due rows: ix_prompt_occurrences_due (state, prompt_at) for prompts,
    ix_prompt_occurrences_remind (state, remind_at) for reminders.
    """

    __tablename__ = "prompt_occurrences"
    __table_args__ = (
        UniqueConstraint("team_id", "schedule_id", "local_date", "user_id"),
        Index("ix_prompt_occurrences_due", "state", "prompt_at"),
        Index("ix_prompt_occurrences_remind", "state", "remind_at"),
        Index("ix_prompt_occurrences_user", "team_id", "user_id", "cutoff_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    schedule_id: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[str] = mapped_column(USER)
    local_date: Mapped[date] = mapped_column(Date)
    tz: Mapped[str] = mapped_column(String(64))
    prompt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    remind_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cutoff_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(16))  # domain.schedules.STATES
    reason: Mapped[str | None] = mapped_column(String(16))  # why skipped: away, paused, …
    prompted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dm_channel: Mapped[str | None] = mapped_column(String(32))
    dm_ts: Mapped[str | None] = mapped_column(String(32))
    scheduled_message_id: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PromptAnswer(Base):
    """A participant's answer to one occurrence; editable until its cut-off."""

    __tablename__ = "prompt_answers"
    __table_args__ = (
        UniqueConstraint("team_id", "schedule_id", "local_date", "user_id"),
        Index("ix_prompt_answers_user", "team_id", "user_id", "kind", "local_date"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    schedule_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(USER)
    local_date: Mapped[date] = mapped_column(Date)
    done: Mapped[str] = mapped_column(Text, default="")
    planned: Mapped[str] = mapped_column(Text, default="")
    # [{"text": …, "since": "YYYY-MM-DD"}]: each blocker with the date it was first reported.
    blockers: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    answers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # per question
    thread_ts: Mapped[str | None] = mapped_column(String(32))  # its reply under the digest
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Digest(Base):
    """The channel summary of one occurrence (schedule, local date), final at `final_at`."""

    __tablename__ = "digests"
    __table_args__ = (
        UniqueConstraint("team_id", "schedule_id", "local_date"),
        Index("ix_digests_due", "final", "final_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    schedule_id: Mapped[int] = mapped_column(Integer)
    local_date: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the first prompt
    final_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the latest cut-off
    final: Mapped[bool] = mapped_column(Boolean, default=False)
    finalized_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StandupPause(Base):
    """A person's own `/standup skip until …` and `/standup pause`."""

    __tablename__ = "standup_pauses"
    team_id: Mapped[str] = mapped_column(TEAM, primary_key=True)
    user_id: Mapped[str] = mapped_column(USER, primary_key=True)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    skip_until: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


# Participants of a slot are the role holders in one zone: read by (team, tz), not all profiles.
Index("ix_user_profiles_tz", UserProfile.team_id, UserProfile.tz)


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
