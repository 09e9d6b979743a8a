"""Which workspace a request belongs to, and whether this process serves it.

A process holds one bot token (`SLACK_BOT_TOKEN`); `auth.test` tells which workspace (or
Enterprise org, for an org-wide install) it belongs to. Every request is resolved to the
workspace that *installed* the app — in a Slack Connect channel that is not the team of the
person clicking — and refused unless an `Installation` serves it. `Installations.find` is the
seam where a per-team token store (OAuth) can replace the single token later.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from slack_bolt import BoltContext, BoltRequest, BoltResponse
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

log = logging.getLogger(__name__)
INSTALLATION_KEY = "installation"  # where the guard leaves the Installation on the context


class InstallationError(Exception):
    """The bot token cannot be used; the message is one line naming the setting."""


@dataclass(frozen=True)
class Workspace:
    """The installing workspace a request names (either ID may be unknown)."""

    team_id: str | None
    enterprise_id: str | None = None


@dataclass(frozen=True)
class Installation:
    """One installation of the app: its workspace (or org) and its bot token."""

    team_id: str | None
    enterprise_id: str | None
    is_enterprise_install: bool
    bot_user_id: str | None
    bot_id: str | None
    token: str = ""
    url: str | None = None  # the workspace's own address (auth.test), e.g. https://acme.slack.com/

    def serves(self, workspace: Workspace) -> bool:
        """Whether a request from `workspace` is this installation's to answer."""
        if self.is_enterprise_install:
            return workspace.enterprise_id is not None and workspace.enterprise_id == (
                self.enterprise_id
            )
        if workspace.team_id is None or workspace.team_id != self.team_id:
            return False
        # Team IDs are unique across Slack; an enterprise that is named must agree too.
        return workspace.enterprise_id in (None, self.enterprise_id)

    def __repr__(self) -> str:  # never show the token, in logs or tracebacks
        return (
            f"Installation(team_id={self.team_id!r}, enterprise_id={self.enterprise_id!r}, "
            f"is_enterprise_install={self.is_enterprise_install})"
        )


class Installations(Protocol):
    """Looks up the installation serving a workspace (None: not ours)."""

    def find(self, workspace: Workspace) -> Installation | None:
        """The installation serving `workspace`, if any."""
        ...


@dataclass(frozen=True)
class SingleInstallation:
    """The one workspace of a process started with one bot token."""

    installation: Installation

    def find(self, workspace: Workspace) -> Installation | None:
        """The installation when it serves `workspace`."""
        return self.installation if self.installation.serves(workspace) else None


def learn_installation(client: WebClient) -> Installation:
    """Ask Slack (`auth.test`) which workspace the client's token belongs to."""
    try:
        answer = client.auth_test()
    except SlackApiError as error:
        reason = error.response.get("error") if error.response is not None else None
        raise InstallationError(
            f"SLACK_BOT_TOKEN: Slack refused the token ({reason or 'no reason given'})"
        ) from None
    except (SlackClientError, OSError) as error:
        raise InstallationError(
            f"ROLECALL_SLACK_API_URL: cannot reach Slack at {client.base_url} "
            f"({type(error).__name__})"
        ) from None
    team_id, enterprise_id = answer.get("team_id"), answer.get("enterprise_id")
    is_org = bool(answer.get("is_enterprise_install"))
    if not (enterprise_id if is_org else team_id):
        raise InstallationError("SLACK_BOT_TOKEN: auth.test named no workspace for the token")
    return Installation(
        team_id=team_id or None,
        enterprise_id=enterprise_id or None,
        is_enterprise_install=is_org,
        bot_user_id=answer.get("user_id"),
        bot_id=answer.get("bot_id"),
        token=client.token or "",
        url=answer.get("url") or None,
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _id_of(value: Any) -> str | None:
    """A field that Slack sends either as an ID or as an object with an `id`."""
    if isinstance(value, Mapping):
        return _text(value.get("id"))
    return _text(value)


def installing_workspace(body: Mapping[str, Any]) -> Workspace:
    """The workspace that installed the app, as a request (any kind) names it.

    In a Slack Connect channel `team`/`user.team_id` can be the clicking person's own
    organisation; the installing one is in `authorizations[0]` (Events API),
    `view.app_installed_team_id` (modals, App Home) or, for a click on a message the app
    posted, that message's `team`. Only then the request's own `team` / `team_id`.
    """
    team, user = body.get("team"), body.get("user")
    own_team = (
        _id_of(team)
        or _text(body.get("team_id"))
        or (_text(user.get("team_id")) if isinstance(user, Mapping) else None)
    )
    own_enterprise = (
        _id_of(body.get("enterprise"))
        or _text(body.get("enterprise_id"))
        or (_text(team.get("enterprise_id")) if isinstance(team, Mapping) else None)
    )
    authorizations = body.get("authorizations")
    if isinstance(authorizations, list) and authorizations:
        first = authorizations[0]
        if isinstance(first, Mapping):
            return Workspace(_text(first.get("team_id")), _text(first.get("enterprise_id")))
    installed = _installed_team(body)
    if installed is not None:
        # The request's enterprise is the clicker's: it says nothing of another workspace.
        return Workspace(installed, own_enterprise if installed == own_team else None)
    return Workspace(own_team, own_enterprise)


def _installed_team(body: Mapping[str, Any]) -> str | None:
    view = body.get("view")
    if isinstance(view, Mapping) and _text(view.get("app_installed_team_id")):
        return _text(view.get("app_installed_team_id"))
    message = body.get("message")
    if (
        isinstance(message, Mapping)
        and _text(message.get("app_id"))
        and message.get("app_id") == body.get("api_app_id")
    ):
        return _text(message.get("team"))
    return None


def needs_no_workspace(body: Mapping[str, Any]) -> bool:
    """Slack's own checks of the request URL, which name no workspace."""
    return body.get("type") == "url_verification" or body.get("ssl_check") == "1"


def make_workspace_guard(
    installations: Installations,
) -> Callable[[BoltRequest, BoltContext, dict[str, Any], Callable[[], Any]], Any]:
    """Bolt middleware (before authorization): refuse another workspace's request with
    nothing done, and put the installing workspace on the context for everyone after.

    Over HTTP the request gate refused such requests already; this covers Socket Mode and
    the shell, which reach Bolt directly.
    """

    def guard_workspace(
        request: BoltRequest, context: BoltContext, body: dict[str, Any], next: Callable[[], Any]
    ) -> Any:  # `next`: Bolt hands middleware its arguments by name
        if needs_no_workspace(body):
            return next()
        workspace = installing_workspace(body)
        found = installations.find(workspace)
        if found is None:
            log.info("refused a request from workspace %s (not served here)", workspace.team_id)
            # Socket Mode: ack the envelope with nothing, so Slack does not send it again.
            status = 200 if request.mode == "socket_mode" else 403
            return BoltResponse(status=status, body="")
        # Bolt read team_id from `team` first; what follows must see the installing one.
        context[INSTALLATION_KEY] = found
        if workspace.team_id:
            context["team_id"] = workspace.team_id
        context["enterprise_id"] = found.enterprise_id
        return next()

    return guard_workspace


def authorize(context: BoltContext, user_id: str | None) -> AuthorizeResult:
    """Bolt's `authorize`: the token of the installation the guard found, without asking
    Slack again (auth.test ran once, at start-up)."""
    found = context.get(INSTALLATION_KEY)
    if not isinstance(found, Installation):
        raise RuntimeError("the workspace guard did not run")
    return AuthorizeResult(
        enterprise_id=found.enterprise_id,
        team_id=context.team_id or found.team_id,
        bot_user_id=found.bot_user_id,
        bot_id=found.bot_id,
        bot_token=found.token,
        user_id=user_id,
    )
