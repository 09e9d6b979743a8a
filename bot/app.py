"""The app factory: everything is built here, nothing at import."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient

from bot.background import Background
from bot.clock import Clock
from bot.deps import Deps
from bot.settings import Settings
from domain.catalog import Catalog, load_catalog
from handlers import register_all
from storage.db import Database


def create_app(
    settings: Settings,
    db: Database,
    client: WebClient,
    *,
    catalog: Catalog | None = None,
    clock: Clock | None = None,
    background: Background | None = None,
) -> tuple[App, Deps]:
    """Build the Bolt app and its dependencies.

    Listeners ack inline (`process_before_response=True`): answers come from the store in the
    ack itself, and Web API work runs afterwards in lazy listeners on `background`.
    """
    deps = Deps(
        settings=settings,
        db=db,
        catalog=catalog if catalog is not None else load_catalog(settings.catalog),
        clock=clock or Clock(),
        background=background or Background(),
    )
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret or "",
        process_before_response=True,
        token_verification_enabled=False,
        listener_executor=deps.background,
        logger=logging.getLogger("rolecall.bolt"),
    )
    register_all(app, deps)
    return app, deps
