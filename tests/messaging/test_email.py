"""Email end to end: the outbox worker sends through SmtpTransport to a real SMTP server on loopback."""

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from goodword.config import Settings
from goodword.db.session import Database
from goodword.messaging.bounces import record_bounce
from goodword.messaging.claims import Backoff
from goodword.messaging.email import SmtpTransport
from goodword.messaging.manners import Manners
from goodword.messaging.models import (
    BounceKind,
    Channel,
    DeliveryAttempt,
    MessageStatus,
    OutboxMessage,
    Purpose,
)
from goodword.messaging.outbox import NewMessage, enqueue
from goodword.messaging.worker import Worker
from goodword.stores.customers import upsert_customers
from goodword.stores.inputs import CustomerIn
from goodword.stores.models import ConsentEvent, Customer
from goodword.stores.stores import create_store
from goodword.web.app import create_app
from tests.messaging.smtp_receiver import Mailbox, body, free_port, smtp_server

NOON = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
XSS = '<script>alert("owned")</script>'


@pytest.fixture
def mailbox() -> Mailbox:
    return Mailbox(refuse={"gone@example.com": "550 5.1.1 no such user"})


@pytest.fixture
def settings(mailbox: Mailbox) -> Iterator[Settings]:
    with smtp_server(mailbox) as port:
        yield mail_settings(port)


@pytest.fixture
def transport(settings: Settings) -> Iterator[SmtpTransport]:
    transport = SmtpTransport(settings)
    yield transport
    transport.close()


def mail_settings(port: int) -> Settings:
    return Settings(
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_from="hello@goodword.example",
        public_base_url="https://goodword.example",
        secret_key="a-test-secret-that-signs-links",
    )


def worker(database: Database, transport: SmtpTransport, *, now: datetime = NOON) -> Worker:
    return Worker(
        database=database,
        transports={Channel.EMAIL: transport},
        manners=Manners(marketing_cap_per_week=5, quiet_hours_start=21, quiet_hours_end=8),
        backoff=Backoff(base_seconds=10, max_seconds=600),
        clock=lambda: now,
        seed=1,
    )


def new_customer(database: Database, *, locale: str = "en") -> tuple[str, int]:
    with database.unit_of_work() as session:
        store = create_store(session, name="Tea & Co")
        store.brand_color, store.logo_url = "#0A7D4F", "https://shop.example/logo.png"
        [outcome] = upsert_customers(
            session,
            store_id=store.id,
            customers=[
                CustomerIn(external_id="c1", email="mei@example.com", locale=locale, marketing_consent=True)
            ],
            source="test",
        )
        return store.id, outcome.id


def send(database: Database, store_id: str, customer_id: int | None, **fields: Any) -> int:
    message = NewMessage(
        channel=Channel.EMAIL,
        purpose=Purpose.MARKETING,
        kind="test",
        recipient="mei@example.com",
        payload={"note": XSS},
        reason="a test asked for it",
        customer_id=customer_id,
        send_at=NOON - timedelta(minutes=1),
    )
    with database.unit_of_work() as session:
        return enqueue(session, store_id=store_id, message=replace(message, **fields))


def message_row(database: Database, message_id: int) -> OutboxMessage:
    with database.unit_of_work() as session:
        message = session.get_one(OutboxMessage, message_id)
        session.expunge(message)
        return message


def test_a_marketing_email_arrives_branded_and_its_link_unsubscribes(
    outbox_database: Database, mailbox: Mailbox, settings: Settings, transport: SmtpTransport
) -> None:
    # given a consenting customer and a marketing message carrying text someone typed
    store_id, customer_id = new_customer(outbox_database)
    message_id = send(outbox_database, store_id, customer_id)
    # when the worker comes by
    worker(outbox_database, transport).run_once()
    # then the email arrives, in the store's name and colours, with the user's text escaped
    assert message_row(outbox_database, message_id).status is MessageStatus.DELIVERED
    received = mailbox.only()
    email = received.email
    assert received.sender == "hello@goodword.example"
    assert received.recipients == ["mei@example.com"]
    assert email["Subject"] == "Test email from Tea & Co"
    [sender] = email["From"].addresses
    assert (sender.display_name, sender.addr_spec) == ("Tea & Co", "hello@goodword.example")
    assert email["Message-ID"] == f"<goodword.{store_id}.{message_id}@goodword.example>"
    text = body(email, "plain")
    html = body(email, "html")
    assert "Tea & Co" in text
    assert XSS in text
    assert "Tea &amp; Co" in html
    assert "background:#0a7d4f" in html
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt;" in html
    # and it carries a one-click unsubscribe link (RFC 8058), also in the footer
    link = email["List-Unsubscribe"].strip().removeprefix("<").removesuffix(">")
    assert link.startswith("https://goodword.example/u/")
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f'href="{link}"' in html
    assert f"Unsubscribe: {link}" in text

    # when the customer follows the link and confirms
    app = create_app(settings, database=outbox_database)
    with TestClient(app) as client:
        page = client.get(urlsplit(link).path)
        confirmed = client.post(
            urlsplit(link).path,
            content=b"confirm=yes",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    # then they are asked first, and unsubscribed only by the POST, which is recorded with its source
    assert page.status_code == 200
    assert "Unsubscribe from Tea &amp; Co?" in page.text
    assert '<form method="post">' in page.text
    assert confirmed.status_code == 200
    assert "You are unsubscribed" in confirmed.text
    with outbox_database.unit_of_work() as session:
        assert session.get_one(Customer, customer_id).marketing_consent is False
        events = session.scalars(select(ConsentEvent).where(ConsentEvent.customer_id == customer_id)).all()
        assert [(e.granted, e.source) for e in events][-1] == (False, "unsubscribe-link")

    # and the next marketing message to them is not sent
    later = send(outbox_database, store_id, customer_id, dedupe_key="second")
    worker(outbox_database, transport, now=NOON + timedelta(minutes=5)).run_once()
    assert message_row(outbox_database, later).status is MessageStatus.SUPPRESSED
    assert len(mailbox.received) == 1


def test_a_chinese_customer_gets_chinese_mail_and_can_leave_with_one_click(
    outbox_database: Database, mailbox: Mailbox, settings: Settings, transport: SmtpTransport
) -> None:
    store_id, customer_id = new_customer(outbox_database, locale="zh-CN")
    send(outbox_database, store_id, customer_id, locale="zh-CN")
    worker(outbox_database, transport).run_once()
    email = mailbox.only().email
    assert email["Subject"] == "来自 Tea & Co 的测试邮件"
    assert "说明 Tea & Co 的邮件可以正常送达" in body(email, "plain")
    assert '<html lang="zh-CN">' in body(email, "html")
    # when the mail client's own unsubscribe button posts to the header's link (RFC 8058)
    link = email["List-Unsubscribe"].strip().removeprefix("<").removesuffix(">")
    with TestClient(create_app(settings, database=outbox_database)) as client:
        answer = client.post(
            urlsplit(link).path,
            content=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept-Language": "zh-CN"},
        )
    assert answer.status_code == 200, answer.text
    assert "您已退订" in answer.text
    with outbox_database.unit_of_work() as session:
        sources = session.scalars(select(ConsentEvent.source).where(ConsentEvent.granted.is_(False))).all()
    assert sources == ["list-unsubscribe-post"]


def test_a_refused_recipient_kills_the_message_at_once(
    outbox_database: Database, transport: SmtpTransport
) -> None:
    store_id, _ = new_customer(outbox_database)
    message_id = send(
        outbox_database, store_id, None, recipient="gone@example.com", purpose=Purpose.TRANSACTIONAL
    )
    worker(outbox_database, transport).run_once()
    message = message_row(outbox_database, message_id)
    assert message.status is MessageStatus.DEAD
    assert message.attempts == 1
    assert "550 5.1.1 no such user" in (message.last_error or "")
    with outbox_database.unit_of_work() as session:
        attempt = session.scalars(
            select(DeliveryAttempt).where(DeliveryAttempt.message_id == message_id)
        ).one()
        assert (attempt.succeeded, attempt.status_code) == (False, 550)


def test_a_server_that_is_down_means_a_retry_later(outbox_database: Database) -> None:
    # given no SMTP server at all on the configured port
    store_id, _ = new_customer(outbox_database)
    message_id = send(outbox_database, store_id, None, purpose=Purpose.TRANSACTIONAL)
    transport = SmtpTransport(mail_settings(free_port()))
    # when the worker tries
    worker(outbox_database, transport).run_once()
    # then the message waits for another attempt
    message = message_row(outbox_database, message_id)
    assert message.status is MessageStatus.PENDING
    assert message.attempts == 1
    assert message.next_attempt_at.replace(tzinfo=UTC) > NOON
    assert "ConnectionRefusedError" in (message.last_error or "")


def test_after_a_hard_bounce_no_more_mail_goes_to_the_address(
    outbox_database: Database, mailbox: Mailbox, transport: SmtpTransport
) -> None:
    # given a customer whose address the provider reported as bouncing
    store_id, customer_id = new_customer(outbox_database)
    with outbox_database.unit_of_work() as session:
        record_bounce(session, store_id=store_id, email="MEI@example.com", kind=BounceKind.HARD)
    # when mail is due for them, even transactional mail, with or without the customer named
    named = send(outbox_database, store_id, customer_id, purpose=Purpose.TRANSACTIONAL)
    bare = send(outbox_database, store_id, None, purpose=Purpose.TRANSACTIONAL, dedupe_key="bare")
    worker(outbox_database, transport).run_once()
    # then nothing is sent
    assert mailbox.received == []
    assert message_row(outbox_database, named).status is MessageStatus.SUPPRESSED
    assert message_row(outbox_database, bare).status is MessageStatus.SUPPRESSED
