"""A fake OpenAI-compatible API on 127.0.0.1: records every request, answers embeddings deterministically,
and answers chat completions from a per-test script (text, tool calls, HTTP errors or a hang)."""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DIM = 16

# A scripted chat reply: {"content": str} | {"tool_calls": [(name, args), ...]} | {"status": int} | {"hang": s};
# or a callable that builds one from the request body.
Reply = dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]]


def fake_vector(text: str) -> list[float]:
    """A deterministic unit vector for a text: shared words give nearby vectors."""
    vector = [0.0] * DIM
    for word in text.lower().split():
        digest = hashlib.sha256(word.encode()).digest()
        vector[digest[0] % DIM] += 1.0
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [v / norm for v in vector]


def say(text: str) -> dict[str, Any]:
    """A plain assistant message."""
    return {"content": text}


def call(name: str, **args: Any) -> dict[str, Any]:
    """An assistant message calling one tool."""
    return {"tool_calls": [(name, args)]}


def fail(status: int = 500) -> dict[str, Any]:
    """An HTTP error reply."""
    return {"status": status}


def hang(seconds: float = 30.0) -> dict[str, Any]:
    """Hold the request open (released early when the server stops)."""
    return {"hang": seconds}


class FakeOpenAI:
    """Serve /v1/embeddings and /v1/chat/completions; `requests` holds (path, headers, body) of every call."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str], dict[str, Any]]] = []
        self.script: list[Reply] = []
        self._stopping = threading.Event()
        self._held: tuple[int, threading.Event] | None = None  # embeddings requests after the n-th wait for it
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
                fake.requests.append((self.path, dict(self.headers), body))
                path = self.path.rstrip("/")
                if path.endswith("/embeddings"):
                    fake._hold()
                    inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
                    data = [{"object": "embedding", "index": i, "embedding": fake_vector(t)}
                            for i, t in enumerate(inputs)]
                    self._reply(200, {"object": "list", "data": data, "model": body["model"],
                                      "usage": {"prompt_tokens": 1, "total_tokens": 1}})
                elif path.endswith("/chat/completions"):
                    self._chat(body)
                else:
                    self._reply(404, {"error": {"message": f"no route {self.path}", "type": "invalid_request_error"}})

            def _chat(self, body: dict[str, Any]) -> None:
                reply = fake._next(body)
                if "hang" in reply:
                    fake._stopping.wait(float(reply["hang"]))
                    return
                if "status" in reply:
                    error = {"error": {"message": "scripted failure", "type": "server_error"}}
                    self._reply(int(reply["status"]), error)
                    return
                self._reply(200, chat_completion(body.get("model", "fake"), reply))

            def _reply(self, status: int, payload: dict[str, Any]) -> None:
                raw = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)
                except (BrokenPipeError, ConnectionResetError):
                    return

            def log_message(self, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def hold_embeddings(self, after: int) -> threading.Event:
        """Embeddings requests after the first `after` wait (recorded) until the returned event is set."""
        gate = threading.Event()
        self._held = (after, gate)
        return gate

    def _hold(self) -> None:
        held = self._held
        if held is not None and len(self.embedding_requests) > held[0]:
            while not (held[1].wait(0.05) or self._stopping.is_set()):
                pass

    @property
    def embedding_requests(self) -> list[dict[str, Any]]:
        """The bodies of every embeddings request, in order (held ones included)."""
        return [body for path, _, body in self.requests if path.rstrip("/").endswith("/embeddings")]

    def _next(self, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            if not self.script:
                return {"status": 500}
            reply = self.script.pop(0)
        return reply(body) if callable(reply) else reply

    @property
    def base_url(self) -> str:
        """The /v1 base URL to give the OpenAI client."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    @property
    def chat_requests(self) -> list[dict[str, Any]]:
        """The bodies of every chat completion request, in order."""
        return [body for path, _, body in self.requests if path.rstrip("/").endswith("/chat/completions")]

    def stop(self) -> None:
        """Shut the server down, releasing any hanging request."""
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()


def chat_completion(model: str, reply: dict[str, Any]) -> dict[str, Any]:
    """A chat.completion object for a scripted reply."""
    message: dict[str, Any] = {"role": "assistant", "content": reply.get("content")}
    finish = "stop"
    if reply.get("tool_calls"):
        message["tool_calls"] = [
            {"id": f"call_{i}_{int(time.time() * 1000) % 100000}", "type": "function",
             "function": {"name": name, "arguments": json.dumps(args)}}
            for i, (name, args) in enumerate(reply["tool_calls"])
        ]
        finish = "tool_calls"
    return {
        "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()), "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }
