"""A fake Slack Socket Mode endpoint on 127.0.0.1: a WebSocket server that says hello, pushes envelopes, records acks.

Give its `url` to a FakeSlack (`slack.socket_mode_url = socket.url`) so that `apps.connections.open` hands it to
the app. `push(...)` sends an envelope like Slack's (slash_commands, events_api, interactive) to every open
connection; `wait_ack(envelope_id)` returns the app's acknowledgement (`{"envelope_id": ..., "payload": ...}`).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

APP_ID = "A0BADGER"


class FakeSocketMode:
    """Serve ws://127.0.0.1:<port>/link/; `acks` holds every message the app sent, in order."""

    def __init__(self) -> None:
        self.acks: list[dict[str, Any]] = []
        self.connections: list[ServerConnection] = []
        self.paths: list[str] = []  # the request path of every connection made
        self._ids = itertools.count(1)
        self._changed = threading.Condition()
        self.server: Server = serve(self._session, "127.0.0.1", 0, ping_interval=None, compression=None)
        self.port = int(self.server.socket.getsockname()[1])
        self._thread = threading.Thread(target=self.server.serve_forever, name="fake-socket-mode", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """The WebSocket URL `apps.connections.open` returns."""
        return f"ws://127.0.0.1:{self.port}/link/?ticket=fake-ticket&app_id={APP_ID}"

    def stop(self) -> None:
        """Close every connection and the server."""
        for connection in list(self.connections):
            connection.close()
        self.server.shutdown()
        self._thread.join(timeout=5)

    # scripting -------------------------------------------------------------------------------
    def push(self, kind: str, payload: dict[str, Any], *, envelope_id: str | None = None,
             retry_attempt: int = 0) -> str:
        """Send an envelope of `kind` (slash_commands, events_api, interactive) on the newest connection; its id."""
        envelope_id = envelope_id or f"env-{next(self._ids):04d}"
        envelope: dict[str, Any] = {"envelope_id": envelope_id, "type": kind, "payload": payload,
                                    "accepts_response_payload": kind != "events_api"}
        if kind == "events_api":
            envelope.update(retry_attempt=retry_attempt, retry_reason="timeout" if retry_attempt else "")
        self.wait_connected()[-1].send(json.dumps(envelope))
        return envelope_id

    def disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask the app to reconnect, as Slack does every few hours."""
        for connection in self.wait_connected():
            connection.send(json.dumps({"type": "disconnect", "reason": reason}))

    # reading ---------------------------------------------------------------------------------
    def wait_connected(self, count: int = 1, timeout: float = 60.0) -> list[ServerConnection]:
        """Wait until `count` connections were made and one is open; the open ones."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.paths) >= count and bool(self.connections), timeout):
                raise AssertionError(f"{len(self.paths)} Socket Mode connections, wanted {count}")
            return list(self.connections)

    def wait_ack(self, envelope_id: str, timeout: float = 60.0) -> dict[str, Any]:
        """The app's acknowledgement of one envelope (AssertionError on timeout)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [ack for ack in self.acks if ack.get("envelope_id") == envelope_id]
                if found:
                    return found[0]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no ack for {envelope_id}; acks: {self.acks}")
                self._changed.wait(left)

    # serving ---------------------------------------------------------------------------------
    def _session(self, connection: ServerConnection) -> None:
        with self._changed:
            self.connections.append(connection)
            self.paths.append(connection.request.path if connection.request else "")
            self._changed.notify_all()
        try:
            connection.send(json.dumps({"type": "hello", "num_connections": len(self.connections),
                                        "debug_info": {"host": "fake-applink", "approximate_connection_time": 18060},
                                        "connection_info": {"app_id": APP_ID}}))
            for message in connection:
                data = json.loads(message)
                with self._changed:
                    self.acks.append(data if isinstance(data, dict) else {"_": data})
                    self._changed.notify_all()
        except ConnectionClosed:
            pass
        finally:
            with self._changed:
                self.connections.remove(connection)
                self._changed.notify_all()
