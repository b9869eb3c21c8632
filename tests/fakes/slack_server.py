"""A fake Slack Web API on 127.0.0.1: records every call, answers like Slack, and fails on request.

`WebClient(base_url=fake.api_url)` talks to it; `fake.response_url(...)` gives URLs that stand in for a
slash command's or a button's `response_url`. Failures are scripted per method: HTTP 429 with
Retry-After, HTTP 5xx, or `{"ok": false, "error": "ratelimited"}`; `fake.down = True` answers 503 to all.
`fake.stall(method)` makes the next call take effect (a message is posted) but hold its response until released,
which lets a test kill a client between Slack acting and the client hearing about it.
`fake.latency` (seconds) delays every answer, like the real Slack's ~150 ms; `fake.throttled = n` answers every
call 429 with Retry-After n (a workspace-wide limit) until set back to None; `fail(..., channel=...)` limits one
channel only. Each call records when it arrived (`at`) and when its answer was sent (`done`).
`fake.socket_mode_url` (a ws:// URL, e.g. a FakeSocketMode's) is what `apps.connections.open` answers.
`fake.add_channel(name)` makes a channel that conversations.list shows and "#name" posts land in (by its id);
files uploaded with files_upload_v2 are in `fake.files` (id, filename, title, channel, thread_ts, content).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

BOT_USER = "UBADGERBOT"
TEAM = "T0BADGER"


@dataclass
class Call:
    """One request the fake received: the API method (or "response_url"), its arguments and headers."""

    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    path: str = ""
    at: float = field(default_factory=time.monotonic)
    done: float = 0.0  # when the answer was sent (monotonic)


@dataclass
class Failure:
    """A scripted failure for the next `times` calls of a method."""

    times: int
    status: int = 429
    retry_after: int | None = 1
    error: str | None = None  # an `ok: false` body with this error instead of an HTTP error
    channel: str | None = None  # only calls to this channel fail


def _decode(body: bytes, content_type: str) -> dict[str, Any]:
    if not body:
        return {}
    if "json" in content_type:
        data = json.loads(body)
        return data if isinstance(data, dict) else {"_": data}
    args: dict[str, Any] = {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
    for key in ("blocks", "view", "metadata", "prompts", "files", "attachments"):
        if isinstance(args.get(key), str) and args[key][:1] in "[{":
            args[key] = json.loads(args[key])
    return args


class FakeSlack:
    """Serve /api/<method> and /response/<id>; `calls` holds every request in order."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.tokens: set[str] | None = None  # when set, Web API calls with another bearer token get invalid_auth
        self.sentinels: list[str] = []  # names of the sentinel response_urls answered (kept out of `calls`)
        self.failures: dict[str, list[Failure]] = {}
        self.down = False
        self.latency = 0.0
        self.throttled: int | None = None
        self.users: dict[str, dict[str, Any]] = {}
        self.messages: dict[str, list[dict[str, Any]]] = {}  # channel -> messages posted, oldest first
        self.uploads: dict[str, bytes] = {}
        self.files: list[dict[str, Any]] = []  # files shared by files.completeUploadExternal
        self.channels: dict[str, str] = {}  # channel name -> id
        self._filenames: dict[str, str] = {}
        self._ts = itertools.count(1)
        self._lock = threading.Lock()
        self.stalls: dict[str, threading.Event] = {}
        self.socket_mode_url: str | None = None
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                fake._handle(self, raw)

            def do_GET(self) -> None:
                fake._handle(self, b"")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def api_url(self) -> str:
        """The Web API base URL (SLACK_API_URL)."""
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str = "r1") -> str:
        """A response_url that records what the app sends to it."""
        return f"http://127.0.0.1:{self.port}/response/{name}"

    def stop(self) -> None:
        """Shut the server down."""
        for gate in list(self.stalls.values()):
            gate.set()
        self.server.shutdown()
        self.server.server_close()

    # scripting -------------------------------------------------------------------------------
    def fail(self, method: str, *, times: int = 1, status: int = 429, retry_after: int | None = 1,
             error: str | None = None, channel: str | None = None) -> None:
        """Make the next `times` calls of `method` (to `channel`, if given) fail."""
        self.failures.setdefault(method, []).append(Failure(times, status, retry_after, error, channel))

    def stall(self, method: str) -> threading.Event:
        """The next call of `method` acts but holds its response until the returned event is set."""
        gate = threading.Event()
        self.stalls[method] = gate
        return gate

    def add_channel(self, name: str, channel_id: str = "") -> str:
        """A channel the bot is in; its id."""
        self.channels[name.lstrip("#")] = channel_id or f"C{name.lstrip('#').upper().replace('-', '')[:9]}"
        return self.channels[name.lstrip("#")]

    def add_user(self, user_id: str, *, name: str = "", tz: str = "Europe/London", email: str = "") -> None:
        """A user that users.info knows, with a timezone."""
        self.users[user_id] = {"id": user_id, "name": name or user_id.lower(), "real_name": name, "tz": tz,
                               "tz_offset": 0, "profile": {"email": email, "real_name": name}}

    # reading ---------------------------------------------------------------------------------
    def of(self, method: str) -> list[Call]:
        """Every recorded call of one method."""
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def posted(self) -> list[dict[str, Any]]:
        """The arguments of every chat.postMessage, in order."""
        return [c.args for c in self.of("chat.postMessage")]

    def wait_for(self, method: str, count: int = 1, timeout: float = 60.0) -> list[Call]:
        """Wait until `method` was called `count` times; its calls (AssertionError on timeout)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.of(method)
            if len(found) >= count:
                return found
            time.sleep(0.01)
        raise AssertionError(f"{method} called {len(self.of(method))} times, wanted {count}: "
                             f"{[c.method for c in self.calls]}")

    # serving ---------------------------------------------------------------------------------
    def _handle(self, handler: BaseHTTPRequestHandler, raw: bytes) -> None:
        path = handler.path.split("?")[0]
        if path.startswith("/upload/"):  # raw file bytes, whatever the Content-Type says
            file_id = path.rsplit("/", 1)[1]
            method, args = "upload", {"file_id": file_id, "size": len(raw)}
            self.uploads[file_id] = raw
        else:
            args = _decode(raw, handler.headers.get("Content-Type", ""))
            if "?" in handler.path:
                args.update({k: v[0] for k, v in parse_qs(handler.path.split("?", 1)[1]).items()})
            method = "response_url" if path.startswith("/response/") else path.removeprefix("/api/")
        if path.startswith("/response/sentinel-"):  # a test's sentinel request: its reply is not the app's
            with self._lock:
                self.sentinels.append(path.rsplit("/", 1)[1])
            return _send(handler, 200, {"ok": True})
        call = Call(method, args, dict(handler.headers), path)
        with self._lock:
            self.calls.append(call)
            failure = self._take_failure(method, args)
        try:
            self._respond(handler, method, args, failure, path)
        finally:
            call.done = time.monotonic()

    def _respond(self, handler: BaseHTTPRequestHandler, method: str, args: dict[str, Any],
                 failure: Failure | None, path: str) -> None:
        if self.latency:
            time.sleep(self.latency)
        if (throttled := self.throttled) is not None:
            return _send(handler, 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(throttled)})
        if self.down:
            return _send(handler, 503, {"ok": False, "error": "service_unavailable"})
        bearer = handler.headers.get("Authorization", "").removeprefix("Bearer ")
        if self.tokens is not None and path.startswith("/api/") and bearer not in self.tokens:
            return _send(handler, 200, {"ok": False, "error": "invalid_auth"})
        if failure is not None:
            if failure.error:
                return _send(handler, 200, {"ok": False, "error": failure.error})
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
            error = {429: "ratelimited", 503: "service_unavailable"}.get(failure.status, "internal_error")
            return _send(handler, failure.status, {"ok": False, "error": error}, headers)
        if method == "response_url":
            return _send(handler, 200, {"ok": True})
        answer = self._answer(method, args)
        gate = self.stalls.pop(method, None)
        if gate is not None:
            gate.wait(60)
        _send(handler, 200, answer)

    def _take_failure(self, method: str, args: dict[str, Any]) -> Failure | None:
        queue = self.failures.get(method) or []
        failure = next((f for f in queue if f.channel in (None, args.get("channel"))), None)
        if failure is None:
            return None
        failure.times -= 1
        if failure.times <= 0:
            queue.remove(failure)
        return failure

    def _next_ts(self) -> str:
        return f"{1700000000 + next(self._ts)}.000100"

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "user_id": BOT_USER, "bot_id": "B0BADGER", "team_id": TEAM, "team": "Badger Test",
                    "url": "https://badger-test.slack.com/"}
        if method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            return self._post(method, args)
        if method == "apps.connections.open" and self.socket_mode_url:
            return {"ok": True, "url": self.socket_mode_url}
        if method == "conversations.open":
            users = str(args.get("users", ""))
            return {"ok": True, "channel": {"id": "D" + users.split(",")[0].lstrip("U")}}
        if method in ("conversations.history", "conversations.replies"):
            return self._history(method, args)
        if method == "users.info":
            user = self.users.get(str(args.get("user", "")))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if method.startswith("views."):
            view = args.get("view") if isinstance(args.get("view"), dict) else {}
            return {"ok": True, "view": {"id": f"V{next(self._ts)}", **(view or {})}}
        if method == "conversations.list":
            channels = [{"id": cid, "name": name, "is_member": True} for name, cid in self.channels.items()]
            return {"ok": True, "channels": channels, "response_metadata": {"next_cursor": ""}}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts)}"
            self._filenames[file_id] = str(args.get("filename", ""))
            return {"ok": True, "file_id": file_id, "upload_url": f"http://127.0.0.1:{self.port}/upload/{file_id}"}
        if method == "upload":
            return {"ok": True}
        if method == "files.completeUploadExternal":
            for f in args.get("files", []):
                self.files.append({"id": f["id"], "filename": self._filenames.get(f["id"], ""),
                                   "title": f.get("title", ""), "channel": args.get("channel_id"),
                                   "thread_ts": args.get("thread_ts"), "content": self.uploads.get(f["id"], b"")})
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title", "")} for f in args.get("files", [])]}
        return {"ok": True}  # reactions.add, assistant.threads.*, and the rest

    def _post(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel", ""))
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if method == "chat.update":
            return {"ok": True, "channel": channel, "ts": args.get("ts"), "text": args.get("text", "")}
        if channel.startswith("U"):
            channel = "D" + channel[1:]  # posting to a user id lands in the app's DM with them
        channel = self.channels.get(channel.lstrip("#"), channel) if not channel[:1].isupper() else channel
        ts = self._next_ts()
        message = {"type": "message", "ts": ts, "user": BOT_USER, "text": args.get("text", ""),
                   "blocks": args.get("blocks", []), "thread_ts": args.get("thread_ts")}
        if args.get("metadata"):
            message["metadata"] = args["metadata"]
        with self._lock:
            self.messages.setdefault(channel, []).append(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _history(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            found = list(self.messages.get(str(args.get("channel", "")), []))
        if method == "conversations.replies":
            thread = args.get("ts")
            found = [m for m in found if thread in (m["ts"], m.get("thread_ts"))]
        else:  # history is newest first, top-level messages only
            found = [m for m in reversed(found) if m.get("thread_ts") in (None, m["ts"])]
        if str(args.get("include_all_metadata", "")).lower() not in ("1", "true"):
            found = [{k: v for k, v in m.items() if k != "metadata"} for m in found]  # Slack hides it unless asked
        return {"ok": True, "messages": found[: int(args.get("limit", 100) or 100)], "has_more": False}


def _send(handler: BaseHTTPRequestHandler, status: int, body: dict[str, Any],
          headers: dict[str, str] | None = None) -> None:
    data = json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json; charset=utf-8")
    handler.send_header("Content-Length", str(len(data)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(data)
