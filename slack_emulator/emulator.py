"""A small in-memory Slack Web API served over loopback HTTP (for `rolecall shell` and tests)."""

from __future__ import annotations

import contextlib
import copy
import json
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Self, cast
from urllib.parse import parse_qsl, urlsplit

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
    "ResponsePost",
    "SlackEmulator",
]

# slack_sdk form-encodes these as JSON strings; decode them so tests see Python objects.
_JSON_ARGS = ("blocks", "view", "attachments")

RawReply = tuple[int, dict[str, str], bytes]


@dataclass(frozen=True)
class ApiCall:
    """One Web API request as the emulator received it."""

    method: str
    args: dict[str, Any]
    token: str | None


@dataclass(frozen=True)
class ResponsePost:
    """One JSON body posted to a response_url."""

    key: str
    body: dict[str, Any]


def _parse_args(query: str, body: bytes, content_type: str) -> dict[str, Any]:
    args: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    if body and "json" in content_type:
        parsed = json.loads(body)
        args.update(parsed if isinstance(parsed, dict) else {})
    elif body:
        args.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    for key in _JSON_ARGS:
        value = args.get(key)
        if isinstance(value, str) and value.lstrip()[:1] in ("[", "{"):
            # An undecodable value stays a string; the handler decides whether that is an error.
            with contextlib.suppress(ValueError):
                args[key] = json.loads(value)
    return args


def _json_reply(payload: dict[str, Any]) -> RawReply:
    return 200, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(payload).encode()


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
        self.errors: list[str] = []  # tracebacks of emulator bugs, answered as internal_error
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------------
    def start(self) -> Self:
        """Bind the port and serve from a daemon thread; returns self."""
        self._server = _Server(self._address, _RequestHandler)
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

    def response_url(self, key: str) -> str:
        """The response_url whose posts are recorded under `key`."""
        return f"{self.base_url}/respond/{key}"

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
            args = _parse_args(query, body, headers.get("Content-Type", ""))
        except ValueError:
            return _json_reply({"ok": False, "error": "invalid_json"})
        bearer = headers.get("Authorization", "")
        token = bearer[7:] if bearer.startswith("Bearer ") else args.get("token")
        call = ApiCall(method, args, token)
        with self._lock:
            self._calls.append(call)
        intercepted = self._intercept(call)
        if intercepted is not None:
            return intercepted
        result = self._dispatch(call)
        if self._on_call is not None:
            self._run_hook(self._on_call, call)
        return _json_reply(result)

    def _dispatch(self, call: ApiCall) -> dict[str, Any]:
        handler = self.handlers.get(call.method)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        try:
            with self._lock:
                # Deep-copied under the lock: the reply must not share lists with live state.
                return copy.deepcopy({"ok": True, **handler(self, copy.deepcopy(call.args))})
        except ApiError as exc:
            return {"ok": False, "error": exc.error}
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
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            return 400, {"Content-Type": "text/plain"}, b"invalid_payload"
        post = ResponsePost(key, payload if isinstance(payload, dict) else {"payload": payload})
        with self._lock:
            self._responses.append(post)
        if self._on_response is not None:
            self._run_hook(self._on_response, post)
        return 200, {"Content-Type": "text/html"}, b"ok"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    emulator: SlackEmulator

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients hanging up mid-request are normal in tests; stay quiet


class _RequestHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        emulator = cast(_Server, self.server).emulator
        parts = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if parts.path.startswith("/api/"):
            reply = emulator._serve_api(parts.path[len("/api/") :], parts.query, body, self.headers)
        elif parts.path.startswith("/respond/"):
            reply = emulator._serve_response(parts.path[len("/respond/") :], body)
        else:
            reply = (404, {"Content-Type": "text/plain"}, b"not_found")
        status, headers, payload = reply
        self.send_response(status)
        for name, value in {**headers, "Content-Length": str(len(payload))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # no per-request logging on stderr
