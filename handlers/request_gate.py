"""The request gate: what stands between the internet and Bolt on POST /slack/events.

In order, and before any listener, middleware or error handler sees the request:
1. size: a body over `max_body` gets 413 without being read (waitress refuses it first,
   while reading; the gate's own check covers any other WSGI server);
2. signature: Slack's v0 HMAC of "v0:{timestamp}:{body}" with the signing secret, the
   timestamp an integer within five minutes: anything else is 401;
3. shape: a signed body Slack would never send (not UTF-8, `payload=[]`, `view: null`, JSON
   where a form belongs, ...) is 400;
4. workspace: a request from a workspace this process does not serve is 403;
5. replay: a signature seen before is 409 (remembered in the store until it expires, so every
   replica refuses it).
A refused request gets a short JSON error, one log line without its body, and nothing else.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from slack_bolt import App, BoltRequest
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from sqlalchemy.exc import SQLAlchemyError

from handlers.inbound import MalformedBody, parse_body
from handlers.installation import Installations, installing_workspace, needs_no_workspace
from storage.db import Database
from storage.replay import prune_signatures, remember_signature

log = logging.getLogger(__name__)
StartResponse = Callable[..., Any]
# Slack's largest real bodies are a message shortcut on a 40 000-character message (its text
# and its rich-text blocks, percent-encoded: a CJK character takes 9 bytes) and a 100-block
# modal's view_submission: under 1 MiB. Twice that leaves room; a request is never larger.
MAX_BODY = 2 * 1024 * 1024
WINDOW_SECONDS = 5 * 60  # Slack's: a timestamp further from now than this is refused
PRUNE_EVERY_SECONDS = 60
_TIMESTAMP = re.compile(r"[0-9]{1,12}", re.ASCII)
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}", re.ASCII)


@dataclass(frozen=True)
class Refusal(Exception):
    """Why a request is turned away: the HTTP status and a short kind (also the log's)."""

    status: int
    kind: str


class RequestGate:
    """A WSGI application that admits only Slack's own requests, once each, to Bolt."""

    def __init__(
        self,
        app: App,
        *,
        signing_secret: str,
        installations: Installations,
        db: Database,
        max_body: int = MAX_BODY,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.app, self.installations, self.db = app, installations, db
        self.max_body, self.now = max_body, now
        self._secret = signing_secret.encode()
        self.refused: Counter[str] = Counter()  # refusals by kind, since start
        self._lock = threading.Lock()
        self._pruned_at = float("-inf")

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            raw = self._read(environ)
            timestamp, signature = self._verify(environ, raw)
            try:
                text, body = parse_body(raw, environ.get("CONTENT_TYPE", ""))
            except MalformedBody as error:
                log.info("refused a signed request: %s", error)
                raise Refusal(400, "malformed_body") from None
            if not needs_no_workspace(body) and (
                self.installations.find(installing_workspace(body)) is None
            ):
                raise Refusal(403, "foreign_workspace")
            self._remember(signature, timestamp)
        except Refusal as refusal:
            return self._refuse(environ, start_response, refusal)
        request = WsgiHttpRequest(environ)
        answer = self.app.dispatch(
            BoltRequest(body=text, query=request.query_string, headers=request.get_headers())
        )
        response = WsgiHttpResponse(answer.status, answer.headers, answer.body)
        start_response(response.status, response.get_headers())
        return response.get_body()

    def _read(self, environ: dict[str, Any]) -> bytes:
        """The body, read only when it fits: by its declared length, else up to the limit."""
        declared = str(environ.get("CONTENT_LENGTH") or "")
        stream = environ["wsgi.input"]
        if declared:
            if not declared.isascii() or not declared.isdigit():
                raise Refusal(400, "bad_length")
            if int(declared) > self.max_body:
                raise Refusal(413, "too_large")
            raw: bytes = stream.read(int(declared))
            if len(raw) != int(declared):
                raise Refusal(400, "bad_length")
            return raw
        raw = stream.read(self.max_body + 1)  # chunked, or no length given
        if len(raw) > self.max_body:
            raise Refusal(413, "too_large")
        return raw

    def _verify(self, environ: dict[str, Any], raw: bytes) -> tuple[int, str]:
        """The request's timestamp and signature digest once they prove Slack sent it."""
        stamp = str(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or "")
        signature = str(environ.get("HTTP_X_SLACK_SIGNATURE") or "")
        if not stamp or not signature:
            raise Refusal(401, "unsigned")
        if not _TIMESTAMP.fullmatch(stamp):
            raise Refusal(401, "bad_timestamp")
        if abs(self.now() - int(stamp)) > WINDOW_SECONDS:
            raise Refusal(401, "stale_timestamp")
        if not self._secret or not _SIGNATURE.fullmatch(signature):
            raise Refusal(401, "bad_signature")
        base = b"v0:" + stamp.encode() + b":" + raw
        expected = hmac.new(self._secret, base, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature[3:]):
            raise Refusal(401, "bad_signature")
        return int(stamp), signature[3:]

    def _remember(self, digest: str, timestamp: int) -> None:
        """Record the signature's one use (409 when it had one already)."""
        expires = datetime.fromtimestamp(timestamp + WINDOW_SECONDS, UTC)
        with self._lock:
            prune = time.monotonic() - self._pruned_at >= PRUNE_EVERY_SECONDS
            if prune:
                self._pruned_at = time.monotonic()
        try:
            with self.db.begin() as session:
                if prune:
                    prune_signatures(session, datetime.fromtimestamp(self.now(), UTC))
                first_use = remember_signature(session, digest, expires)
        except SQLAlchemyError as error:
            # Without the store a replay cannot be told apart: refuse, Slack will retry.
            log.warning("cannot record a request signature: %s", type(error).__name__)
            raise Refusal(503, "store_unavailable") from None
        if not first_use:
            raise Refusal(409, "replay")

    def _refuse(
        self, environ: dict[str, Any], start_response: StartResponse, refusal: Refusal
    ) -> Iterable[bytes]:
        with self._lock:
            self.refused[refusal.kind] += 1
        log.info(
            "refused %s from %s: HTTP %d",
            refusal.kind,
            environ.get("REMOTE_ADDR", "?"),
            refusal.status,
        )
        data = json.dumps({"error": refusal.kind}).encode()
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
        if refusal.status != 503:
            # Sending it again would be refused again: tell Slack not to retry an event.
            headers.append(("X-Slack-No-Retry", "1"))
        if refusal.status == 413:
            headers.append(("Connection", "close"))  # the unread body stays unread
        start_response(f"{refusal.status} {_REASONS[refusal.status]}", headers)
        return [data]


_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    409: "Conflict",
    413: "Payload Too Large",
    503: "Service Unavailable",
}
