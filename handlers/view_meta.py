"""What the app puts in a modal's `private_metadata`, signed so a submission can be trusted.

Slack hands `private_metadata` back as the client sent it, and anyone holding a view's ID
can submit a view with any metadata; so the app signs what it stores there (HMAC-SHA256
with the signing secret, bound to the view's callback ID, the workspace and the person the
modal was opened for) and reads back only what carries its own signature.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any
from urllib.parse import urlsplit

SEP = "."


def _mac(secret: str, callback_id: str, team_id: str, user_id: str, body: str) -> str:
    message = "\n".join((callback_id, team_id, user_id, body)).encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def seal(secret: str | None, callback_id: str, team_id: str, user_id: str, data: Any) -> str:
    """`data` as JSON with the app's signature in front."""
    body = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return _mac(secret or "", callback_id, team_id, user_id, body) + SEP + body


def unseal(secret: str | None, callback_id: str, team_id: str, user_id: str, meta: Any) -> Any:
    """What `seal` put in, or None when the metadata is not the app's own (forged, altered,
    opened for someone else or another kind of modal)."""
    if not isinstance(meta, str):
        return None
    mac, sep, body = meta.partition(SEP)
    if not sep:
        return None
    wanted = _mac(secret or "", callback_id, team_id, user_id, body)
    if not hmac.compare_digest(mac, wanted):
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def own_permalink(link: Any, workspace_url: str | None) -> str | None:
    """`link` when it is an https permalink on the workspace's own Slack domain, else None."""
    if not isinstance(link, str) or not link or not workspace_url:
        return None
    if any(ch in link for ch in "<>| \n\r\t"):  # mrkdwn link syntax would break out
        return None
    try:
        got, own = urlsplit(link), urlsplit(workspace_url)
    except ValueError:
        return None
    if got.scheme != "https" or not own.hostname or got.hostname != own.hostname:
        return None
    if got.username or got.password or got.port:
        return None
    return link


def sealed_view(secret: str | None, team_id: str, user_id: str, view: dict[str, Any]) -> Any:
    """The modal with its `private_metadata` signed for this workspace and person."""
    meta = str(view.get("private_metadata") or "")
    callback = str(view.get("callback_id") or "")
    return {**view, "private_metadata": seal(secret, callback, team_id, user_id, meta)}


def view_meta(secret: str | None, team_id: str, user_id: str, view: dict[str, Any]) -> str | None:
    """The metadata a submitted modal was opened with, or None when it is not the app's own."""
    callback = str(view.get("callback_id") or "")
    found = unseal(secret, callback, team_id, user_id, view.get("private_metadata"))
    return found if isinstance(found, str) else None
