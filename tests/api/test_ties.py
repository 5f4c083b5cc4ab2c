"""Customer ties: who knows whom, recorded once per pair and source."""

from typing import Any

from fastapi.testclient import TestClient

from tests.factories.stores import StoreAccess, customer_payload


def _customers(client: TestClient, store: StoreAccess, count: int) -> list[str]:
    items = [customer_payload() for _ in range(count)]
    client.post("/api/v1/customers/batch", json={"items": items}, headers=store.writer)
    return [c["external_id"] for c in items]


def _tie(teller: str, told: str, **extra: Any) -> dict[str, Any]:
    return {"from_external_id": teller, "to_external_id": told, **extra}


def test_a_tie_is_recorded_once_and_then_reported_as_known(client: TestClient, store: StoreAccess) -> None:
    # given
    ann, bob = _customers(client, store, 2)
    first = client.post("/api/v1/ties", json=_tie(ann, bob), headers=store.writer)
    # when
    again = client.post("/api/v1/ties", json=_tie(ann, bob), headers=store.writer)
    # then
    assert first.status_code == 201, first.text
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert first.json()["source"] == "declared"


def test_a_tie_to_an_unknown_customer_names_the_side(client: TestClient, store: StoreAccess) -> None:
    # given
    [ann] = _customers(client, store, 1)
    # when
    response = client.post("/api/v1/ties", json=_tie(ann, "ghost"), headers=store.writer)
    # then
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["to_external_id"]


def test_a_customer_cannot_be_tied_to_themselves(client: TestClient, store: StoreAccess) -> None:
    # given
    [ann] = _customers(client, store, 1)
    # when
    response = client.post("/api/v1/ties", json=_tie(ann, ann), headers=store.writer)
    # then
    assert response.status_code == 422


def test_a_tie_can_be_read_by_id(client: TestClient, store: StoreAccess) -> None:
    # given
    ann, bob = _customers(client, store, 2)
    tie = client.post("/api/v1/ties", json=_tie(ann, bob, source="referral"), headers=store.writer).json()
    # when
    response = client.get(f"/api/v1/ties/{tie['id']}", headers=store.reader)
    # then
    assert response.json() == tie


def test_ties_can_be_listed_by_either_side_and_by_source(client: TestClient, store: StoreAccess) -> None:
    # given
    ann, bob, cat = _customers(client, store, 3)
    ab = client.post("/api/v1/ties", json=_tie(ann, bob), headers=store.writer).json()
    bc = client.post("/api/v1/ties", json=_tie(bob, cat, source="referral"), headers=store.writer).json()

    def listed(**params: str) -> list[int]:
        response = client.get("/api/v1/ties", params=params, headers=store.reader)
        assert response.status_code == 200, response.text
        return [t["id"] for t in response.json()["data"]]

    # when / then
    assert listed(customer=bob) == [ab["id"], bc["id"]]
    assert listed(customer=cat) == [bc["id"]]
    assert listed(source="referral") == [bc["id"]]


def test_an_unknown_tie_is_404(client: TestClient, store: StoreAccess) -> None:
    # when
    response = client.get("/api/v1/ties/999999", headers=store.reader)
    # then
    assert response.status_code == 404
