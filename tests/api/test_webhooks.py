"""Inbound order webhooks: HMAC-SHA256 over the raw body, applied once per event id."""

import json

import pytest
from fastapi.testclient import TestClient

from goodword.stores.order_webhooks import sign
from tests.api.assertions import assert_problem
from tests.factories.stores import StoreAccess, order_event_payload, signed_webhook

URL = "/api/v1/webhooks/orders"


def test_a_correctly_signed_event_is_applied(client: TestClient, store: StoreAccess) -> None:
    # given
    event = order_event_payload()
    body, headers = signed_webhook(store, event)
    # when
    response = client.post(URL, content=body, headers=headers)
    # then
    assert response.status_code == 200, response.text
    assert response.json() == {"event_id": event["id"], "status": "applied"}
    order = client.get(f"/api/v1/orders/{event['order']['external_id']}", headers=store.reader)
    assert order.status_code == 200
    assert order.json()["status"] == "paid"


def test_a_replayed_event_is_acknowledged_and_changes_nothing(client: TestClient, store: StoreAccess) -> None:
    # given
    event = order_event_payload()
    client.post(URL, content=signed_webhook(store, event)[0], headers=signed_webhook(store, event)[1])
    before = client.get(f"/api/v1/orders/{event['order']['external_id']}", headers=store.reader).json()
    replay = {**event, "order": {**event["order"], "status": "refunded"}}
    body, headers = signed_webhook(store, replay)
    # when
    response = client.post(URL, content=body, headers=headers)
    # then
    assert response.status_code == 200
    assert response.json() == {"event_id": event["id"], "status": "duplicate"}
    after = client.get(f"/api/v1/orders/{event['order']['external_id']}", headers=store.reader).json()
    assert after == before


def test_a_later_event_for_the_same_order_updates_it(client: TestClient, store: StoreAccess) -> None:
    # given
    paid = order_event_payload()
    client.post(URL, content=signed_webhook(store, paid)[0], headers=signed_webhook(store, paid)[1])
    refunded = {
        "id": "evt-refund",
        "type": "order.refunded",
        "order": {**paid["order"], "status": "refunded", "refunded_at": "2026-03-02T10:00:00Z"},
    }
    body, headers = signed_webhook(store, refunded)
    # when
    response = client.post(URL, content=body, headers=headers)
    # then
    assert response.json()["status"] == "applied"
    order = client.get(f"/api/v1/orders/{paid['order']['external_id']}", headers=store.reader).json()
    assert order["status"] == "refunded"


def _unauthorized_variants(
    store: StoreAccess, other_store: StoreAccess
) -> dict[str, tuple[bytes, dict[str, str]]]:
    body, good = signed_webhook(store, order_event_payload())
    tampered = body.replace(b'"total_minor": 2700', b'"total_minor": 1')
    return {
        "wrong-signature": (body, {**good, "X-Goodword-Signature": "sha256=" + "0" * 64}),
        "other-stores-secret": (
            body,
            {**good, "X-Goodword-Signature": sign(other_store.webhook_secret, body)},
        ),
        "tampered-body": (tampered, good),
        "missing-signature": (body, {k: v for k, v in good.items() if k != "X-Goodword-Signature"}),
        "unknown-store": (body, {**good, "X-Goodword-Store": "st_doesnotexist00"}),
        "missing-store": (body, {k: v for k, v in good.items() if k != "X-Goodword-Store"}),
        "overlong-store": (body, {**good, "X-Goodword-Store": "st_" + "x" * 300}),
        "no-scheme": (
            body,
            {**good, "X-Goodword-Signature": good["X-Goodword-Signature"].removeprefix("sha256=")},
        ),
    }


@pytest.mark.parametrize(
    "variant",
    [
        "wrong-signature",
        "other-stores-secret",
        "tampered-body",
        "missing-signature",
        "unknown-store",
        "missing-store",
        "overlong-store",
        "no-scheme",
    ],
)
def test_an_unverifiable_event_is_401_with_one_same_answer_and_applies_nothing(
    client: TestClient, store: StoreAccess, other_store: StoreAccess, variant: str
) -> None:
    # given
    body, headers = _unauthorized_variants(store, other_store)[variant]
    # when
    response = client.post(URL, content=body, headers=headers)
    # then
    assert_problem(response, 401, "bad_signature")
    assert {k: v for k, v in response.json().items() if k != "request_id"} == {
        "type": "https://goodword.dev/problems/bad_signature",
        "title": "Unauthorized",
        "status": 401,
        "code": "bad_signature",
        "detail": "the webhook signature does not match",
        "instance": URL,
    }
    assert client.get("/api/v1/orders", headers=store.reader).json()["data"] == []


def test_malformed_json_with_a_valid_signature_is_400(client: TestClient, store: StoreAccess) -> None:
    # given
    body = b'{"id": "evt-1", "type": '
    headers = {"X-Goodword-Store": store.store_id, "X-Goodword-Signature": sign(store.webhook_secret, body)}
    # when
    response = client.post(URL, content=body, headers=headers)
    # then
    assert_problem(response, 400, "malformed_json")


def test_an_invalid_order_with_a_valid_signature_is_422_naming_the_field(
    client: TestClient, store: StoreAccess
) -> None:
    # given
    event = order_event_payload(currency="XYZ")
    body, headers = signed_webhook(store, event)
    # when
    response = client.post(URL, content=body, headers=headers)
    # then
    assert_problem(response, 422, "invalid_input")
    assert [e["field"] for e in response.json()["errors"]] == ["order.currency"]


def test_an_invalid_event_can_be_fixed_and_resent_with_the_same_id(
    client: TestClient, store: StoreAccess
) -> None:
    # given
    bad = order_event_payload(customer_external_id="ghost")
    failed = client.post(URL, content=signed_webhook(store, bad)[0], headers=signed_webhook(store, bad)[1])
    fixed = {**bad, "order": {**bad["order"], "customer_external_id": None}}
    body, headers = signed_webhook(store, fixed)
    # when
    response = client.post(URL, content=body, headers=headers)
    # then
    assert failed.status_code == 422
    assert response.json()["status"] == "applied"


def test_an_unknown_event_type_is_422(client: TestClient, store: StoreAccess) -> None:
    # given
    event = {**order_event_payload(), "type": "order.teleported"}
    body, headers = signed_webhook(store, event)
    # when
    response = client.post(URL, content=body, headers=headers)
    # then
    assert_problem(response, 422, "invalid_input")
    assert response.json()["errors"][0]["field"] == "type"


def test_the_signature_covers_the_raw_bytes_not_a_reserialization(
    client: TestClient, store: StoreAccess
) -> None:
    # given: the same event with the sender's own spacing and key order
    event = order_event_payload()
    body = json.dumps(event, indent=3, sort_keys=True).encode()
    headers = {"X-Goodword-Store": store.store_id, "X-Goodword-Signature": sign(store.webhook_secret, body)}
    # when
    response = client.post(URL, content=body, headers=headers)
    # then
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "applied"
