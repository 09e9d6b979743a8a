"""Who may change things."""

from __future__ import annotations

from collections.abc import Collection

ADMIN_ROLE = "product-owner"


def is_admin(
    user_id: str,
    *,
    configured_admins: Collection[str],
    workspace_admin: bool,
    admin_role_holders: Collection[str],
) -> bool:
    """Admins: configured users, Slack workspace admins/owners, product-owner holders."""
    return user_id in configured_admins or workspace_admin or user_id in admin_role_holders


def may_change_presence(actor_id: str, subject_id: str, *, actor_is_admin: bool) -> bool:
    """A person marks themself away or back; admins may do it for anyone."""
    return actor_id == subject_id or actor_is_admin
