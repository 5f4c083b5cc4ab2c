"""Review requests: scheduled on fulfilment, sent when due with a link per product, reminded once."""

import json
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodword.messaging.models import OutboxMessage
from goodword.messaging.unsubscribe import FROM_LINK, unsubscribe
from goodword.reviews.models import ReviewRequest
from goodword.reviews.requests import send_review_reminders, send_review_requests
from goodword.reviews.settings import ReviewSettingsIn, put_review_settings
from goodword.stores.models import Customer
from tests.factories.reviews import NOW, SECRET, make_purchase, request_of
from tests.factories.stores import StoreAccess

BASE = "https://goodword.example"


def _messages(session: Session, store_id: str) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.store_id == store_id).order_by(OutboxMessage.id)
    return list(session.scalars(query))


def test_a_fulfilled_order_schedules_a_request_seven_days_later(session: Session, store: StoreAccess) -> None:
    # given an order fulfilled yesterday
    purchase = make_purchase(session, store_id=store.store_id, fulfilled_at=NOW - timedelta(days=1))
    # then a request is due six days from now, and nothing is sent yet
    request = request_of(session, purchase)
    assert request.send_at == NOW + timedelta(days=6)
    assert send_review_requests(session, now=NOW, secret_key=SECRET, public_base_url=BASE) == 0


def test_a_due_request_is_sent_once_with_a_signed_link(session: Session, store: StoreAccess) -> None:
    # given a request that is due
    purchase = make_purchase(session, store_id=store.store_id, fulfilled_at=NOW - timedelta(days=8))
    # when the job runs twice
    first = send_review_requests(session, now=NOW, secret_key=SECRET, public_base_url=BASE)
    second = send_review_requests(session, now=NOW, secret_key=SECRET, public_base_url=BASE)
    # then one email asks about the product, with a link to the review form
    assert (first, second) == (1, 0)
    [message] = _messages(session, store.store_id)
    payload = json.loads(message.payload)
    assert message.kind == "review_request"
    assert payload["products"][0]["link"].startswith(
        f"{BASE}/review/{store.store_id}.{request_of(session, purchase).id}."
    )


def test_orders_fulfilled_long_ago_or_not_fulfilled_ask_for_nothing(
    session: Session, store: StoreAccess
) -> None:
    # given an order fulfilled 90 days ago and one only paid
    make_purchase(session, store_id=store.store_id, fulfilled_at=NOW - timedelta(days=90))
    make_purchase(session, store_id=store.store_id, status="paid")
    # then no request exists
    assert session.scalars(select(ReviewRequest).where(ReviewRequest.store_id == store.store_id)).all() == []


def test_a_store_that_turned_requests_off_gets_none(session: Session, store: StoreAccess) -> None:
    # given requests turned off
    put_review_settings(session, store_id=store.store_id, settings=ReviewSettingsIn(requests_enabled=False))
    # when an order is fulfilled
    make_purchase(session, store_id=store.store_id)
    # then nothing is scheduled
    assert session.scalars(select(ReviewRequest).where(ReviewRequest.store_id == store.store_id)).all() == []


def test_an_unanswered_request_is_reminded_once(session: Session, store: StoreAccess) -> None:
    # given a request sent a week ago and not answered
    fulfilled = NOW - timedelta(days=14)
    make_purchase(session, store_id=store.store_id, fulfilled_at=fulfilled, now=fulfilled)
    send_review_requests(session, now=NOW - timedelta(days=7), secret_key=SECRET, public_base_url=BASE)
    # when the reminder job runs twice
    counts = [
        send_review_reminders(session, now=NOW, secret_key=SECRET, public_base_url=BASE) for _ in range(2)
    ]
    # then one reminder went out, with the same link as the first email
    assert counts == [1, 0]
    request, reminder = (json.loads(m.payload) for m in _messages(session, store.store_id))
    assert reminder["reminder"] is True
    assert reminder["products"][0]["link"] == request["products"][0]["link"]


def test_a_customer_who_unsubscribed_gets_no_review_request(session: Session, store: StoreAccess) -> None:
    # given a due request for a customer who had agreed to marketing, then clicked "unsubscribe"
    purchase = make_purchase(session, store_id=store.store_id, fulfilled_at=NOW - timedelta(days=8))
    customer = session.get_one(Customer, purchase.customer_id)
    customer.marketing_consent = True
    session.flush()
    unsubscribe(session, store_id=store.store_id, customer_id=purchase.customer_id, source=FROM_LINK)
    # when the job runs
    sent = send_review_requests(session, now=NOW, secret_key=SECRET, public_base_url=BASE)
    # then nothing is queued, and the request is not retried later
    assert sent == 0
    assert _messages(session, store.store_id) == []
    assert request_of(session, purchase).sent_at is not None


def test_a_customer_who_never_agreed_to_marketing_still_gets_the_transactional_request(
    session: Session, store: StoreAccess
) -> None:
    # given a due request for a customer without marketing consent, who never unsubscribed
    make_purchase(session, store_id=store.store_id, fulfilled_at=NOW - timedelta(days=8))
    # when
    sent = send_review_requests(session, now=NOW, secret_key=SECRET, public_base_url=BASE)
    # then
    assert sent == 1
    assert _messages(session, store.store_id)[0].purpose == "transactional"
