"""HTTP serving: Slack requests at POST /slack/events, health at GET /healthz, on waitress."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import text
from waitress import wasyncore
from waitress.server import create_server

from storage.db import Database

log = logging.getLogger(__name__)
StartResponse = Callable[..., Any]
EVENTS_PATH = "/slack/events"


def make_wsgi_app(
    app: App, db: Database
) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """The WSGI application: Bolt on /slack/events, a database-checking /healthz, 404 else."""
    slack = SlackRequestHandler(app)

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

    def __init__(self, app: App, db: Database, *, host: str = "0.0.0.0", port: int = 3000) -> None:
        self._server = create_server(
            make_wsgi_app(app, db), host=host, port=port, threads=8, ident="rolecall"
        )

    @property
    def port(self) -> int:
        """The port actually bound (useful with port 0)."""
        return int(self._server.effective_port)  # type: ignore[union-attr]

    def run(self) -> None:
        """Serve until interrupted."""
        self._server.run()

    def start(self) -> HttpServer:
        """Serve from a daemon thread (tests, benchmarks)."""
        self._thread = threading.Thread(target=self._server.run, daemon=True, name="rolecall-http")
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving; from another thread, the sockets are closed inside the loop's thread,
        since closing them under a running select() fails with a bad file descriptor."""
        server = self._server
        thread = getattr(self, "_thread", None)
        if thread is None:
            server.close()
            return

        def shut() -> None:
            server.task_dispatcher.shutdown()
            wasyncore.close_all(server._map)  # type: ignore[union-attr]

        server.trigger.pull_trigger(shut)  # type: ignore[union-attr]
        thread.join(timeout=10)
