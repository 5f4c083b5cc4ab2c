"""Cursor pagination: every row exactly once across pages, whatever the page size."""

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.assertions import assert_problem
from tests.factories.stores import StoreAccess, customer_payload, order_payload, product_payload


def _walk(client: TestClient, store: StoreAccess, path: str, key: str, limit: int) -> list[Any]:
    seen: list[Any] = []
    cursor = None
    for _ in range(100):
        params: dict[str, Any] = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        page = client.get(path, params=params, headers=store.reader)
        assert page.status_code == 200, page.text
        seen += [row[key] for row in page.json()["data"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return seen
    raise AssertionError("pagination did not end")


def _seed_customers(client: TestClient, store: StoreAccess) -> list[str]:
    items = [customer_payload() for _ in range(7)]
    client.post("/api/v1/customers/batch", json={"items": items}, headers=store.writer)
    return [c["external_id"] for c in items]


def _seed_products(client: TestClient, store: StoreAccess) -> list[str]:
    return [
        client.post("/api/v1/products", json=product_payload(), headers=store.writer).json()["sku"]
        for _ in range(7)
    ]


def _seed_orders(client: TestClient, store: StoreAccess) -> list[str]:
    items = [order_payload() for _ in range(7)]
    client.post("/api/v1/orders/batch", json={"items": items}, headers=store.writer)
    return [o["external_id"] for o in items]


def _seed_ties(client: TestClient, store: StoreAccess) -> list[int]:
    names = _seed_customers(client, store)
    return [
        client.post(
            "/api/v1/ties", json={"from_external_id": a, "to_external_id": b}, headers=store.writer
        ).json()["id"]
        for a, b in itertools.pairwise(names)
    ]


LISTS: dict[str, tuple[str, str, Callable[[TestClient, StoreAccess], list[Any]]]] = {
    "customers": ("/api/v1/customers", "external_id", _seed_customers),
    "products": ("/api/v1/products", "sku", _seed_products),
    "orders": ("/api/v1/orders", "external_id", _seed_orders),
    "ties": ("/api/v1/ties", "id", _seed_ties),
}


@pytest.mark.parametrize("name", list(LISTS))
@pytest.mark.parametrize("limit", [1, 3, 7, 200])
def test_walking_every_page_returns_every_row_once_in_order(
    client: TestClient, store: StoreAccess, name: str, limit: int
) -> None:
    # given
    path, key, seed = LISTS[name]
    expected = seed(client, store)
    # when
    seen = _walk(client, store, path, key, limit)
    # then
    assert seen == expected


def test_rows_added_while_paging_appear_at_the_end_without_repeats(
    client: TestClient, store: StoreAccess
) -> None:
    # given
    first = _seed_customers(client, store)
    page = client.get("/api/v1/customers", params={"limit": 4}, headers=store.reader).json()
    late = customer_payload()
    client.post("/api/v1/customers", json=late, headers=store.writer)
    # when
    rest = client.get(
        "/api/v1/customers", params={"limit": 200, "cursor": page["next_cursor"]}, headers=store.reader
    ).json()
    # then
    seen = [c["external_id"] for c in page["data"] + rest["data"]]
    assert seen == [*first, late["external_id"]]


@pytest.mark.parametrize("cursor", ["garbage", "aWQ6LTE", "bmFtZTox", "!!!", "aWQ6"])
def test_a_cursor_this_api_did_not_make_is_422(client: TestClient, store: StoreAccess, cursor: str) -> None:
    # when
    response = client.get("/api/v1/orders", params={"cursor": cursor}, headers=store.reader)
    # then
    assert_problem(response, 422, "invalid_input")
    assert response.json()["errors"][0]["field"] == "cursor"


@pytest.mark.parametrize("limit", ["0", "201", "-1", "ten", "1e3", str(10**30)])
def test_a_limit_outside_1_to_200_is_422(client: TestClient, store: StoreAccess, limit: str) -> None:
    # when
    response = client.get("/api/v1/products", params={"limit": limit}, headers=store.reader)
    # then
    assert_problem(response, 422, "invalid_input")
    assert response.json()["errors"][0]["field"] == "query.limit"
