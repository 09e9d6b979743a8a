"""The workspace configuration in force, and `/rolecall config` changes."""

from __future__ import annotations

from sqlalchemy.orm import Session

from domain.config import (
    CONFIG_KEYS,
    BadValue,
    Defaults,
    WorkspaceConfig,
    effective_config,
    normalize_value,
)
from domain.errors import UsageError
from i18n import lang_of
from storage.profiles import get_profile
from storage.workspace import set_workspace_setting, workspace_settings


def workspace_config(session: Session, settings: Defaults, team_id: str) -> WorkspaceConfig:
    """Environment defaults with the workspace's own overrides applied."""
    return effective_config(
        support_channel=settings.support_channel,
        admins=settings.admins,
        default_tz=settings.default_tz,
        holidays=settings.holidays,
        first_response=settings.first_response,
        language=settings.language,
        overrides=workspace_settings(session, team_id),
    )


def channel_lang(session: Session, settings: Defaults, team_id: str) -> str:
    """The language of everything Rolecall posts in this workspace's channels."""
    return workspace_config(session, settings, team_id).language


def person_lang(session: Session, settings: Defaults, team_id: str, user_id: str) -> str:
    """The language to write to someone in: their Slack locale, or, before Rolecall has seen
    their profile, the workspace's language."""
    profile = get_profile(session, team_id, user_id)
    if profile is not None and profile.locale:
        return lang_of(profile.locale)
    return channel_lang(session, settings, team_id)


def configured_keys(session: Session, team_id: str) -> set[str]:
    """The keys this workspace has set itself."""
    return set(workspace_settings(session, team_id))


def change_config(session: Session, team_id: str, key: str, raw: str) -> str | None:
    """Set (or with 'reset', remove) a workspace setting; returns the stored value."""
    key = key.lower().replace("-", "_")
    if key not in CONFIG_KEYS:
        raise UsageError(
            "rolecall.config.unknown_key",
            usage="rolecall.usage",
            key=key,
            keys=tuple(f"`{k}`" for k in CONFIG_KEYS),  # joined in the reader's way
        )
    if raw.strip().lower() in ("reset", "default", "unset"):
        set_workspace_setting(session, team_id, key, None)
        return None
    try:
        value = normalize_value(key, raw)
    except BadValue as bad:
        raise UsageError(
            "rolecall.config.bad_value",
            usage="rolecall.usage",
            key=key,
            value=raw,
            reason=bad.reason,
        ) from None
    set_workspace_setting(session, team_id, key, value)
    return value
