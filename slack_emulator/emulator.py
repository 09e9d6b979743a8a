"""A small in-memory Slack Web API served over loopback HTTP (for `rolecall shell` and tests).

It answers as strictly as Slack: content over Block Kit's limits, posts where the bot may not
post, stale or reused trigger IDs and response_urls are refused with Slack's errors, and each
refusal of content (a bug in the app, never a passing condition) is kept in `rejections`.
"""

from __future__ import annotations

import copy
import json
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from email.message import Message
from typing import Any, ClassVar, Self

from slack_emulator import responses as responses
from slack_emulator.access import check_method_scope
from slack_emulator.blocks import Refusal, check_message, check_view
from slack_emulator.http import (
    RawReply,
    RequestHandler,
    Server,
    json_reply,
    parse_args,
    text_reply,
)
from slack_emulator.methods import HANDLERS, Handler
from slack_emulator.state import (
    APP_ID,
    BOT_ID,
    BOT_USER_ID,
    PERMALINK_HOST,
    ApiError,
    EmulatedWorkspace,
)

__all__ = [
    "APP_ID",
    "BOT_ID",
    "BOT_USER_ID",
    "PERMALINK_HOST",
    "ApiCall",
    "ApiError",
    "Handler",
    "RawReply",
    "Rejection",
    "ResponsePost",
    "SlackEmulator",
]

# Errors about the content itself: the app built something Slack never shows.
CONTENT_ERRORS = frozenset(
    {
        "invalid_blocks",
        "invalid_blocks_format",
        "msg_blocks_too_long",
        "msg_too_long",
        "no_text",
        "invalid_arguments",
        "view_too_large",
    }
)


@dataclass(frozen=True)
class ApiCall:
    """One Web API request as the emulator received it (`error`: Slack's answer, if it failed)."""

    method: str
    args: dict[str, Any]
    token: str | None
    error: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class ResponsePost:
    """One JSON body posted to a response_url, and what Slack made of it.

    `effect` is one of slack_emulator_responses' effects ("ephemeral", "in_channel",
    "replaced", "deleted", "ignored"), or "refused" with Slack's `error`; `ts` is the stored
    message it made or changed; `ignored` names the fields Slack did not act on.
    """

    key: str
    body: dict[str, Any]
    effect: str = field(default="", compare=False)
    error: str | None = field(default=None, compare=False)
    ts: str | None = field(default=None, compare=False)
    ignored: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Rejection:
    """Content Slack refused: where it was sent, Slack's error and what Slack said of it."""

    where: str
    error: str
    messages: tuple[str, ...] = ()


class SlackEmulator(EmulatedWorkspace):
    """An in-memory Slack workspace answering Web API calls on a loopback HTTP port."""

    handlers: ClassVar[dict[str, Handler]] = HANDLERS

    def __init__(
        self,
        team_id: str = "T0001",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        on_call: Callable[[ApiCall], None] | None = None,
        on_response: Callable[[ResponsePost], None] | None = None,
    ) -> None:
        super().__init__(team_id)
        self._address = (host, port)
        self._on_call, self._on_response = on_call, on_response
        self._calls: list[ApiCall] = []
        self._responses: list[ResponsePost] = []
        self._origins: dict[str, responses.Origin] = {}
        self.rejections: list[Rejection] = []  # content Slack refused: the app's bugs
        self.errors: list[str] = []  # tracebacks of emulator bugs, answered as internal_error
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------------
    def start(self) -> Self:
        """Bind the port and serve from a daemon thread; returns self."""
        self._server = Server(self._address, RequestHandler)
        self._server.emulator = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """The root URL, e.g. http://127.0.0.1:PORT."""
        if self._server is None:
            raise RuntimeError("SlackEmulator is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        """The Web API base URL for WebClient(base_url=...)."""
        return f"{self.base_url}/api/"

    def response_url(
        self,
        key: str,
        *,
        kind: str = responses.COMMAND,
        channel: str | None = None,
        user: str | None = None,
        message_ts: str | None = None,
    ) -> str:
        """The response_url whose posts are recorded under `key`, handed out with a request
        of `kind` (command, message, ephemeral, shortcut) in `channel` by `user`; a click on a
        channel message names it by `message_ts`. The first call for a key defines it."""
        with self._lock:
            self._origins.setdefault(key, responses.Origin(kind, channel, user, message_ts))
        return f"{self.base_url}/respond/{key}"

    def expire_response_url(self, key: str) -> None:
        """Let a response_url run out, as 30 minutes would."""
        with self._lock:
            self._origins[key].expired = True

    def check_ack(self, kind: str, body: dict[str, Any]) -> Refusal | None:
        """What Slack says of an ack body (kind "command" or "view_submission"); a refusal is
        kept in `rejections`, as the user would only see Slack's error."""
        refusal: Refusal | None = None
        if kind == "command" and (body.get("text") or body.get("blocks")):
            refusal = check_message(body)
        elif kind == "view_submission" and body.get("response_action") in ("update", "push"):
            refusal = check_view(body.get("view"))
        if refusal is not None:
            self._reject(f"ack of a {kind}", refusal.error, refusal.messages)
        return refusal

    def _reject(self, where: str, error: str, messages: tuple[str, ...] = ()) -> None:
        if error in CONTENT_ERRORS:
            with self._lock:
                self.rejections.append(Rejection(where, error, messages))

    # --- recorded traffic ------------------------------------------------------------------
    @property
    def calls(self) -> list[ApiCall]:
        """Every Web API call so far, in order (a copy)."""
        with self._lock:
            return list(self._calls)

    @property
    def responses(self) -> list[ResponsePost]:
        """Every response_url post so far, in order (a copy)."""
        with self._lock:
            return list(self._responses)

    # --- request handling (called from server threads) -----------------------------------
    def _intercept(self, call: ApiCall) -> RawReply | None:
        """Hook for fault injection: return a raw reply to send instead of handling the call."""
        return None

    def _serve_api(self, method: str, query: str, body: bytes, headers: Message) -> RawReply:
        try:
            args = parse_args(query, body, headers.get("Content-Type", ""))
        except ValueError:
            return json_reply({"ok": False, "error": "invalid_json"})
        bearer = headers.get("Authorization", "")
        token = bearer[7:] if bearer.startswith("Bearer ") else args.get("token")
        call = ApiCall(method, args, token)
        with self._lock:
            index = len(self._calls)
            self._calls.append(call)
        intercepted = self._intercept(call)
        if intercepted is not None:
            return intercepted
        result = self._dispatch(call)
        if not result.get("ok"):
            call = replace(call, error=str(result.get("error")))
            with self._lock:
                self._calls[index] = call
            messages = result.get("response_metadata", {}).get("messages", [])
            self._reject(method, call.error or "", tuple(messages))
        if self._on_call is not None:
            self._run_hook(self._on_call, call)
        return json_reply(result)

    def _dispatch(self, call: ApiCall) -> dict[str, Any]:
        handler = self.handlers.get(call.method)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        try:
            with self._lock:
                check_method_scope(self, call.method)
                # Deep-copied under the lock: the reply must not share lists with live state.
                return copy.deepcopy({"ok": True, **handler(self, copy.deepcopy(call.args))})
        except ApiError as exc:
            return {"ok": False, "error": exc.error, **exc.extra}
        except Exception as exc:
            # An emulator bug: answer as Slack would, and keep the trace for the tests to show.
            self.errors.append(traceback.format_exc())
            return {"ok": False, "error": "internal_error", "detail": repr(exc)}

    def _run_hook(self, hook: Callable[[Any], None], item: ApiCall | ResponsePost) -> None:
        try:
            hook(item)
        except Exception:
            # A failing hook (e.g. the shell's renderer) must not cost the client its answer.
            self.errors.append(traceback.format_exc())

    def _serve_response(self, key: str, body: bytes) -> RawReply:
        """A response_url post: refused as Slack refuses it (HTTP 4xx, the error as text), else
        applied to where the URL came from (responses.apply)."""
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            return text_reply(400, "invalid_payload")
        if not isinstance(payload, dict):
            return text_reply(400, "invalid_payload")
        with self._lock:
            origin = self._origins.get(key)
            error = "no_service" if origin is None else responses.usable(origin)
            status = 404
            refusal = responses.check(payload) if not error else None
            if refusal is not None:
                status, error = 400, refusal.error
            if error:
                post = ResponsePost(key, payload, "refused", error)
            else:
                assert origin is not None
                origin.posts += 1
                outcome = responses.apply(self, origin, payload)
                post = ResponsePost(key, payload, outcome.effect, None, outcome.ts, outcome.ignored)
            self._responses.append(post)
        if refusal is not None:
            self._reject("a response_url", refusal.error, refusal.messages)
        if self._on_response is not None:
            self._run_hook(self._on_response, post)
        return text_reply(status, error) if error else text_reply(200, "ok")
