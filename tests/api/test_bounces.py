"""Email bounces reported by API: hard ones and complaints stop mail to the address, in that store only."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from goodword.messaging.models import Channel, Purpose
from goodword.messaging.outbox import NewMessage, enqueue
from goodword.stores.customers import upsert_customers
from goodword.stores.inputs import CustomerIn
from goodword.stores.models import Customer
from tests.api.assertions import assert_problem
from tests.factories.stores import StoreAccess


def add_customer(session: Session, store_id: str, email: str) -> Customer:
    [outcome] = upsert_customers(
        session, store_id=store_id, customers=[CustomerIn(external_id="c1", email=email)], source="test"
    )
    return session.get_one(Customer, outcome.id)


@pytest.mark.parametrize("kind", ["hard", "complaint"])
def test_a_hard_bounce_or_complaint_stops_mail_to_the_stores_customers_with_that_address(
    client: TestClient, session: Session, store: StoreAccess, other_store: StoreAccess, kind: str
) -> None:
    # given the same address at two stores
    mine = add_customer(session, store.store_id, "mei@example.com")
    theirs = add_customer(session, other_store.store_id, "mei@example.com")
    # when one store reports a bounce, in whatever case the provider wrote the address
    answer = client.post(
        "/api/v1/email-bounces",
        json={"email": " Mei@Example.COM ", "kind": kind, "detail": "550 5.1.1 user unknown"},
        headers=store.writer,
    )
    # then only that store's customer is marked undeliverable
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert (body["email"], body["kind"], body["customers_stopped"]) == ("mei@example.com", kind, 1)
    assert body["detail"] == "550 5.1.1 user unknown"
    session.refresh(mine)
    session.refresh(theirs)
    assert mine.email_undeliverable_at is not None
    assert theirs.email_undeliverable_at is None


def test_a_soft_bounce_is_kept_but_stops_nothing(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    customer = add_customer(session, store.store_id, "mei@example.com")
    answer = client.post(
        "/api/v1/email-bounces", json={"email": "mei@example.com", "kind": "soft"}, headers=store.writer
    )
    assert answer.status_code == 201
    assert answer.json()["customers_stopped"] == 0
    session.refresh(customer)
    assert customer.email_undeliverable_at is None


def test_a_bounce_may_name_its_message_but_only_one_of_the_callers_store(
    client: TestClient, session: Session, store: StoreAccess, other_store: StoreAccess
) -> None:
    def message_of(store_id: str) -> int:
        message = NewMessage(Channel.EMAIL, Purpose.TRANSACTIONAL, "test", "mei@example.com", {}, "a test")
        return enqueue(session, store_id=store_id, message=message)

    mine, theirs = message_of(store.store_id), message_of(other_store.store_id)
    ok = client.post(
        "/api/v1/email-bounces",
        json={"email": "mei@example.com", "kind": "hard", "message_id": mine},
        headers=store.writer,
    )
    assert ok.status_code == 201
    assert ok.json()["message_id"] == mine
    refused = client.post(
        "/api/v1/email-bounces",
        json={"email": "mei@example.com", "kind": "hard", "message_id": theirs},
        headers=store.writer,
    )
    assert_problem(refused, 404, "not_found")


@pytest.mark.parametrize(
    "body",
    [
        {"email": "mei@example.com", "kind": "bounced"},
        {"email": "not an address", "kind": "hard"},
        {"kind": "hard"},
        {"email": "mei@example.com", "kind": "hard", "message_id": 0},
    ],
)
def test_a_malformed_report_is_refused_with_422(
    client: TestClient, store: StoreAccess, body: dict[str, object]
) -> None:
    assert_problem(
        client.post("/api/v1/email-bounces", json=body, headers=store.writer), 422, "invalid_input"
    )


def test_reporting_a_bounce_needs_a_write_key(client: TestClient, store: StoreAccess) -> None:
    answer = client.post(
        "/api/v1/email-bounces", json={"email": "a@b.example", "kind": "hard"}, headers=store.reader
    )
    assert_problem(answer, 403, "read_only_key")
