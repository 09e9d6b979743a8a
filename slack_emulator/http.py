"""The emulator's loopback HTTP: Web API calls under /api/, response_url posts under /respond/."""

from __future__ import annotations

import contextlib
import json
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol, cast
from urllib.parse import parse_qsl, urlsplit

# slack_sdk form-encodes these as JSON strings; decode them so tests see Python objects.
_JSON_ARGS = ("blocks", "view", "attachments")

RawReply = tuple[int, dict[str, str], bytes]


class Served(Protocol):
    """What the HTTP layer hands requests to (the SlackEmulator)."""

    def _serve_api(self, method: str, query: str, body: bytes, headers: Message) -> RawReply: ...

    def _serve_response(self, key: str, body: bytes) -> RawReply: ...


def parse_args(query: str, body: bytes, content_type: str) -> dict[str, Any]:
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


def text_reply(status: int, text: str) -> RawReply:
    return status, {"Content-Type": "text/html"}, text.encode()


def json_reply(payload: dict[str, Any]) -> RawReply:
    return 200, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(payload).encode()


class Server(ThreadingHTTPServer):
    daemon_threads = True
    emulator: Served

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients hanging up mid-request are normal in tests; stay quiet


class RequestHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        emulator = cast(Server, self.server).emulator
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
