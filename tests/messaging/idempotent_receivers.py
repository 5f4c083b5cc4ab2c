"""Receivers on loopback for the fault tests: idempotent, as Standard Webhooks asks receivers to be, and as
unreliable as the test makes them (not listening yet, failing, slow).

Each applies a message's effect when the message arrives, before it answers: a sender that dies or gives up
while the receiver is still busy therefore sends it again, and only idempotency keeps the effect single.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.messaging.smtp_receiver import Mailbox


@dataclass
class IdempotentReceiver:
    """A webhook receiver that applies each webhook-id once, however often it is sent."""

    port: int
    # Statuses for the first requests, in turn; 204 for every request after them.
    answers: list[int] = field(default_factory=list)
    # How long each request takes after its effect was applied; a test may change it while serving.
    delay_seconds: float = 0.0
    requests: list[str] = field(default_factory=list)  # the webhook-id of every request, as it arrived
    effects: dict[str, bytes] = field(default_factory=dict)  # webhook-id → the body applied, once
    # Ids sent again with another body: a sender reusing an id for different content breaks idempotency.
    conflicts: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    @property
    def duplicates(self) -> int:
        """Requests beyond the first for their webhook-id: what at-least-once delivery cost this receiver."""
        return len(self.requests) - len(set(self.requests))

    def take(self, webhook_id: str, body: bytes) -> int:
        with self.lock:
            self.requests.append(webhook_id)
            status = self.answers.pop(0) if self.answers else 204
            if status < 300:
                applied = self.effects.setdefault(webhook_id, body)
                if applied != body:
                    self.conflicts.add(webhook_id)
            return status


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the worker's client expects of a real receiver
    server: _Server

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        receiver = self.server.receiver
        status = receiver.take(self.headers.get("webhook-id", ""), body)
        time.sleep(receiver.delay_seconds)
        self.send_response(status)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    receiver: IdempotentReceiver

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a worker that was killed or gave up on a slow answer is what these tests are about


@contextmanager
def serving(receiver: IdempotentReceiver) -> Iterator[IdempotentReceiver]:
    """Listen on the receiver's port for as long as the block runs."""
    server = _Server(("127.0.0.1", receiver.port), _Handler)
    server.receiver = receiver
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@dataclass
class SlowMailbox(Mailbox):
    """A mailbox that keeps each email as its data arrives, then takes `delay_seconds` to say so."""

    delay_seconds: float = 0.0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        answer = await super().handle_DATA(server, session, envelope)
        await asyncio.sleep(self.delay_seconds)
        return answer

    def message_ids_by_recipient(self) -> dict[str, Counter[int]]:
        """How often each outbox message reached each recipient, read from Goodword's Message-ID header."""
        with self._lock:
            received = list(self.received)
        counts: dict[str, Counter[int]] = {}
        for entry in received:
            # <goodword.{store_id}.{message_id}@domain>: the outbox id, the same on every retry
            message_id = int(str(entry.email["Message-ID"]).partition("@")[0].rpartition(".")[2])
            for recipient in entry.recipients:
                counts.setdefault(recipient, Counter())[message_id] += 1
        return counts
