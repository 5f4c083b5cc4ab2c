"""Idempotency-Key: a retry gets the first answer and changes nothing; keys belong to one store."""

from fastapi.testclient import TestClient

from tests.api.assertions import assert_problem
from tests.factories.stores import StoreAccess, customer_payload, order_payload, product_payload


def test_a_retry_replays_the_first_answer_and_changes_nothing(client: TestClient, store: StoreAccess) -> None:
    # given
    payload = order_payload()
    headers = {**store.writer, "Idempotency-Key": "order-attempt-1"}
    first = client.post("/api/v1/orders", json=payload, headers=headers)
    # when
    retry = client.post("/api/v1/orders", json=payload, headers=headers)
    # then
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    assert retry.status_code == 201
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.json() == first.json()
    assert len(client.get("/api/v1/orders", headers=store.reader).json()["data"]) == 1


def test_a_retry_is_replayed_even_after_the_resource_changed(client: TestClient, store: StoreAccess) -> None:
    # given
    payload = customer_payload()
    headers = {**store.writer, "Idempotency-Key": "k-1"}
    first = client.post("/api/v1/customers", json=payload, headers=headers)
    client.post("/api/v1/customers", json={**payload, "name": "Changed"}, headers=store.writer)
    # when
    retry = client.post("/api/v1/customers", json=payload, headers=headers)
    # then
    assert retry.json() == first.json()
    current = client.get(f"/api/v1/customers/{payload['external_id']}", headers=store.reader).json()
    assert current["name"] == "Changed"


def test_a_key_reused_for_a_different_body_is_a_409(client: TestClient, store: StoreAccess) -> None:
    # given
    headers = {**store.writer, "Idempotency-Key": "k-2"}
    client.post("/api/v1/customers", json=customer_payload(), headers=headers)
    other = customer_payload()
    # when
    response = client.post("/api/v1/customers", json=other, headers=headers)
    # then
    assert_problem(response, 409, "idempotency_key_reused")
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert client.get(f"/api/v1/customers/{other['external_id']}", headers=store.reader).status_code == 404


def test_a_key_reused_on_another_endpoint_is_a_409(client: TestClient, store: StoreAccess) -> None:
    # given
    headers = {**store.writer, "Idempotency-Key": "k-3"}
    client.post("/api/v1/products", json=product_payload(), headers=headers)
    # when
    response = client.post("/api/v1/customers/batch", json={"items": [customer_payload()]}, headers=headers)
    # then
    assert_problem(response, 409, "idempotency_key_reused")


def test_a_failed_request_does_not_use_up_its_key(client: TestClient, store: StoreAccess) -> None:
    # given
    headers = {**store.writer, "Idempotency-Key": "k-4"}
    payload = order_payload(customer_external_id="not-yet")
    failed = client.post("/api/v1/orders", json=payload, headers=headers)
    client.post("/api/v1/customers", json=customer_payload(external_id="not-yet"), headers=store.writer)
    # when
    retry = client.post("/api/v1/orders", json=payload, headers=headers)
    # then
    assert failed.status_code == 422
    assert retry.status_code == 201, retry.text
    assert "idempotent-replayed" not in retry.headers


def test_idempotency_keys_belong_to_one_store(
    client: TestClient, store: StoreAccess, other_store: StoreAccess
) -> None:
    # given
    payload = customer_payload()
    client.post("/api/v1/customers", json=payload, headers={**store.writer, "Idempotency-Key": "shared"})
    # when
    theirs = client.post(
        "/api/v1/customers", json=payload, headers={**other_store.writer, "Idempotency-Key": "shared"}
    )
    different = client.post(
        "/api/v1/customers",
        json=customer_payload(),
        headers={**other_store.writer, "Idempotency-Key": "shared"},
    )
    # then
    assert theirs.status_code == 201
    assert "idempotent-replayed" not in theirs.headers
    assert different.status_code == 409


def test_every_post_endpoint_honours_the_key(client: TestClient, store: StoreAccess) -> None:
    # given
    client.post(
        "/api/v1/customers/batch",
        json={"items": [customer_payload(external_id="a"), customer_payload(external_id="b")]},
        headers=store.writer,
    )
    requests = {
        "/api/v1/customers": customer_payload(),
        "/api/v1/customers/batch": {"items": [customer_payload()]},
        "/api/v1/products": product_payload(),
        "/api/v1/orders": order_payload(),
        "/api/v1/orders/batch": {"items": [order_payload()]},
        "/api/v1/ties": {"from_external_id": "a", "to_external_id": "b"},
    }
    for number, (path, body) in enumerate(requests.items()):
        headers = {**store.writer, "Idempotency-Key": f"every-{number}"}
        first = client.post(path, json=body, headers=headers)
        # when
        retry = client.post(path, json=body, headers=headers)
        # then
        assert first.status_code in (200, 201), (path, first.text)
        assert (retry.status_code, retry.json()) == (first.status_code, first.json()), path
        assert retry.headers["idempotent-replayed"] == "true", path
