"""A real webhook receiver on loopback that checks signatures with the independent `standardwebhooks` package.

It answers with the statuses it is told, in turn (200 once they run out), after an optional delay, and keeps
every request with the names of the secrets that verified it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    verified_by: list[str]


@dataclass
class WebhookReceiver:
    port: int = 0
    secrets: dict[str, str] = field(default_factory=dict)  # a name for each secret the receiver holds
    answers: list[int] = field(default_factory=list)
    delay_seconds: float = 0.0
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/goodword"

    def take(self, headers: dict[str, str], body: bytes) -> int:
        verified_by = []
        for name, secret in self.secrets.items():
            try:
                Webhook(secret).verify(body, headers)
            except WebhookVerificationError:
                continue
            verified_by.append(name)
        with self.lock:
            self.received.append(Received(headers, body, verified_by))
            return self.answers.pop(0) if self.answers else 200


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver would offer
    server: _Server

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        receiver = self.server.receiver
        if receiver.delay_seconds:
            time.sleep(receiver.delay_seconds)
        status = receiver.take({k.lower(): v for k, v in self.headers.items()}, body)
        answer = b'{"ok":true}' if status < 300 else b"not today"
        self.send_response(status)
        if 300 <= status < 400:
            self.send_header("location", "https://elsewhere.example.com/")
        self.send_header("content-length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    receiver: WebhookReceiver

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (the slow-receiver test) is expected, not worth a traceback


@contextmanager
def running_receiver() -> Iterator[WebhookReceiver]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.receiver = WebhookReceiver(port=server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
