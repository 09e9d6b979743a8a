"""Who may do what in the emulated workspace: the bot's scopes, and channel membership.

As Slack: a private channel is invisible from outside (`channel_not_found`) and refuses posts
(`not_in_channel`); a public one takes posts from outside only with `chat:write.public`, and
its history only from inside; an archived channel takes no posts (`is_archived`).
"""

from __future__ import annotations

from typing import Any

from slack_emulator.state import ApiError, EmulatedWorkspace

# The scopes a method needs (any one of them); the rest need none (views.*, chat.getPermalink).
METHOD_SCOPES: dict[str, tuple[str, ...]] = {
    "chat.postMessage": ("chat:write",),
    "chat.update": ("chat:write",),
    "chat.delete": ("chat:write",),
    "chat.postEphemeral": ("chat:write",),
    "chat.scheduleMessage": ("chat:write",),
    "chat.deleteScheduledMessage": ("chat:write",),
    "chat.scheduledMessages.list": ("chat:write",),
    "conversations.open": ("im:write", "mpim:write", "channels:manage", "groups:write"),
    "users.info": ("users:read",),
    "users.list": ("users:read",),
    "reactions.add": ("reactions:write",),
    "team.info": ("team:read",),
}


def require_scope(emu: EmulatedWorkspace, *any_of: str) -> None:
    """missing_scope (with needed/provided, as Slack says) unless one of them is granted."""
    if not emu.scopes.intersection(any_of):
        raise ApiError(
            "missing_scope", needed=",".join(any_of), provided=",".join(sorted(emu.scopes))
        )


def check_method_scope(emu: EmulatedWorkspace, method: str) -> None:
    """The scope check a method makes before anything else."""
    needed = METHOD_SCOPES.get(method)
    if needed:
        require_scope(emu, *needed)


def postable(emu: EmulatedWorkspace, channel: str) -> str:
    """The channel a bot message goes to (a user ID means their DM), or Slack's refusal."""
    found = emu._channels[emu._resolve_channel(channel)]
    if found.get("is_archived"):
        raise ApiError("is_archived")
    if not found.get("is_member") and (
        found.get("is_private") or "chat:write.public" not in emu.scopes
    ):
        raise ApiError("not_in_channel")
    return str(found["id"])


def readable(emu: EmulatedWorkspace, channel: str, *, history: bool = False) -> dict[str, Any]:
    """A channel the bot can see; reading its messages also needs the bot in it."""
    found = emu._channels.get(channel)
    if found is None or (found.get("is_private") and not found.get("is_member")):
        raise ApiError("channel_not_found")
    kind = "im" if found.get("is_im") else "groups" if found.get("is_private") else "channels"
    require_scope(emu, f"{kind}:history" if history else f"{kind}:read")
    if history and not found.get("is_member"):
        raise ApiError("not_in_channel")
    return found
