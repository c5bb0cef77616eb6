"""A local stand-in for an OpenAI-compatible chat completions server.

litellm's real client talks to it (``ai_api_base``), so the tests exercise the
library's own request building and error mapping. It speaks
``POST /v1/chat/completions`` (OpenAI's JSON), records each request body, and
answers from a script: each entry is the assistant's text, or ``Slow(seconds,
text)``, or ``Status(code)`` for an HTTP error, or ``Raw(bytes)`` for a body that is
not JSON. With the script empty it answers ``default``.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Slow:
    seconds: float
    text: str


@dataclass(frozen=True)
class Status:
    code: int


@dataclass(frozen=True)
class Raw:
    body: bytes


Answer = str | Slow | Status | Raw


class LlmStandIn:
    def __init__(self, default: str = "{}") -> None:
        self.default = default
        self.script: list[Answer] = []
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def start(self) -> LlmStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer(self, *answers: Answer) -> None:
        with self._lock:
            self.script.extend(answers)

    def prompt_text(self, n: int = -1) -> str:
        """Every message's content of request ``n``, joined."""
        return "\n".join(m["content"] for m in self.requests[n]["messages"])

    def _next(self) -> Answer:
        with self._lock:
            return self.script.pop(0) if self.script else self.default

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                if not self.path.endswith("/chat/completions"):
                    self._send(404, b'{"error": {"message": "not found"}}')
                    return
                with standin._lock:
                    standin.requests.append(body)
                answer = standin._next()
                if isinstance(answer, Status):
                    message = {"error": {"message": f"stand-in says {answer.code}"}}
                    self._send(answer.code, json.dumps(message).encode())
                    return
                if isinstance(answer, Raw):
                    self._send(200, answer.body)
                    return
                if isinstance(answer, Slow):
                    time.sleep(answer.seconds)
                    answer = answer.text
                reply = {
                    "id": "chatcmpl-standin",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": body.get("model", "standin"),
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": answer},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                }
                self._send(200, json.dumps(reply).encode())

            def _send(self, code: int, payload: bytes) -> None:
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

        return Handler
