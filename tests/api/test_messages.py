"""Messages: staff list the outbox with filters, read a message's delivery attempts, and retry dead ones."""

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from goodword.messaging.models import Channel, Purpose
from goodword.stores.customers import upsert_customers
from goodword.stores.inputs import CustomerIn
from tests.api.assertions import assert_problem
from tests.factories.messaging import fail_permanently, make_message
from tests.factories.stores import StoreAccess


def test_messages_are_listed_oldest_first_with_why_they_were_sent(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given
    first = make_message(session, store_id=store.store_id)
    second = make_message(session, store_id=store.store_id, channel=Channel.EMAIL, recipient="a@example.com")
    # when
    response = client.get("/api/v1/messages", headers=store.reader)
    # then
    assert response.status_code == 200, response.text
    [one, two] = response.json()["data"]
    assert (one["id"], two["id"]) == (first, second)
    assert one["channel"] == "sms"
    assert one["recipient"] == "+14155550123"
    assert one["status"] == "pending"
    assert one["reason"] == "the customer's order shipped"
    assert one["attempts"] == 0


def test_messages_are_filtered_by_customer_channel_kind_and_status(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given a customer's SMS, another kind of email, and a dead message
    [ann] = upsert_customers(
        session, store_id=store.store_id, customers=[CustomerIn(external_id="ann")], source="test"
    )
    anns = make_message(session, store_id=store.store_id, customer_id=ann.id)
    fail_permanently(session)
    welcome = make_message(
        session, store_id=store.store_id, channel=Channel.EMAIL, kind="welcome", recipient="b@example.com"
    )

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/v1/messages?{query}", headers=store.reader)
        assert response.status_code == 200, response.text
        return [m["id"] for m in response.json()["data"]]

    # then
    assert ids("customer=ann") == [anns]
    assert ids("customer=nobody") == []
    assert ids("channel=email") == [welcome]
    assert ids("kind=welcome&channel=email") == [welcome]
    assert ids("status=dead") == [anns]
    assert ids("status=pending") == [welcome]


def test_an_unknown_filter_value_is_refused(client: TestClient, store: StoreAccess) -> None:
    response = client.get("/api/v1/messages?channel=pigeon", headers=store.reader)
    assert_problem(response, 422, "invalid_input")


def test_messages_are_paged_by_cursor(client: TestClient, session: Session, store: StoreAccess) -> None:
    # given
    made = [make_message(session, store_id=store.store_id) for _ in range(5)]
    # when
    seen, cursor = [], None
    while True:
        query = f"?limit=2&cursor={cursor}" if cursor else "?limit=2"
        page = client.get(f"/api/v1/messages{query}", headers=store.reader).json()
        seen += [m["id"] for m in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    # then
    assert seen == made


def test_a_message_is_read_with_its_payload_and_delivery_attempts(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given
    message_id = make_message(session, store_id=store.store_id, payload={"text": "你好"})
    fail_permanently(session)
    # when
    response = client.get(f"/api/v1/messages/{message_id}", headers=store.reader)
    # then
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "dead"
    assert body["payload"] == {"text": "你好"}
    assert body["last_error"] == "the gateway answered 400: Invalid To"
    [attempt] = body["delivery_attempts"]
    assert attempt["attempt"] == 1
    assert attempt["succeeded"] is False
    assert attempt["status_code"] == 400


def test_a_dead_message_is_retried_with_fresh_attempts(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given
    message_id = make_message(session, store_id=store.store_id, purpose=Purpose.MARKETING)
    fail_permanently(session)
    # when
    response = client.post(f"/api/v1/messages/{message_id}/retry", headers=store.writer)
    # then
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "pending"
    assert body["status_reason"] == "retried by staff"
    assert body["max_attempts"] > body["attempts"] == 1


def test_only_a_dead_message_can_be_retried(client: TestClient, session: Session, store: StoreAccess) -> None:
    message_id = make_message(session, store_id=store.store_id)
    response = client.post(f"/api/v1/messages/{message_id}/retry", headers=store.writer)
    assert_problem(response, 409, "conflict")
    assert "pending" in response.json()["detail"]


def test_a_read_key_cannot_retry(client: TestClient, session: Session, store: StoreAccess) -> None:
    message_id = make_message(session, store_id=store.store_id)
    fail_permanently(session)
    response = client.post(f"/api/v1/messages/{message_id}/retry", headers=store.reader)
    assert_problem(response, 403, "read_only_key")


def test_another_stores_message_is_not_found(
    client: TestClient, session: Session, store: StoreAccess, other_store: StoreAccess
) -> None:
    # given a dead message of the first store
    message_id = make_message(session, store_id=store.store_id)
    fail_permanently(session)
    # then the other store neither lists, reads nor retries it
    assert client.get("/api/v1/messages", headers=other_store.reader).json()["data"] == []
    assert_problem(client.get(f"/api/v1/messages/{message_id}", headers=other_store.reader), 404, "not_found")
    retried = client.post(f"/api/v1/messages/{message_id}/retry", headers=other_store.writer)
    assert_problem(retried, 404, "not_found")
