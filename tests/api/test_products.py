"""Products: upsert by SKU, read one, list."""

from fastapi.testclient import TestClient

from tests.factories.stores import StoreAccess, product_payload


def test_a_product_is_created_then_updated_by_its_sku(client: TestClient, store: StoreAccess) -> None:
    # given
    payload = product_payload()
    created = client.post("/api/v1/products", json=payload, headers=store.writer)
    # when
    updated = client.post("/api/v1/products", json={**payload, "price_minor": 1500}, headers=store.writer)
    # then
    assert created.status_code == 201, created.text
    assert updated.status_code == 200, updated.text
    read = client.get(f"/api/v1/products/{payload['sku']}", headers=store.reader).json()
    assert read["price_minor"] == 1500
    assert read["created_at"] == created.json()["created_at"]


def test_an_unchanged_product_upsert_changes_nothing(client: TestClient, store: StoreAccess) -> None:
    # given
    payload = product_payload()
    first = client.post("/api/v1/products", json=payload, headers=store.writer).json()
    # when
    again = client.post("/api/v1/products", json=payload, headers=store.writer)
    # then
    assert again.status_code == 200
    assert again.json()["updated_at"] == first["updated_at"]


def test_a_price_without_a_currency_is_refused(client: TestClient, store: StoreAccess) -> None:
    # when
    response = client.post("/api/v1/products", json=product_payload(currency=None), headers=store.writer)
    # then
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"


def test_an_unknown_sku_is_404(client: TestClient, store: StoreAccess) -> None:
    # when
    response = client.get("/api/v1/products/NO-SUCH-SKU", headers=store.reader)
    # then
    assert response.status_code == 404
    assert response.json()["detail"] == "no product 'NO-SUCH-SKU'"


def test_products_are_listed_in_the_order_they_were_created(client: TestClient, store: StoreAccess) -> None:
    # given
    skus = [client.post("/api/v1/products", json=product_payload(), headers=store.writer).json()["sku"]]
    skus.append(client.post("/api/v1/products", json=product_payload(), headers=store.writer).json()["sku"])
    # when
    response = client.get("/api/v1/products", headers=store.reader)
    # then
    assert [p["sku"] for p in response.json()["data"]] == skus
    assert response.json()["next_cursor"] is None
