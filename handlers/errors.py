"""The one error boundary: domain errors become a short ephemeral reply in the user's
language; anything else is logged with its traceback and the user gets a polite apology.

Acks go through `handle_listener_error` (registered with `app.error`); work after the ack
goes through `guarded`, and scheduled jobs through `report_job_error`.
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext, BoltResponse
from slack_bolt.context.respond import Respond
from sqlalchemy.exc import IntegrityError

from domain.errors import RolecallError
from handlers.deps import Deps
from handlers.replies import ephemeral, error_text
from i18n import t

log = logging.getLogger("rolecall")


def _lang(context: BoltContext | None) -> str:
    who = context.get("requester") if context is not None else None
    return getattr(who, "lang", "en")


def message_for(error: Exception, lang: str) -> str:
    """What the user is told about `error`."""
    if isinstance(error, RolecallError):
        return error_text(lang, error)
    if isinstance(error, IntegrityError):
        # Two requests changed the same thing at once; the other one won, nothing was lost.
        return t(lang, "error.raced")
    return t(lang, "error.unexpected")


def handle_listener_error(
    error: Exception, body: dict[str, Any], context: BoltContext, response: BoltResponse | None
) -> BoltResponse:
    """Turn an exception raised before the ack into a 200 answer the user can read."""
    if isinstance(error, IntegrityError):
        log.warning("a request lost a race: %s", error.orig)
    elif not isinstance(error, RolecallError):
        log.error("listener failed", exc_info=error)
    text = message_for(error, _lang(context))
    if body.get("type") == "view_submission":
        # Shown under the input it is about (a too-long field), else under the first one.
        block_id = _error_block(body.get("view") or {}, error)
        if isinstance(error, RolecallError):
            text = error_text(_lang(context), error, with_usage=False)
        answer: dict[str, Any] = (
            {"response_action": "errors", "errors": {block_id: text[:150]}} if block_id else {}
        )
    elif body.get("command"):
        answer = ephemeral(text)
    else:
        answer = {}
        respond = context.get("respond")
        if isinstance(respond, Respond) and body.get("response_url"):
            _respond_quietly(respond, text)
    return BoltResponse(
        status=200, body=json.dumps(answer), headers={"content-type": "application/json"}
    )


def _error_block(view: dict[str, Any], error: Exception) -> str | None:
    inputs = [
        str(block.get("block_id"))
        for block in view.get("blocks") or []
        if isinstance(block, dict) and block.get("type") == "input"
    ]
    field = error.params.get("field") if isinstance(error, RolecallError) else None
    return field if field in inputs else next(iter(inputs), None)


def _respond_quietly(respond: Respond, text: str) -> None:
    try:
        respond(replace_original=False, response_type="ephemeral", text=text)
    except Exception:
        log.exception("could not tell the user about an error")


def guarded(func: Callable[..., None]) -> Callable[..., None]:
    """Wrap work done after the ack (a lazy listener): report errors to the user too."""
    names = func.__code__.co_varnames[: func.__code__.co_argcount]

    @functools.wraps(func)
    def wrapper(**kwargs: Any) -> None:
        try:
            func(**{k: v for k, v in kwargs.items() if k in names})
        except Exception as error:
            if not isinstance(error, RolecallError):
                log.exception("work after the ack failed in %s", func.__name__)
            respond = kwargs.get("respond")
            if isinstance(respond, Respond):
                _respond_quietly(respond, message_for(error, _lang(kwargs.get("context"))))

    # Bolt injects arguments by the names in the signature: func's own, plus what the
    # boundary needs to reply.
    del wrapper.__wrapped__
    wanted = dict.fromkeys((*names, "context", "respond"))
    wrapper.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD) for n in wanted]
    )
    return wrapper


def after_ack(deps: Deps, work: Callable[..., Any], *args: Any) -> None:
    """Run Web API work off the request path, only when there is some; failures are
    logged with their traceback (the user already has their answer)."""

    def quietly() -> None:
        try:
            work(*args)
        except Exception:
            log.exception("work after the ack failed in %s", getattr(work, "__name__", work))

    deps.background.submit(quietly)


def report_job_error(error: Exception, job: str) -> None:
    """Scheduled work's errors go to the same log as listeners'."""
    if isinstance(error, RolecallError):
        log.warning("job %s: %s", job, error.key)
    else:
        log.error("job %s failed", job, exc_info=error)
