import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import pytest

from goodword.config import Settings
from goodword.db.session import Database
from goodword.messaging.claims import Backoff, ClaimedMessage
from goodword.messaging.manners import Manners
from goodword.messaging.models import Channel, MessageStatus, OutboxMessage, Purpose
from goodword.messaging.outbox import NewMessage, enqueue
from goodword.messaging.sms import (
    Segments,
    TwilioSmsTransport,
    WebhookSmsTransport,
    build_sms_transport,
    count_segments,
    to_e164,
)
from goodword.messaging.worker import Transport, Worker
from goodword.stores.stores import create_store
from tests.messaging.http_receiver import http_receiver

NOON = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello World", Segments("GSM-7", 1, 11)),
        ("", Segments("GSM-7", 0, 0)),
        ("a" * 160, Segments("GSM-7", 1, 160)),
        ("a" * 161, Segments("GSM-7", 2, 161)),
        ("a" * 306, Segments("GSM-7", 2, 306)),
        ("a" * 307, Segments("GSM-7", 3, 307)),
        # extension characters take two septets: the escape and the character
        ("€" * 80, Segments("GSM-7", 1, 160)),
        ("€" * 81, Segments("GSM-7", 2, 162)),
        ("Price: [10] {ok} ~ | ^ \\", Segments("GSM-7", 1, 32)),  # 24 characters, 8 escaped
        # an escaped character is not split between parts: the '€' moves whole to the second one
        ("a" * 152 + "€" + "a" * 152, Segments("GSM-7", 3, 306)),
        ("Ça coûte 5 £, à 20:00 Ø@Δ", Segments("UCS-2", 1, 25)),  # 'û' is not GSM-7
        ("ÇØÅåΔΦΓΛΩΠΨΣΘΞÆæßÉ¡ÄÖÑÜ§¿äöñüà", Segments("GSM-7", 1, 30)),
        ("ç", Segments("UCS-2", 1, 1)),  # the lower-case c cedilla is not in the GSM-7 alphabet
        ("你好", Segments("UCS-2", 1, 2)),
        ("你" * 70, Segments("UCS-2", 1, 70)),
        ("你" * 71, Segments("UCS-2", 2, 71)),
        ("你" * 134, Segments("UCS-2", 2, 134)),
        ("你" * 135, Segments("UCS-2", 3, 135)),
        # an emoji is a surrogate pair: two UTF-16 code units, never split between parts
        ("😀" * 35, Segments("UCS-2", 1, 70)),
        ("😀" * 36, Segments("UCS-2", 2, 72)),
        ("a" * 66 + "😀", Segments("UCS-2", 1, 68)),
        ("a" * 66 + "😀" + "a" * 66, Segments("UCS-2", 3, 134)),
        ("a" * 159 + "😀", Segments("UCS-2", 3, 161)),
    ],
)
def test_segments_are_counted_as_handsets_count_them(text: str, expected: Segments) -> None:
    assert count_segments(text) == expected


def test_phone_numbers_are_normalized_to_e164() -> None:
    assert to_e164("+1 415 555 0123") == "+14155550123"
    assert to_e164("+86 138 0013 8000") == "+8613800138000"
    with pytest.raises(ValueError, match=r"E\.164"):
        to_e164("0415 555 0123")


def sms_settings(**changes: object) -> Settings:
    return Settings(sms_account="AC0123456789", sms_token="auth-token", sms_from="+15005550006", **changes)


def claimed(payload: dict[str, object], *, recipient: str = "+14155550123") -> ClaimedMessage:
    return ClaimedMessage(
        id=42,
        store_id="store-1",
        store_name="Tea House",
        store_logo_url=None,
        store_brand_color=None,
        channel=Channel.SMS,
        purpose=Purpose.TRANSACTIONAL,
        kind="test",
        recipient=recipient,
        locale=None,
        payload=json.dumps(payload),
        customer_id=None,
        endpoint_id=None,
        attempt=1,
        created_at=NOON,
    )


def test_twilio_transport_posts_the_form_with_basic_auth() -> None:
    with http_receiver(201) as gateway:
        transport = TwilioSmsTransport(sms_settings(sms_gateway="twilio", sms_url=gateway.url))
        result = transport.deliver(claimed({"text": "Your tea is on its way 🍵"}))
        transport.close()
    assert result.succeeded
    assert result.status_code == 201
    [request] = gateway.requests
    assert request.path == "/2010-04-01/Accounts/AC0123456789/Messages.json"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert (
        request.headers["authorization"] == "Basic " + base64.b64encode(b"AC0123456789:auth-token").decode()
    )
    assert parse_qs(request.body.decode()) == {
        "To": ["+14155550123"],
        "From": ["+15005550006"],
        "Body": ["Your tea is on its way 🍵"],
    }


def test_webhook_transport_posts_signed_json() -> None:
    with http_receiver(202) as gateway:
        transport = WebhookSmsTransport(sms_settings(sms_gateway="webhook", sms_url=gateway.url + "/sms"))
        result = transport.deliver(claimed({"text": "你好 欢迎光临"}))
        transport.close()
    assert result.succeeded
    [request] = gateway.requests
    # verified independently of the code under test: HMAC-SHA256 of the raw body, keyed with the token
    expected = "sha256=" + hmac.new(b"auth-token", request.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(request.headers["x-goodword-signature"], expected)
    assert json.loads(request.body) == {
        "to": "+14155550123",
        "from": "+15005550006",
        "body": "你好 欢迎光临",
        "message_id": 42,
        "segments": 1,
        "encoding": "UCS-2",
    }


def test_a_refused_number_fails_permanently_and_an_overloaded_gateway_is_retried() -> None:
    with http_receiver(400, 503, 429) as gateway:
        transport = TwilioSmsTransport(sms_settings(sms_gateway="twilio", sms_url=gateway.url))
        refused, overloaded, throttled = (transport.deliver(claimed({"text": "hi"})) for _ in range(3))
        transport.close()
    assert (refused.permanent, refused.status_code) == (True, 400)
    assert "Invalid To (code 21211)" in (refused.error or "")
    assert (overloaded.succeeded, overloaded.permanent) == (False, False)
    assert (throttled.succeeded, throttled.permanent) == (False, False)


def test_an_unreachable_gateway_is_retried() -> None:
    with http_receiver() as gateway:
        url = gateway.url
    transport = TwilioSmsTransport(sms_settings(sms_gateway="twilio", sms_url=url))
    result = transport.deliver(claimed({"text": "hi"}))
    assert (result.succeeded, result.permanent) == (False, False)
    assert "could not be reached" in (result.error or "")


@pytest.mark.parametrize(
    ("payload", "recipient", "error"),
    [
        ({"text": "a" * (153 * 10 + 1)}, "+14155550123", "11 GSM-7 segments"),
        ({"text": "  "}, "+14155550123", "payload"),
        ({"body": "hi"}, "+14155550123", "payload"),
        ({"text": "hi"}, "not a number", "E.164"),
    ],
)
def test_a_message_that_cannot_be_sent_is_refused_before_the_gateway(
    payload: dict[str, object], recipient: str, error: str
) -> None:
    with http_receiver() as gateway:
        transport = WebhookSmsTransport(sms_settings(sms_gateway="webhook", sms_url=gateway.url))
        result = transport.deliver(claimed(payload, recipient=recipient))
        transport.close()
    assert result.permanent
    assert error in (result.error or "")
    assert gateway.requests == []


def test_the_gateway_setting_picks_the_transport() -> None:
    assert build_sms_transport(Settings(sms_gateway="none")) is None
    assert isinstance(build_sms_transport(sms_settings(sms_gateway="twilio")), TwilioSmsTransport)
    assert isinstance(
        build_sms_transport(sms_settings(sms_gateway="webhook", sms_url="http://127.0.0.1:9/sms")),
        WebhookSmsTransport,
    )
    with pytest.raises(ValueError, match="GOODWORD_SMS_URL"):
        build_sms_transport(Settings(sms_gateway="webhook", sms_token="t"))
    with pytest.raises(ValueError, match="GOODWORD_SMS_ACCOUNT"):
        build_sms_transport(Settings(sms_gateway="twilio"))


def sms_worker(database: Database, transport: Transport, now: datetime) -> Worker:
    return Worker(
        database=database,
        transports={Channel.SMS: transport},
        manners=Manners(marketing_cap_per_week=2, quiet_hours_start=21, quiet_hours_end=8),
        backoff=Backoff(base_seconds=10, max_seconds=600),
        clock=lambda: now,
        seed=1,
    )


def enqueue_sms(database: Database, recipient: str) -> int:
    with database.unit_of_work() as session:
        store_id = create_store(session, name="Tea House").id
        return enqueue(
            session,
            store_id=store_id,
            message=NewMessage(
                channel=Channel.SMS,
                purpose=Purpose.TRANSACTIONAL,
                kind="shipping",
                recipient=recipient,
                payload={"text": "Shipped!"},
                reason="the order shipped",
                send_at=NOON,
            ),
        )


def message_row(database: Database, message_id: int) -> OutboxMessage:
    with database.unit_of_work() as session:
        message = session.get_one(OutboxMessage, message_id)
        session.expunge(message)
        return message


def test_the_worker_kills_a_message_the_gateway_refuses_at_once(outbox_database: Database) -> None:
    # given a message the gateway answers 400 (an invalid number)
    message_id = enqueue_sms(outbox_database, "+14155550123")
    with http_receiver(400) as gateway:
        transport = TwilioSmsTransport(sms_settings(sms_gateway="twilio", sms_url=gateway.url))
        # when the worker comes by
        sms_worker(outbox_database, transport, NOON).run_once()
    # then it is dead after one attempt, with the gateway's reason
    message = message_row(outbox_database, message_id)
    assert (message.status, message.attempts) == (MessageStatus.DEAD, 1)
    assert "Invalid To" in (message.last_error or "")


def test_the_worker_retries_a_message_while_the_gateway_is_down(outbox_database: Database) -> None:
    # given a gateway that answers 503 once, then recovers
    message_id = enqueue_sms(outbox_database, "+14155550123")
    with http_receiver(503) as gateway:
        transport = WebhookSmsTransport(sms_settings(sms_gateway="webhook", sms_url=gateway.url))
        # when the worker comes by now, and again after the backoff
        sms_worker(outbox_database, transport, NOON).run_once()
        pending = message_row(outbox_database, message_id)
        sms_worker(outbox_database, transport, NOON + timedelta(minutes=5)).run_once()
    # then the first try left it pending, the second delivered it
    assert (pending.status, pending.attempts) == (MessageStatus.PENDING, 1)
    message = message_row(outbox_database, message_id)
    assert (message.status, message.attempts) == (MessageStatus.DELIVERED, 2)
    assert len(gateway.requests) == 2
    assert gateway.requests[0].body == gateway.requests[1].body  # the same message_id: the gateway can dedupe
