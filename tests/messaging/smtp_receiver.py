"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, so tests can read the email back."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

# A self-signed certificate for localhost and 127.0.0.1, valid until 2126, made for these tests only
# (`openssl req -x509 -newkey rsa:2048 -nodes -days 36500 -subj /CN=localhost
#  -addext subjectAltName=DNS:localhost,IP:127.0.0.1`); its key protects nothing.
TLS_DIR = Path(__file__).parent / "tls"
CERTIFICATE = TLS_DIR / "cert.pem"
PRIVATE_KEY = TLS_DIR / "key.pem"


@dataclass(frozen=True)
class Received:
    sender: str
    recipients: list[str]
    email: EmailMessage
    peer: Any  # (host, port) of the client: the same port twice means the same connection


@dataclass
class Mailbox:
    """An aiosmtpd handler: refuses the recipients it is told to, keeps every message it accepts."""

    refuse: dict[str, str] = field(
        default_factory=dict
    )  # address → SMTP reply, e.g. "550 5.1.1 no such user"
    received: list[Received] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(  # aiosmtpd calls hooks by these names
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        email = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(email, EmailMessage)
        with self._lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), email, session.peer))
        return "250 Message accepted"

    def only(self) -> Received:
        assert len(self.received) == 1, self.received
        return self.received[0]


def body(email: EmailMessage, subtype: str) -> str:
    """The text of the `plain` or `html` part, decoded."""
    part = email.get_body((subtype,))
    assert part is not None, f"no text/{subtype} part"
    return str(part.get_content())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_tls_context() -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(CERTIFICATE, PRIVATE_KEY)
    return context


def client_tls_context() -> ssl.SSLContext:
    """Trusts the test certificate and nothing else, with hostname checks on: what production does."""
    return ssl.create_default_context(cafile=str(CERTIFICATE))


def accept_login(username: str, password: str) -> Any:
    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            username.encode(),
            password.encode(),
        )
        # handled=False: aiosmtpd then answers 535 itself; a bare failure would leave the client waiting.
        return AuthResult(success=ok, handled=False)

    return authenticate


@contextmanager
def smtp_server(mailbox: Mailbox, *, port: int | None = None, **options: Any) -> Iterator[int]:
    """Serve `mailbox` on loopback; yields the port. `options` go to aiosmtpd (TLS, authentication)."""
    controller = Controller(mailbox, hostname="127.0.0.1", port=port or free_port(), **options)
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()
