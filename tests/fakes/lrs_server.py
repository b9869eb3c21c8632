"""A fake xAPI learning record store on 127.0.0.1, strict where a real one is: version header, auth, id conflicts.

POST /statements takes one statement or a list; a batch with any id the store already holds is refused whole
with 409 (nothing stored). PUT /statements?statementId=ID stores one (409 when the id exists). `down` answers 503;
statement ids in `refuse` answer 400. `requests` records (method, path, headers, body) of every call.
"""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse


class FakeLRS:
    """An LRS accepting Basic auth (`user`/`password`) or a bearer `token`."""

    def __init__(self, *, user: str = "lrs-user", password: str = "lrs-pass",  # noqa: S107 - a test double
                 token: str | None = None) -> None:
        self.statements: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str, dict[str, str], Any]] = []
        self.down = False
        self.refuse: set[str] = set()
        expected = (f"Bearer {token}" if token else
                    "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode())
        lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _answer(self, status: int, body: Any = None) -> None:
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("X-Experience-API-Version", "1.0.3")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self) -> None:
                url = urlparse(self.path)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                body = json.loads(raw) if raw else None
                with lock:
                    fake.requests.append((self.command, url.path, dict(self.headers), body))
                    if fake.down:
                        return self._answer(503, {"error": "maintenance"})
                    if self.headers.get("X-Experience-API-Version") != "1.0.3":
                        return self._answer(400, {"error": "X-Experience-API-Version 1.0.3 is required"})
                    if self.headers.get("Authorization") != expected:
                        return self._answer(401, {"error": "unauthorised"})
                    if not url.path.endswith("/statements") or "json" not in (self.headers.get("Content-Type") or ""):
                        return self._answer(400, {"error": "JSON statements only"})
                    batch = body if isinstance(body, list) else [body]
                    if self.command == "PUT":
                        wanted = parse_qs(url.query).get("statementId", [""])[0]
                        if not batch or batch[0].get("id") not in (None, wanted):
                            return self._answer(400, {"error": "statementId must match the statement's id"})
                        batch[0]["id"] = wanted
                    ids = [str(s.get("id")) for s in batch]
                    if refused := [i for i in ids if i in fake.refuse]:
                        return self._answer(400, {"error": f"invalid statement {refused[0]}"})
                    if any(i in fake.statements for i in ids) or len(set(ids)) != len(ids):
                        return self._answer(409, {"error": "statement id conflict"})
                    for statement in batch:
                        fake.statements[str(statement["id"])] = statement
                if self.command == "PUT":
                    return self._answer(204)
                return self._answer(200, ids)

            do_POST = do_PUT = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.endpoint = f"http://127.0.0.1:{self._server.server_address[1]}/xapi/"

    def stop(self) -> None:
        """Shut the server down."""
        self._server.shutdown()
        self._server.server_close()
