"""uvicorn, configured for production behind a load balancer, with `badger serve` in charge of signals."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Generator, Iterator

import uvicorn
from starlette.types import ASGIApp

from core.settings import Settings

BACKLOG = 2048


class Server(uvicorn.Server):
    """uvicorn without its own signal handlers: `badger serve` drains the answers first, then sets should_exit."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        """Leave SIGTERM and SIGINT to the caller."""
        yield


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (port 0 picks a free one), bound before the server starts."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(BACKLOG)
    return sock


def build_server(app: ASGIApp, settings: Settings) -> Server:
    """uvicorn with keep-alive, proxy headers from trusted proxies, a graceful-shutdown bound and quiet logs."""
    config = uvicorn.Config(
        app, lifespan="off", log_config=None, access_log=False, server_header=False, backlog=BACKLOG,
        proxy_headers=True, forwarded_allow_ips=settings.badger_forwarded_allow_ips,
        timeout_keep_alive=int(settings.badger_http_keepalive_seconds),
        timeout_graceful_shutdown=max(1, int(settings.badger_shutdown_grace_seconds)),
        h11_max_incomplete_event_size=64 * 1024)
    return Server(config)


@contextlib.contextmanager
def serving_in_thread(app: ASGIApp, settings: Settings, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve `app` on a free port in a background thread (tests, benchmarks); yields its base URL."""
    sock = bind(host, 0)
    server = build_server(app, settings)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="badger-http", daemon=True)
    thread.start()
    try:
        while not server.started and thread.is_alive():
            threading.Event().wait(0.01)
        yield f"http://{host}:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
