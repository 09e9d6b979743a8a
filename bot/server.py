"""HTTP serving: Slack requests at POST /slack/events (through the request gate), health at
GET /healthz, on waitress."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from sqlalchemy import text
from waitress import wasyncore
from waitress.server import create_server

from handlers.deps import Deps
from handlers.request_gate import MAX_BODY, RequestGate
from storage.db import Database

log = logging.getLogger(__name__)
StartResponse = Callable[..., Any]
EVENTS_PATH = "/slack/events"


def make_wsgi_app(
    slack: RequestGate, db: Database
) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """The WSGI application: the gate (then Bolt) on /slack/events, a database-checking
    /healthz, 404 else."""

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == EVENTS_PATH and method == "POST":
            return slack(environ, start_response)
        if path == "/healthz" and method in ("GET", "HEAD"):
            return _health(db, start_response)
        return _plain(start_response, "404 Not Found", {"error": "not_found"})

    return wsgi


def _health(db: Database, start_response: StartResponse) -> Iterable[bytes]:
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        log.warning("health check: database unreachable: %s", exc)
        return _plain(start_response, "503 Service Unavailable", {"ok": False, "database": "down"})
    return _plain(start_response, "200 OK", {"ok": True, "database": "up"})


def _plain(start_response: StartResponse, status: str, body: dict[str, Any]) -> Iterable[bytes]:
    data = json.dumps(body).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    )
    return [data]


class HttpServer:
    """Waitress serving the WSGI app; `run()` blocks, `start()` serves from a thread."""

    def __init__(
        self,
        app: App,
        deps: Deps,
        *,
        host: str = "0.0.0.0",
        port: int = 3000,
        max_body: int = MAX_BODY,
    ) -> None:
        self.gate = RequestGate(
            app,
            signing_secret=deps.settings.slack_signing_secret or "",
            installations=deps.installations,
            db=deps.db,
            max_body=max_body,
        )
        self._server = create_server(
            make_wsgi_app(self.gate, deps.db),
            host=host,
            port=port,
            threads=8,
            ident="rolecall",
            # Waitress refuses a longer body with 413 from its Content-Length, before reading
            # it, or as soon as a chunked one grows past it (its default is 1 GiB). It refuses
            # a body *reaching* its limit, hence the one byte more.
            max_request_body_size=max_body + 1,
        )
        self._stopping = threading.Event()
        self._woken = threading.Event()
        self._close_lock = threading.Lock()

    @property
    def port(self) -> int:
        """The port actually bound (useful with port 0)."""
        return int(self._server.effective_port)  # type: ignore[union-attr]

    def run(self) -> None:
        """Serve until interrupted."""
        self._server.run()

    def start(self) -> HttpServer:
        """Serve from a daemon thread (tests, benchmarks); `close()` stops it."""
        self._thread = threading.Thread(target=self._serve_until_closed, daemon=True)
        self._thread.start()
        return self

    def _serve_until_closed(self) -> None:
        # Our own loop, so that every socket is closed here, in the loop's thread, and never
        # from inside one of waitress's handlers: closing them from another thread, or from
        # a trigger callback, left descriptors closed twice (a later server's pipe broke).
        server = self._server
        while not self._stopping.is_set():
            wasyncore.loop(timeout=0.05, map=server._map, count=1)  # type: ignore[union-attr]
        # close() may still be writing to the trigger's pipe (it sets _stopping first, so
        # that the wake-up finds it set): close the pipe only once that write is done, or
        # the write hits a closed descriptor ("Bad file descriptor"), or a reused one.
        self._woken.wait(timeout=10)
        server.task_dispatcher.shutdown()
        wasyncore.close_all(server._map)  # type: ignore[union-attr]

    def close(self) -> None:
        """Stop serving (and, when serving from a thread, wait for it)."""
        thread = getattr(self, "_thread", None)
        if thread is None:
            self._server.close()
            return
        with self._close_lock:
            if not self._stopping.is_set():
                self._stopping.set()
                try:
                    self._server.trigger.pull_trigger()  # type: ignore[union-attr]  # wake now
                finally:
                    self._woken.set()
        thread.join(timeout=10)
