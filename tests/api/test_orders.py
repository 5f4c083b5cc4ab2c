"""Orders: upsert with lines and inline customers, batches that are all or nothing, filtered lists."""

from fastapi.testclient import TestClient

from tests.factories.stores import StoreAccess, customer_payload, order_payload


def test_an_order_with_an_inline_customer_creates_both(client: TestClient, store: StoreAccess) -> None:
    # given
    customer = customer_payload()
    # when
    response = client.post("/api/v1/orders", json=order_payload(customer=customer), headers=store.writer)
    # then
    assert response.status_code == 201, response.text
    assert response.json()["customer_external_id"] == customer["external_id"]
    assert client.get(f"/api/v1/customers/{customer['external_id']}", headers=store.reader).status_code == 200


def test_an_updated_order_replaces_its_lines(client: TestClient, store: StoreAccess) -> None:
    # given
    payload = order_payload()
    client.post("/api/v1/orders", json=payload, headers=store.writer)
    lines = [
        {"sku": "SKU-B", "title": "Sencha", "quantity": 1, "unit_price_minor": 900},
        {"title": "Gift wrap", "quantity": 1, "unit_price_minor": 100},
    ]
    # when
    response = client.post(
        "/api/v1/orders", json={**payload, "lines": lines, "total_minor": 1000}, headers=store.writer
    )
    # then
    assert response.status_code == 200, response.text
    body = response.json()
    assert [line["title"] for line in body["lines"]] == ["Sencha", "Gift wrap"]
    assert body["subtotal_minor"] == 1000


def test_an_unchanged_order_upsert_changes_nothing(client: TestClient, store: StoreAccess) -> None:
    # given
    payload = order_payload()
    first = client.post("/api/v1/orders", json=payload, headers=store.writer).json()
    # when
    again = client.post("/api/v1/orders", json=payload, headers=store.writer)
    # then
    assert again.status_code == 200
    assert again.json() == first


def test_an_order_for_a_customer_the_store_lacks_names_the_field(
    client: TestClient, store: StoreAccess
) -> None:
    # when
    response = client.post(
        "/api/v1/orders", json=order_payload(customer_external_id="ghost"), headers=store.writer
    )
    # then
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "customer_external_id"


def test_a_batch_with_a_bad_currency_stores_nothing_and_names_items_3_currency(
    client: TestClient, store: StoreAccess
) -> None:
    # given
    items = [order_payload() for _ in range(3)] + [order_payload(currency="XYZ")]
    # when
    response = client.post("/api/v1/orders/batch", json={"items": items}, headers=store.writer)
    # then
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["items.3.currency"]
    assert client.get("/api/v1/orders", headers=store.reader).json()["data"] == []


def test_a_batch_with_an_unknown_customer_stores_nothing(client: TestClient, store: StoreAccess) -> None:
    # given
    items = [order_payload(customer=customer_payload()), order_payload(customer_external_id="ghost")]
    # when
    response = client.post("/api/v1/orders/batch", json={"items": items}, headers=store.writer)
    # then
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "items.1.customer_external_id"
    assert client.get("/api/v1/customers", headers=store.reader).json()["data"] == []


def test_a_batch_of_orders_is_applied_together(client: TestClient, store: StoreAccess) -> None:
    # given
    items = [order_payload(), order_payload()]
    # when
    response = client.post("/api/v1/orders/batch", json={"items": items}, headers=store.writer)
    # then
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 2


def test_orders_can_be_listed_by_status_customer_and_time(client: TestClient, store: StoreAccess) -> None:
    # given
    ann = customer_payload()
    paid = order_payload(customer=ann, placed_at="2026-01-10T00:00:00Z")
    pending = order_payload(status="pending", paid_at=None, placed_at="2026-02-10T00:00:00Z")
    client.post("/api/v1/orders/batch", json={"items": [paid, pending]}, headers=store.writer)

    def listed(**params: str) -> list[str]:
        response = client.get("/api/v1/orders", params=params, headers=store.reader)
        assert response.status_code == 200, response.text
        return [o["external_id"] for o in response.json()["data"]]

    # when / then
    assert listed(status="pending") == [pending["external_id"]]
    assert listed(customer=ann["external_id"]) == [paid["external_id"]]
    assert listed(placed_after="2026-02-01T00:00:00Z") == [pending["external_id"]]
    assert listed(placed_before="2026-02-01T00:00:00+00:00") == [paid["external_id"]]


def test_an_unknown_status_filter_is_refused(client: TestClient, store: StoreAccess) -> None:
    # when
    response = client.get("/api/v1/orders", params={"status": "lost"}, headers=store.reader)
    # then
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "query.status"


def test_an_unknown_order_is_404(client: TestClient, store: StoreAccess) -> None:
    # when
    response = client.get("/api/v1/orders/no-such-order", headers=store.reader)
    # then
    assert response.status_code == 404
