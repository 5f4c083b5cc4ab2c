"""Every rule in stores/inputs.py, seen from the API: a 422 problem that names the offending field."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories.stores import StoreAccess, customer_payload, order_payload, product_payload

_LINE = {"title": "Oolong", "quantity": 1, "unit_price_minor": 100}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"email": "ann@"}, "email"),
        ({"phone": "020 7946 0958"}, "phone"),
        ({"phone": "+1 23"}, "phone"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"time_zone": "America"}, "time_zone"),
        ({"time_zone": "../../etc/passwd"}, "time_zone"),
        ({"locale": "english!"}, "locale"),
        ({"locale": "en" + "-abcdefgh" * 10}, "locale"),
        ({"external_id": "a/b"}, "external_id"),
        ({"external_id": "a b"}, "external_id"),
        ({"external_id": "a\x00b"}, "external_id"),
        ({"external_id": ""}, "external_id"),
        ({"external_id": "x" * 256}, "external_id"),
        ({"name": "a\x00b"}, "name"),
        ({"name": " "}, "name"),
        ({"created_at": "2025-01-01T00:00:00"}, "created_at"),
        ({"marketing_consent": "perhaps"}, "marketing_consent"),
        ({"loyalty_tier": "gold"}, "loyalty_tier"),
    ],
)
def test_a_customer_field_that_breaks_a_rule_is_named(
    client: TestClient, store: StoreAccess, changes: dict[str, Any], field: str
) -> None:
    # when
    response = client.post("/api/v1/customers", json=customer_payload(**changes), headers=store.writer)
    # then
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "invalid_input"
    assert [e["field"] for e in response.json()["errors"]] == [field]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"currency": "usd"}, "currency"),
        ({"currency": "XYZ"}, "currency"),
        ({"status": "lost"}, "status"),
        ({"total_minor": -1}, "total_minor"),
        ({"shipping_minor": -200}, "shipping_minor"),
        ({"total_minor": 10**16}, "total_minor"),
        ({"total_minor": "27.00"}, "total_minor"),
        ({"total_minor": 27.0}, "total_minor"),
        ({"discount_minor": True}, "discount_minor"),
        ({"placed_at": "2026-03-01T10:00:00"}, "placed_at"),
        ({"placed_at": "0001-01-01T00:00:00+05:00"}, "placed_at"),
        ({"paid_at": "yesterday"}, "paid_at"),
        ({"external_id": "2026/001"}, "external_id"),
        ({"customer_external_id": "a/b"}, "customer_external_id"),
        ({"lines": [{**_LINE, "quantity": 0}]}, "lines.0.quantity"),
        ({"lines": [{**_LINE, "unit_price_minor": -5}]}, "lines.0.unit_price_minor"),
        ({"lines": [_LINE, {**_LINE, "sku": "A/B"}]}, "lines.1.sku"),
        ({"lines": [{**_LINE, "colour": "red"}]}, "lines.0.colour"),
        ({"lines": [{**_LINE, "quantity": 1_000_000, "unit_price_minor": 10**15}]}, "lines.0"),
        ({"lines": [{**_LINE, "unit_price_minor": 10**15}] * 2}, "body"),
        ({"customer_external_id": "a", "customer": customer_payload(external_id="b")}, "body"),
    ],
)
def test_an_order_field_that_breaks_a_rule_is_named(
    client: TestClient, store: StoreAccess, changes: dict[str, Any], field: str
) -> None:
    # when
    response = client.post("/api/v1/orders", json=order_payload(**changes), headers=store.writer)
    # then
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"sku": "A/B"}, "sku"),
        ({"title": ""}, "title"),
        ({"url": "ftp://shop.example.com/p/1"}, "url"),
        ({"image_url": "https://shop.example.com/a b.png"}, "image_url"),
        ({"price_minor": -1}, "price_minor"),
        ({"currency": "EURO"}, "currency"),
    ],
)
def test_a_product_field_that_breaks_a_rule_is_named(
    client: TestClient, store: StoreAccess, changes: dict[str, Any], field: str
) -> None:
    # when
    response = client.post("/api/v1/products", json=product_payload(**changes), headers=store.writer)
    # then
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]


@pytest.mark.parametrize(
    ("tie", "field"),
    [
        ({"from_external_id": "a", "to_external_id": "b", "source": "gossip"}, "source"),
        ({"from_external_id": "a/b", "to_external_id": "b"}, "from_external_id"),
        ({"from_external_id": "a", "to_external_id": "b", "created_at": "2026-01-01"}, "created_at"),
        ({"from_external_id": "a"}, "to_external_id"),
    ],
)
def test_a_tie_field_that_breaks_a_rule_is_named(
    client: TestClient, store: StoreAccess, tie: dict[str, Any], field: str
) -> None:
    # when
    response = client.post("/api/v1/ties", json=tie, headers=store.writer)
    # then
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_every_broken_field_is_reported_at_once(client: TestClient, store: StoreAccess) -> None:
    # when
    response = client.post(
        "/api/v1/customers",
        json=customer_payload(email="nope", phone="nope", time_zone="Nowhere/Land"),
        headers=store.writer,
    )
    # then
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"email", "phone", "time_zone"}
    assert all(e["message"] and e["code"] for e in response.json()["errors"])
