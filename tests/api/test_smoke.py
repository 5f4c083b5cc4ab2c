from fastapi.testclient import TestClient

from tests.factories.stores import StoreAccess, customer_payload, order_payload


def test_an_order_for_a_new_customer_can_be_read_back(client: TestClient, store: StoreAccess) -> None:
    # given
    customer = client.post("/api/v1/customers", json=customer_payload(external_id="c1"), headers=store.writer)
    # when
    created = client.post(
        "/api/v1/orders", json=order_payload(customer_external_id="c1"), headers=store.writer
    )
    # then
    assert customer.status_code == 201, customer.text
    assert created.status_code == 201, created.text
    order = client.get(f"/api/v1/orders/{created.json()['external_id']}", headers=store.reader).json()
    assert order["customer_external_id"] == "c1"
    assert order["subtotal_minor"] == 2500
    assert order["lines"][0]["total_minor"] == 2500
