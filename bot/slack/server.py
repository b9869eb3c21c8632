"""HTTP mode: a threaded WSGI server with Bolt on /slack/events and a /healthz for the load balancer."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import text
from sqlalchemy.engine import Engine

logger = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class ThreadingServer(ThreadingMixIn, WSGIServer):
    """One thread per request, so a slow client never delays another's ack."""

    daemon_threads = True
    request_queue_size = 256


class QuietHandler(WSGIRequestHandler):
    """Access lines at DEBUG instead of stderr (they carry no message text, but are noise at INFO)."""

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("http " + format, *args)


def health(engine: Engine) -> tuple[str, dict[str, Any]]:
    """200 when the database answers, 503 otherwise."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 (any failure means unhealthy)
        logger.warning("healthz.database_down kind=%s", type(exc).__name__)
        return "503 Service Unavailable", {"ok": False, "database": "unreachable"}
    return "200 OK", {"ok": True, "database": "ok"}


def wsgi_app(app: App, engine: Engine | None = None) -> WSGIApp:
    """Bolt on /slack/events, the health check on /healthz, 404 elsewhere."""
    bolt = SlackRequestHandler(app, path=EVENTS_PATH)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH:
            status, body = health(engine) if engine is not None else ("200 OK", {"ok": True})
            data = json.dumps(body).encode()
            start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
            return [data]
        return bolt(environ, start_response)

    return application


def make_http_server(application: WSGIApp, *, host: str, port: int) -> WSGIServer:
    """A threaded server bound to host:port (port 0 picks a free one)."""
    return make_server(host, port, application, server_class=ThreadingServer, handler_class=QuietHandler)
