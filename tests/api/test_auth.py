"""API keys: bearer tokens, read or write scope, revocable; a bad key learns nothing."""

import pytest
from fastapi.testclient import TestClient

from tests.api.assertions import assert_problem
from tests.factories.stores import StoreAccess, customer_payload


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": ""},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer not-a-key"},
        {"Authorization": "Bearer gw_000000000000_wrongsecret"},
    ],
    ids=["none", "empty", "basic", "blank-bearer", "malformed", "unknown"],
)
def test_a_missing_or_malformed_key_is_401_with_www_authenticate(
    client: TestClient, headers: dict[str, str]
) -> None:
    # when
    response = client.get("/api/v1/customers", headers=headers)
    # then
    assert_problem(response, 401, response.json()["code"])
    assert response.json()["code"] in {"missing_api_key", "unauthorized"}
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_known_prefix_with_the_wrong_secret_is_refused_like_an_unknown_key(
    client: TestClient, store: StoreAccess
) -> None:
    # given
    prefix = store.read_key.split("_")[1]
    # when
    wrong = client.get("/api/v1/customers", headers={"Authorization": f"Bearer gw_{prefix}_guess"})
    unknown = client.get("/api/v1/customers", headers={"Authorization": "Bearer gw_ffffffffffff_guess"})
    # then
    assert_problem(wrong, 401, "unauthorized")
    assert wrong.json()["detail"] == unknown.json()["detail"]


def test_a_revoked_key_is_refused(client: TestClient, store: StoreAccess) -> None:
    # given
    keys = client.get("/api/v1/api-keys", headers=store.writer).json()
    reader_id = next(k["id"] for k in keys if k["scope"] == "read")
    revoked = client.delete(f"/api/v1/api-keys/{reader_id}", headers=store.writer)
    # when
    response = client.get("/api/v1/customers", headers=store.reader)
    # then
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_read_key_cannot_write(client: TestClient, store: StoreAccess) -> None:
    # when
    response = client.post("/api/v1/customers", json=customer_payload(), headers=store.reader)
    # then
    assert_problem(response, 403, "read_only_key")
    assert client.get("/api/v1/customers", headers=store.reader).json()["data"] == []


def test_a_read_key_cannot_see_or_issue_api_keys(client: TestClient, store: StoreAccess) -> None:
    # when
    listed = client.get("/api/v1/api-keys", headers=store.reader)
    issued = client.post("/api/v1/api-keys", json={"name": "x", "scope": "write"}, headers=store.reader)
    # then
    assert_problem(listed, 403, "read_only_key")
    assert_problem(issued, 403, "read_only_key")


def test_an_issued_key_is_shown_once_and_works(client: TestClient, store: StoreAccess) -> None:
    # given
    issued = client.post("/api/v1/api-keys", json={"name": "ci", "scope": "read"}, headers=store.writer)
    # when
    response = client.get("/api/v1/customers", headers={"Authorization": f"Bearer {issued.json()['key']}"})
    # then
    assert issued.status_code == 201, issued.text
    assert response.status_code == 200
    listed = client.get("/api/v1/api-keys", headers=store.writer).json()
    assert all("key" not in k and "secret_hash" not in k for k in listed)
    assert issued.json()["id"] in [k["id"] for k in listed]


def test_an_unknown_scope_is_refused(client: TestClient, store: StoreAccess) -> None:
    # when
    response = client.post("/api/v1/api-keys", json={"name": "x", "scope": "admin"}, headers=store.writer)
    # then
    assert_problem(response, 422, "invalid_input")
    assert response.json()["errors"][0]["field"] == "scope"


def test_revoking_an_unknown_key_is_404(client: TestClient, store: StoreAccess) -> None:
    # when
    response = client.delete("/api/v1/api-keys/987654321", headers=store.writer)
    # then
    assert_problem(response, 404, "not_found")
