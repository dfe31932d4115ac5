"""A stand-in for the Anthropic Messages API on 127.0.0.1, so the real SDK can be tested offline.

It answers ``POST /v1/messages`` the way the API does, in a mode a test picks:
``ok`` (a message with ``reply`` as its text), ``slow`` (waits ``delay`` seconds
first), ``garbage`` (200 with non-JSON text), ``broken`` (200 whose body is not
JSON at all, as from a misbehaving proxy), or an error status (``401``,
``403``, ``404``, ``429``, ``500``, ``529``) with the API's error JSON. Every request is
recorded (path, headers, JSON body) so a test can check what was sent.
Tests start one with the ``serve()`` context manager, usually from a fixture.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# status -> the API's error type for it
ERRORS = {
    "401": "authentication_error",
    "403": "permission_error",
    "404": "not_found_error",
    "429": "rate_limit_error",
    "500": "api_error",
    "529": "overloaded_error",
}


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]  # names lower-cased
    body: Any


@dataclass
class MessagesServer:
    url: str = ""
    mode: str = "ok"
    reply: str = '{"type": "other", "tags": []}'
    delay: float = 2.0
    retry_after: str | None = "30"
    requests: list[Recorded] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)

    def set(self, mode: str, **changes: Any) -> None:
        self.mode = mode
        for name, value in changes.items():
            setattr(self, name, value)


def _handler(state: MessagesServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # keep pytest output clean
            pass

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("content-length") or 0))
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode("utf-8", "replace")
            headers = {name.lower(): value for name, value in self.headers.items()}
            state.requests.append(Recorded(self.path, headers, body))
            if self.path.split("?")[0] != "/v1/messages":
                self._error(404, "not_found_error", f"no route for {self.path}")
            elif state.mode in ERRORS:
                self._error(int(state.mode), ERRORS[state.mode], f"test server mode {state.mode}")
            elif state.mode == "slow" and state.stopping.wait(state.delay):
                return  # the fixture is shutting down; the client gave up long ago
            elif state.mode == "broken":
                self._send(200, None)
            else:
                text = "Sure! Here are some tags: none, really." if state.mode == "garbage" else state.reply
                model = body.get("model", "") if isinstance(body, dict) else ""
                self._send(200, _message(len(state.requests), model, text))

        def _error(self, status: int, kind: str, message: str) -> None:
            extra = {"retry-after": state.retry_after} if status == 429 and state.retry_after is not None else {}
            self._send(status, {"type": "error", "error": {"type": kind, "message": message}}, extra)

        def _send(self, status: int, payload: dict[str, Any] | None, extra: dict[str, str] | None = None) -> None:
            data = json.dumps(payload).encode() if payload is not None else b"<html>Bad gateway</html>"
            try:
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.send_header("request-id", f"req_test_{len(state.requests)}")
                for name, value in (extra or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client timed out and hung up first

    return Handler


def _message(number: int, model: str, text: str) -> dict[str, Any]:
    return {
        "id": f"msg_test_{number}",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 100, "output_tokens": 50},
    }


@contextmanager
def serve() -> Iterator[MessagesServer]:
    """Run a server for the length of a ``with`` block (wrap it in a fixture)."""
    state = MessagesServer()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True  # a "slow" handler must not hold up the test's end
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
