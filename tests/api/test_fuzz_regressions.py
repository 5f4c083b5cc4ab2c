"""Inputs a schema fuzzer (schemathesis) sent that once got a 500 or a wrong answer; each is a clean 4xx now."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.assertions import assert_problem
from tests.factories.stores import StoreAccess, customer_payload, order_payload, product_payload

# Python takes offsets up to ±24h, PostgreSQL only up to ±16h; no real zone is beyond ±14:00.
_FAR_OFFSET = "2026-03-01T10:00:00+20:17"


def test_an_api_key_name_with_a_nul_is_refused(client: TestClient, store: StoreAccess) -> None:
    # when
    response = client.post("/api/v1/api-keys", json={"name": "ci\x00", "scope": "read"}, headers=store.writer)
    # then
    assert_problem(response, 422, "invalid_input")
    assert [e["field"] for e in response.json()["errors"]] == ["name"]


@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        ("/api/v1/customers", customer_payload(created_at=_FAR_OFFSET), "created_at"),
        ("/api/v1/orders", order_payload(placed_at=_FAR_OFFSET), "placed_at"),
        ("/api/v1/orders", order_payload(paid_at="2026-03-01T10:00:00-15:30"), "paid_at"),
    ],
)
def test_a_moment_with_a_utc_offset_no_zone_has_is_refused(
    client: TestClient, store: StoreAccess, path: str, payload: dict[str, Any], field: str
) -> None:
    # when
    response = client.post(path, json=payload, headers=store.writer)
    # then
    assert_problem(response, 422, "invalid_input")
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_a_moment_at_the_widest_real_utc_offset_is_kept(client: TestClient, store: StoreAccess) -> None:
    # when
    response = client.post(
        "/api/v1/customers",
        json=customer_payload(external_id="kiritimati", created_at="2026-03-01T10:00:00+14:00"),
        headers=store.writer,
    )
    # then
    assert response.status_code == 201, response.text
    assert response.json()["created_at"] == "2026-02-28T20:00:00Z"


@pytest.mark.parametrize(
    "query",
    ["/api/v1/customers?created_after=", "/api/v1/orders?placed_before="],
    ids=["customers", "orders"],
)
def test_a_filter_moment_with_a_utc_offset_no_zone_has_is_refused(
    client: TestClient, store: StoreAccess, query: str
) -> None:
    # when
    response = client.get(query + _FAR_OFFSET.replace("+", "%2B"), headers=store.reader)
    # then
    assert_problem(response, 422, "invalid_input")


def test_a_product_url_with_a_control_character_is_refused(client: TestClient, store: StoreAccess) -> None:
    # when
    response = client.post(
        "/api/v1/products", json=product_payload(url="https://shop.example.com/\x01"), headers=store.writer
    )
    # then
    assert_problem(response, 422, "invalid_input")
    assert [e["field"] for e in response.json()["errors"]] == ["url"]


def test_every_reference_in_the_openapi_document_resolves(client: TestClient) -> None:
    # given
    document = client.get("/openapi.json").json()
    # when
    references = set(_references(document))
    # then
    unresolved = {
        r
        for r in references
        if r.removeprefix("#/components/schemas/") not in document["components"]["schemas"]
    }
    assert references
    assert unresolved == set()


def test_error_answers_are_documented_as_problems(client: TestClient) -> None:
    # when
    operation = client.get("/openapi.json").json()["paths"]["/api/v1/customers/{external_id}"]["get"]
    # then
    for status in ("401", "404", "422"):
        assert list(operation["responses"][status]["content"]) == ["application/problem+json"]


def _references(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for value in node.values() for r in _references(value)]
    if isinstance(node, list):
        return [r for value in node for r in _references(value)]
    return []
