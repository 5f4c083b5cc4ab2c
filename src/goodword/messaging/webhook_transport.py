"""Delivers webhook messages over HTTP, signed per the Standard Webhooks specification.

Nothing here touches the database: the URL is the message's recipient and the secrets that sign came with
the claim (`ClaimedMessage.signing_secrets`), so a delivery costs one HTTP request on a kept-alive
connection and nothing more. Each delivery thread keeps its own connections, through the standard
library's `http.client`: it spends a quarter of the CPU per request that httpx does, and the worker's
throughput is bound by exactly that.
"""

from __future__ import annotations

import http.client
import ssl
import threading
from urllib.parse import urlsplit

from goodword.clock import Clock, utc_now
from goodword.config import Settings
from goodword.messaging.claims import ClaimedMessage, DeliveryResult
from goodword.messaging.signing import signature_header

USER_AGENT = "Goodword-Webhooks/0.1"
# Enough of a refusal's body to explain it in the delivery log; a receiver's body is never needed whole.
_ERROR_EXCERPT_BYTES = 500
_MAX_BODY_READ = 64 * 1024
_Origin = tuple[str, str, int]


class WebhookTransport:
    """POSTs each message's body to its endpoint; 2xx is delivered, 410 Gone is final, the rest is retried.

    Receivers often misconfigure and then fix their side, so a 4xx other than 410 is retried like a 5xx, a
    timeout or a refused connection. Redirects are not followed: the signature binds no URL, and a moved
    receiver should be re-registered rather than chased.
    """

    def __init__(self, settings: Settings, *, clock: Clock = utc_now) -> None:
        self.clock = clock
        self.timeout = settings.webhook_timeout_seconds
        self._local = threading.local()
        self._tls = ssl.create_default_context()
        # Every connection any thread opened, so close() can end them all when the worker stops.
        self._opened: set[http.client.HTTPConnection] = set()
        self._opened_lock = threading.Lock()

    def deliver(self, message: ClaimedMessage) -> DeliveryResult:
        if not message.signing_secrets:
            return DeliveryResult(False, error="the endpoint has no signing secret", permanent=True)
        body = message.payload.encode()
        try:
            headers = self._signed_headers(message, body)
        except ValueError as error:  # a stored secret that is not base64: no retry can mend it
            return DeliveryResult(False, error=str(error), permanent=True)
        url = urlsplit(message.recipient)
        if url.scheme not in ("http", "https") or not url.hostname:
            return DeliveryResult(False, error=f"invalid URL {message.recipient!r}", permanent=True)
        origin = (url.scheme, url.hostname, url.port or (443 if url.scheme == "https" else 80))
        target = (url.path or "/") + (f"?{url.query}" if url.query else "")
        try:
            status, location, excerpt = self._post(origin, target, body, headers)
        except TimeoutError as error:
            self._drop(origin)
            return DeliveryResult(False, error=f"timed out ({type(error).__name__})")
        except (OSError, http.client.HTTPException) as error:
            self._drop(origin)
            return DeliveryResult(False, error=f"{type(error).__name__}: {error}"[:1000])
        return _result(status, location, excerpt)

    def _post(
        self, origin: _Origin, target: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int, str, bytes]:
        reused = origin in self._connections()
        connection = self._connection(origin)
        try:
            connection.request("POST", target, body=body, headers=headers)
            response = connection.getresponse()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            if not reused:
                raise
            # The receiver closed an idle kept-alive connection; one fresh try is what every client does.
            self._drop(origin)
            connection = self._connection(origin)
            connection.request("POST", target, body=body, headers=headers)
            response = connection.getresponse()
        read = response.read(_MAX_BODY_READ)
        if not response.isclosed():  # a huge answer is cut off, at the price of this connection
            self._drop(origin)
        if response.will_close:
            self._drop(origin)
        return response.status, response.getheader("location", "?"), read[:_ERROR_EXCERPT_BYTES]

    def _connections(self) -> dict[_Origin, http.client.HTTPConnection]:
        connections: dict[_Origin, http.client.HTTPConnection] | None = getattr(
            self._local, "connections", None
        )
        if connections is None:
            connections = self._local.connections = {}
        return connections

    def _connection(self, origin: _Origin) -> http.client.HTTPConnection:
        connections = self._connections()
        if origin not in connections:
            scheme, host, port = origin
            connections[origin] = (
                http.client.HTTPSConnection(host, port, timeout=self.timeout, context=self._tls)
                if scheme == "https"
                else http.client.HTTPConnection(host, port, timeout=self.timeout)
            )
            with self._opened_lock:
                self._opened.add(connections[origin])
        return connections[origin]

    def _drop(self, origin: _Origin) -> None:
        connection = self._connections().pop(origin, None)
        if connection is not None:
            connection.close()
            with self._opened_lock:
                self._opened.discard(connection)

    def _signed_headers(self, message: ClaimedMessage, body: bytes) -> dict[str, str]:
        # Stable across retries, so a receiver can tell a retry from a new event.
        webhook_id = message.dedupe_key or f"msg_{message.id}"
        # Real time, not the worker's clock: receivers refuse timestamps more than a few minutes off.
        timestamp = int(self.clock().timestamp())
        signature = signature_header(
            secrets=message.signing_secrets, webhook_id=webhook_id, timestamp=timestamp, body=body
        )
        return {
            "webhook-id": webhook_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signature,
            "user-agent": USER_AGENT,
            "content-type": "application/json",
        }

    def close(self) -> None:
        """Close every connection the delivery threads opened; call it once they have stopped."""
        with self._opened_lock:
            opened, self._opened = self._opened, set()
        for connection in opened:
            connection.close()


def _result(status: int, location: str, excerpt: bytes) -> DeliveryResult:
    if 200 <= status < 300:
        return DeliveryResult(True, status)
    detail = excerpt.decode("utf-8", "replace").strip()
    if 300 <= status < 400:
        detail = f"redirects are not followed (location: {location})"
    error = f"HTTP {status}" + (f": {detail}" if detail else "")
    # 410 Gone is the receiver saying it will never want this; everything else may be fixed on their side.
    return DeliveryResult(False, status, error, permanent=status == 410)
