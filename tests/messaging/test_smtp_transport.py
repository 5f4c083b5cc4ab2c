"""SmtpTransport on its own against real SMTP servers on loopback: headers, connections, TLS and logins."""

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from goodword.config import Settings
from goodword.messaging.claims import ClaimedMessage
from goodword.messaging.email import SmtpTransport
from goodword.messaging.models import Channel, Purpose
from tests.messaging.smtp_receiver import (
    Mailbox,
    accept_login,
    body,
    client_tls_context,
    free_port,
    server_tls_context,
    smtp_server,
)

MESSAGE = ClaimedMessage(
    id=7,
    store_id="st_0123456789abcdef",
    store_name="Tea House",
    store_logo_url=None,
    store_brand_color=None,
    channel=Channel.EMAIL,
    purpose=Purpose.TRANSACTIONAL,
    kind="notice",
    recipient="owner@shop.example",
    locale="en",
    payload=json.dumps({"subject": "Your endpoint was disabled", "body": "It kept failing."}),
    customer_id=None,
    endpoint_id=None,
    attempt=1,
    created_at=datetime(2026, 6, 1, tzinfo=UTC),
)
LOGIN = {"smtp_username": "shop", "smtp_password": "s3cret"}


def settings_for(port: int, **changes: Any) -> Settings:
    return Settings(smtp_host="127.0.0.1", smtp_port=port, public_base_url="https://gw.example", **changes)


@pytest.fixture
def mailbox() -> Mailbox:
    return Mailbox()


@pytest.fixture
def port(mailbox: Mailbox) -> Iterator[int]:
    with smtp_server(mailbox) as port:
        yield port


@pytest.fixture
def transport(port: int) -> Iterator[SmtpTransport]:
    transport = SmtpTransport(settings_for(port))
    yield transport
    transport.close()


def test_a_retry_of_the_same_message_carries_the_same_message_id(
    mailbox: Mailbox, transport: SmtpTransport
) -> None:
    assert transport.deliver(MESSAGE).succeeded
    assert transport.deliver(replace(MESSAGE, attempt=2)).succeeded
    first, second = (r.email["Message-ID"] for r in mailbox.received)
    assert first == second == "<goodword.st_0123456789abcdef.7@localhost>"


def test_a_notice_to_the_store_has_no_unsubscribe_link_and_asks_for_no_auto_replies(
    mailbox: Mailbox, transport: SmtpTransport
) -> None:
    transport.deliver(MESSAGE)
    email = mailbox.only().email
    assert email["List-Unsubscribe"] is None
    assert email["Auto-Submitted"] == "auto-generated"
    assert email["From"] == "Goodword <no-reply@localhost>"  # the settings named a sender; it stays
    assert email.get_content_type() == "multipart/alternative"


def test_transactional_mail_to_a_customer_carries_the_header_but_no_footer(
    mailbox: Mailbox, transport: SmtpTransport
) -> None:
    transport.deliver(replace(MESSAGE, customer_id=42))
    email = mailbox.only().email
    assert email["List-Unsubscribe"].strip().startswith("<https://gw.example/u/st_0123456789abcdef.42.")
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/u/" not in body(email, "html")


def test_one_connection_serves_consecutive_messages_and_a_dropped_one_is_replaced(mailbox: Mailbox) -> None:
    port = free_port()
    transport = SmtpTransport(settings_for(port))
    with smtp_server(mailbox, port=port):
        for message_id in (1, 2, 3):
            assert transport.deliver(replace(MESSAGE, id=message_id)).succeeded
    # the server restarts, which drops the connection the transport holds
    with smtp_server(mailbox, port=port):
        assert transport.deliver(replace(MESSAGE, id=4)).succeeded
    transport.close()
    peers = [r.peer for r in mailbox.received]
    assert peers[0] == peers[1] == peers[2]
    assert peers[3] != peers[0]


def test_an_unknown_template_is_a_permanent_failure_that_sends_nothing(
    mailbox: Mailbox, transport: SmtpTransport
) -> None:
    result = transport.deliver(replace(MESSAGE, kind="no_such_email"))
    assert (result.succeeded, result.permanent) == (False, True)
    assert "no email template 'no_such_email'" in (result.error or "")
    assert mailbox.received == []


def test_starttls_with_a_login(mailbox: Mailbox) -> None:
    # given a server that takes mail only after STARTTLS and a login, as providers on port 587 do
    with smtp_server(
        mailbox,
        tls_context=server_tls_context(),
        require_starttls=True,
        authenticator=accept_login("shop", "s3cret"),
        auth_required=True,
    ) as port:
        transport = SmtpTransport(
            settings_for(port, smtp_security="starttls", **LOGIN), ssl_context=client_tls_context()
        )
        result = transport.deliver(MESSAGE)
        transport.close()
    assert result.succeeded, result.error
    assert mailbox.only().email["Subject"] == "Your endpoint was disabled"


def test_a_wrong_password_is_a_failure_worth_retrying_once_fixed(mailbox: Mailbox) -> None:
    with smtp_server(
        mailbox,
        tls_context=server_tls_context(),
        require_starttls=True,
        authenticator=accept_login("shop", "s3cret"),
        auth_required=True,
    ) as port:
        settings = settings_for(port, smtp_security="starttls", smtp_username="shop", smtp_password="nope")
        result = SmtpTransport(settings, ssl_context=client_tls_context()).deliver(MESSAGE)
    assert (result.succeeded, result.permanent, result.status_code) == (False, False, 535)
    assert mailbox.received == []


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_implicit_tls_with_a_login(mailbox: Mailbox) -> None:
    # aiosmtpd offers AUTH only after STARTTLS unless told otherwise, even on a connection that began in TLS.
    with smtp_server(
        mailbox,
        ssl_context=server_tls_context(),
        authenticator=accept_login("shop", "s3cret"),
        auth_required=True,
        auth_require_tls=False,
    ) as port:
        transport = SmtpTransport(
            settings_for(port, smtp_security="tls", **LOGIN), ssl_context=client_tls_context()
        )
        result = transport.deliver(MESSAGE)
        transport.close()
    assert result.succeeded, result.error
    assert len(mailbox.received) == 1


def test_a_certificate_nobody_vouches_for_is_refused(mailbox: Mailbox) -> None:
    # given the system's trust store, which does not know the test certificate
    with smtp_server(mailbox, tls_context=server_tls_context(), require_starttls=True) as port:
        result = SmtpTransport(settings_for(port, smtp_security="starttls")).deliver(MESSAGE)
    assert (result.succeeded, result.permanent) == (False, False)
    assert "CERTIFICATE_VERIFY_FAILED" in (result.error or "")
    assert mailbox.received == []
