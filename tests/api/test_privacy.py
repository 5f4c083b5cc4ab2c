"""Privacy: export everything held about a customer; erase personal data while orders keep adding up."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from goodword.messaging.models import Channel, MessageStatus, OutboxMessage, Purpose
from goodword.messaging.outbox import NewMessage, enqueue
from goodword.stores.models import Customer
from tests.factories.stores import StoreAccess, customer_payload, order_payload


def _customer_with_history(client: TestClient, store: StoreAccess) -> dict[str, object]:
    ann = customer_payload(
        external_id="ann", email="ann@example.com", phone="+14155550123", marketing_consent=True
    )
    client.post("/api/v1/customers", json=ann, headers=store.writer)
    client.post("/api/v1/customers", json=customer_payload(external_id="bob"), headers=store.writer)
    client.post(
        "/api/v1/orders",
        json=order_payload(external_id="o-1", customer_external_id="ann"),
        headers=store.writer,
    )
    client.post(
        "/api/v1/ties", json={"from_external_id": "ann", "to_external_id": "bob"}, headers=store.writer
    )
    return ann


def test_an_export_holds_the_customer_their_consent_history_orders_and_ties(
    client: TestClient, store: StoreAccess
) -> None:
    # given
    ann = _customer_with_history(client, store)
    client.post("/api/v1/customers", json={**ann, "marketing_consent": False}, headers=store.writer)
    # when
    response = client.get("/api/v1/customers/ann/export", headers=store.reader)
    # then
    assert response.status_code == 200, response.text
    export = response.json()
    assert export["customer"]["email"] == "ann@example.com"
    assert export["customer"]["phone"] == "+14155550123"
    assert [(e["granted"], e["source"]) for e in export["consent_history"]] == [(True, "api"), (False, "api")]
    assert all(e["recorded_at"] for e in export["consent_history"])
    assert [o["external_id"] for o in export["orders"]] == ["o-1"]
    assert export["orders"][0]["lines"][0]["title"] == "Oolong"
    assert export["ties"] == [
        {
            "from_external_id": "ann",
            "to_external_id": "bob",
            "source": "declared",
            "created_at": export["ties"][0]["created_at"],
        }
    ]


def test_erasing_removes_personal_data_and_keeps_orders_counted(
    client: TestClient, store: StoreAccess
) -> None:
    # given
    _customer_with_history(client, store)
    # when
    response = client.post("/api/v1/customers/ann/erase", headers=store.writer)
    # then
    assert response.status_code == 200, response.text
    erased = response.json()
    assert erased["erased_at"] is not None
    assert erased["external_id"] != "ann"
    assert {erased[k] for k in ("email", "phone", "name", "locale", "time_zone")} == {None}
    assert erased["marketing_consent"] is False
    order = client.get("/api/v1/orders/o-1", headers=store.reader).json()
    assert order["customer_external_id"] == erased["external_id"]
    assert order["total_minor"] == 2700
    assert len(client.get("/api/v1/orders", headers=store.reader).json()["data"]) == 1
    assert len(client.get("/api/v1/ties", headers=store.reader).json()["data"]) == 1


def test_erasing_records_the_withdrawn_consent_with_source_erasure(
    client: TestClient, store: StoreAccess
) -> None:
    # given
    _customer_with_history(client, store)
    # when
    erased = client.post("/api/v1/customers/ann/erase", headers=store.writer).json()
    # then
    export = client.get(f"/api/v1/customers/{erased['external_id']}/export", headers=store.reader).json()
    assert [(e["granted"], e["source"]) for e in export["consent_history"]] == [
        (True, "api"),
        (False, "erasure"),
    ]
    assert export["customer"]["email"] is None


def test_after_erasure_the_old_external_id_is_unknown(client: TestClient, store: StoreAccess) -> None:
    # given
    _customer_with_history(client, store)
    client.post("/api/v1/customers/ann/erase", headers=store.writer)
    # when
    read = client.get("/api/v1/customers/ann", headers=store.reader)
    export = client.get("/api/v1/customers/ann/export", headers=store.reader)
    again = client.post("/api/v1/customers/ann/erase", headers=store.writer)
    by_email = client.get("/api/v1/customers", params={"email": "ann@example.com"}, headers=store.reader)
    # then
    assert (read.status_code, export.status_code, again.status_code) == (404, 404, 404)
    assert by_email.json()["data"] == []


def test_a_retried_erasure_with_its_key_gets_the_first_answer(client: TestClient, store: StoreAccess) -> None:
    # given
    _customer_with_history(client, store)
    headers = {**store.writer, "Idempotency-Key": "erase-ann"}
    first = client.post("/api/v1/customers/ann/erase", headers=headers)
    # when
    retry = client.post("/api/v1/customers/ann/erase", headers=headers)
    # then
    assert retry.status_code == 200
    assert retry.json() == first.json()
    assert retry.headers["idempotent-replayed"] == "true"


def test_erasure_forgets_stored_answers_that_quote_the_customer(
    client: TestClient, store: StoreAccess
) -> None:
    # given
    payload = customer_payload(external_id="ann", email="ann@example.com")
    headers = {**store.writer, "Idempotency-Key": "create-ann"}
    client.post("/api/v1/customers", json=payload, headers=headers)
    client.post("/api/v1/customers/ann/erase", headers=store.writer)
    # when
    retry = client.post("/api/v1/customers", json=payload, headers=headers)
    # then: the retry is processed afresh instead of replaying the erased person's data
    assert "idempotent-replayed" not in retry.headers
    assert retry.status_code == 201


def test_consent_changes_are_recorded_only_when_consent_changes(
    client: TestClient, store: StoreAccess
) -> None:
    # given
    ann = customer_payload(external_id="ann", marketing_consent=False)
    client.post("/api/v1/customers", json=ann, headers=store.writer)
    client.post("/api/v1/customers", json={**ann, "name": "Ann B"}, headers=store.writer)
    client.post("/api/v1/customers", json={**ann, "marketing_consent": True}, headers=store.writer)
    # when
    export = client.get("/api/v1/customers/ann/export", headers=store.reader).json()
    # then
    assert [(e["granted"], e["source"]) for e in export["consent_history"]] == [(True, "api")]


def test_messages_to_a_customer_are_exported_and_erased_with_them(
    client: TestClient, store: StoreAccess, session: Session
) -> None:
    # given a customer with one email sent and one still waiting
    client.post(
        "/api/v1/customers",
        json=customer_payload(external_id="c9", email="c9@example.com"),
        headers=store.writer,
    )
    customer_id = session.scalars(select(Customer.id).where(Customer.external_id == "c9")).one()
    for kind in ("test", "notice"):
        enqueue(
            session,
            store_id=store.store_id,
            message=NewMessage(
                channel=Channel.EMAIL, purpose=Purpose.TRANSACTIONAL, kind=kind, recipient="c9@example.com",
                payload={"subject": "Your tea", "body": "is on its way"}, reason="a test", customer_id=customer_id,
            ),
        )  # fmt: skip
    # when the customer asks to see their data, then to be forgotten
    exported = client.get("/api/v1/customers/c9/export", headers=store.reader).json()
    erased = client.post("/api/v1/customers/c9/erase", headers=store.writer)
    # then the export showed the messages, and after erasure none holds the address and none will go out
    assert [m["recipient"] for m in exported["messages"]] == ["c9@example.com", "c9@example.com"]
    assert erased.status_code == 200
    messages = session.scalars(select(OutboxMessage).where(OutboxMessage.customer_id == customer_id)).all()
    for message in messages:
        session.refresh(message)
    assert {(m.recipient, m.payload, m.status) for m in messages} == {
        ("erased", "{}", MessageStatus.SUPPRESSED)
    }
