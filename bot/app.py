"""The app factory: everything is built here, nothing at import."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient

from bot.settings import Settings
from bot.slack_client import make_delivery_client
from domain.catalog import Catalog, load_catalog
from handlers import register_all
from handlers.background import Background
from handlers.clock import Clock
from handlers.delivery import Dispatcher, Timer
from handlers.deps import Deps
from handlers.installation import (
    Installation,
    SingleInstallation,
    authorize,
    learn_installation,
    make_workspace_guard,
)
from handlers.issue_outbox import card_kinds
from handlers.standup_jobs import standup_kinds
from storage.db import Database


def create_app(
    settings: Settings,
    db: Database,
    client: WebClient,
    *,
    catalog: Catalog | None = None,
    clock: Clock | None = None,
    background: Background | None = None,
    installation: Installation | None = None,
    timer: Timer | None = None,
) -> tuple[App, Deps]:
    """Build the Bolt app and its dependencies.

    Listeners ack inline (`process_before_response=True`): answers come from the store in the
    ack itself, and Web API work runs afterwards in lazy listeners on `background`. Without
    `installation`, the token's workspace is learnt from `auth.test` now (InstallationError
    when Slack refuses the token), so that no request is served for another workspace.
    """
    deps = Deps(
        settings=settings,
        db=db,
        catalog=catalog if catalog is not None else load_catalog(settings.catalog),
        clock=clock or Clock(),
        background=background or Background(),
        installations=SingleInstallation(installation or learn_installation(client)),
    )
    # The outbox's sender: its own client (no retries of its own, short timeouts; it paces
    # and retries itself), so bulk deliveries never hold up interactive calls on `client`.
    sender = make_delivery_client(settings, token=client.token)
    deps.dispatcher = Dispatcher(
        db,
        sender,
        kinds={**card_kinds(settings, sender), **standup_kinds()},
        timer=timer or Timer(deps.clock.now),
    )
    # Bolt warns that `authorize` makes the client's token unused; it does not (handlers post
    # with app.client), so Bolt is built while the client holds no token.
    token, client.token = client.token, None
    try:
        app = App(
            client=client,
            signing_secret=settings.slack_signing_secret or "",
            process_before_response=True,
            # HTTP requests are verified by handlers.request_gate before Bolt sees them; Bolt's own
            # check would log a refused request's whole body at INFO.
            request_verification_enabled=False,
            before_authorize=make_workspace_guard(deps.installations),
            authorize=authorize,
            listener_executor=deps.background,
            logger=logging.getLogger("rolecall.bolt"),
        )
    finally:
        client.token = token
    register_all(app, deps)
    return app, deps
