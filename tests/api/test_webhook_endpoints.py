"""The webhook endpoints API: secrets shown once, validation, deletion, rotation, test events, delivery log."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from goodword.clock import as_utc
from goodword.messaging.models import DeliveryAttempt, OutboxMessage
from tests.api.assertions import assert_problem
from tests.factories.stores import StoreAccess

PATH = "/api/v1/webhook-endpoints"


def create(client: TestClient, store: StoreAccess, **body: Any) -> dict[str, Any]:
    response = client.post(
        PATH,
        json={"url": "https://hooks.example.com/in", "event_types": ["webhook.test"], **body},
        headers=store.writer,
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def test_the_secret_is_shown_on_creation_and_never_again(client: TestClient, store: StoreAccess) -> None:
    # when
    created = create(client, store, description="ERP sync")
    # then
    assert created["secret"].startswith("whsec_")
    assert (created["enabled"], created["description"], created["event_types"]) == (
        True,
        "ERP sync",
        ["webhook.test"],
    )
    listed = client.get(PATH, headers=store.reader).json()["data"]
    read = client.get(f"{PATH}/{created['id']}", headers=store.reader).json()
    assert [e["id"] for e in listed] == [created["id"]]
    assert "secret" not in listed[0]
    assert "secret" not in read


def test_an_unusable_url_or_event_type_is_refused_field_by_field(
    client: TestClient, store: StoreAccess
) -> None:
    response = client.post(
        PATH,
        json={"url": "http://hooks.example.com/in", "event_types": ["order.payed"]},
        headers=store.writer,
    )
    assert_problem(response, 422, "invalid_input")
    assert [e["field"] for e in response.json()["errors"]] == ["url", "event_types.0"]


def test_a_read_only_key_cannot_create_an_endpoint(client: TestClient, store: StoreAccess) -> None:
    response = client.post(
        PATH, json={"url": "https://hooks.example.com/in", "event_types": ["*"]}, headers=store.reader
    )
    assert_problem(response, 403, "read_only_key")


def test_a_deleted_endpoint_is_gone_from_reads(client: TestClient, store: StoreAccess) -> None:
    created = create(client, store)
    deleted = client.delete(f"{PATH}/{created['id']}", headers=store.writer)
    assert deleted.status_code == 200, deleted.text
    assert_problem(client.get(f"{PATH}/{created['id']}", headers=store.reader), 404, "not_found")
    assert_problem(client.delete(f"{PATH}/{created['id']}", headers=store.writer), 404, "not_found")
    assert client.get(PATH, headers=store.reader).json()["data"] == []


def test_a_rotation_shows_the_new_secret_and_when_the_old_one_stops(
    client: TestClient, store: StoreAccess
) -> None:
    created = create(client, store)
    rotated = client.post(
        f"{PATH}/{created['id']}/rotate-secret", json={"overlap_hours": 2}, headers=store.writer
    ).json()
    assert rotated["secret"] not in (None, created["secret"])
    ends = as_utc(datetime.fromisoformat(rotated["previous_secret_expires_at"]))
    assert 7100 < (ends - datetime.now(UTC)).total_seconds() <= 7200


def test_a_test_event_is_queued_once_per_idempotency_key(
    client: TestClient, store: StoreAccess, session: Session
) -> None:
    # given
    created = create(client, store)
    headers = {**store.writer, "Idempotency-Key": "test-1"}
    # when the request is sent twice
    first = client.post(f"{PATH}/{created['id']}/test", headers=headers)
    again = client.post(f"{PATH}/{created['id']}/test", headers=headers)
    # then one message was queued, and the retry replays the first answer
    assert first.status_code == again.status_code == 202
    assert first.json() == again.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_the_delivery_log_pages_through_attempts(
    client: TestClient, store: StoreAccess, session: Session
) -> None:
    # given a test event tried three times
    created = create(client, store)
    message_id = client.post(f"{PATH}/{created['id']}/test", headers=store.writer).json()["message_id"]
    for attempt in (1, 2, 3):
        session.add(
            DeliveryAttempt(
                store_id=store.store_id,
                message_id=message_id,
                attempt=attempt,
                worker="w1",
                started_at=datetime(2026, 6, 1, 12, attempt, tzinfo=UTC),
                duration_ms=12,
                succeeded=attempt == 3,
                status_code=200 if attempt == 3 else 503,
                error=None if attempt == 3 else "HTTP 503",
            )
        )
    session.flush()
    # when the log is read two at a time
    first = client.get(f"{PATH}/{created['id']}/deliveries?limit=2", headers=store.reader).json()
    rest = client.get(
        f"{PATH}/{created['id']}/deliveries?limit=2&cursor={first['next_cursor']}", headers=store.reader
    ).json()
    # then
    assert [(d["attempt"], d["status_code"]) for d in first["data"] + rest["data"]] == [
        (1, 503),
        (2, 503),
        (3, 200),
    ]
    assert {d["event_type"] for d in first["data"]} == {"webhook.test"}
    assert rest["next_cursor"] is None
