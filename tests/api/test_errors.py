"""Every error is an RFC 9457 problem with a stable code; bad input is a clear 4xx, never a 500."""

import base64
from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.api.assertions import assert_problem
from tests.factories.stores import StoreAccess, customer_payload


def test_malformed_json_is_a_400_problem(client: TestClient, store: StoreAccess) -> None:
    # when
    response = client.post(
        "/api/v1/customers",
        content=b'{"external_id": "c1",',
        headers={**store.writer, "Content-Type": "application/json"},
    )
    # then
    assert_problem(response, 400, "malformed_json")


@pytest.mark.parametrize(
    "body",
    [b'{"external_id": "\xff\xfe"}', b"[" * 100_000 + b"]" * 100_000],
    ids=["not-utf8", "nested-too-deep"],
)
def test_a_body_that_cannot_be_decoded_is_malformed_json(
    client: TestClient, store: StoreAccess, body: bytes
) -> None:
    # when
    response = client.post(
        "/api/v1/customers", content=body, headers={**store.writer, "Content-Type": "application/json"}
    )
    # then
    assert_problem(response, 400, "malformed_json")


@pytest.mark.parametrize(
    "body", [[customer_payload()], "text", 42, None], ids=["list", "string", "number", "null"]
)
def test_json_of_the_wrong_shape_is_a_422_problem(
    client: TestClient, store: StoreAccess, body: object
) -> None:
    # when
    response = client.post("/api/v1/customers", json=body, headers=store.writer)
    # then
    assert_problem(response, 422, "invalid_input")


def test_an_empty_body_is_a_422_problem(client: TestClient, store: StoreAccess) -> None:
    # when
    response = client.post("/api/v1/customers", headers=store.writer)
    # then
    assert_problem(response, 422, "invalid_input")


def test_a_body_over_the_limit_with_content_length_is_413(
    make_app: Callable[..., FastAPI], store: StoreAccess
) -> None:
    # given
    client = TestClient(make_app(max_body_bytes=64), raise_server_exceptions=False)
    body = customer_payload(name="x" * 100)
    # when
    response = client.post("/api/v1/customers", json=body, headers=store.writer)
    # then
    assert_problem(response, 413, "body_too_large")


def test_a_chunked_body_over_the_limit_is_413(make_app: Callable[..., FastAPI], store: StoreAccess) -> None:
    # given
    client = TestClient(make_app(max_body_bytes=64), raise_server_exceptions=False)

    def chunks() -> Iterator[bytes]:
        yield b'{"external_id": "c1", "name": "'
        yield b"x" * 100
        yield b'"}'

    # when
    response = client.post("/api/v1/customers", content=chunks(), headers=store.writer)
    # then
    assert "content-length" not in response.request.headers
    assert_problem(response, 413, "body_too_large")


def test_a_chunked_body_under_the_limit_is_read_whole(
    make_app: Callable[..., FastAPI], store: StoreAccess
) -> None:
    # given
    client = TestClient(make_app(max_body_bytes=4096), raise_server_exceptions=False)

    def chunks() -> Iterator[bytes]:
        yield b'{"external_id": "c1",'
        yield b' "name": "Ann"}'

    # when
    response = client.post(
        "/api/v1/customers", content=chunks(), headers={**store.writer, "Content-Type": "application/json"}
    )
    # then
    assert response.status_code == 201, response.text


def test_an_unknown_route_is_a_404_problem(client: TestClient) -> None:
    # when
    response = client.get("/api/v1/nothing-here")
    # then
    assert_problem(response, 404, "not_found")


def test_a_wrong_method_is_a_405_problem_that_says_what_is_allowed(
    client: TestClient, store: StoreAccess
) -> None:
    # when
    response = client.put("/api/v1/customers", json={}, headers=store.writer)
    # then
    assert_problem(response, 405, "method_not_allowed")
    assert "POST" in response.headers["allow"]


def test_an_unexpected_error_is_a_500_problem_carrying_the_request_id(
    make_app: Callable[..., FastAPI], caplog: pytest.LogCaptureFixture
) -> None:
    # given
    app = make_app()

    @app.get("/explode")
    def explode() -> None:
        raise RuntimeError("kaboom")

    client = TestClient(app, raise_server_exceptions=False)
    # when
    response = client.get("/explode", headers={"X-Request-ID": "req-500"})
    # then
    assert_problem(response, 500, "internal_error")
    assert response.json()["request_id"] == "req-500"
    assert "kaboom" not in response.text
    logged = [r for r in caplog.records if r.exc_info is not None]
    assert [r.getMessage() for r in logged] == ["unhandled error on GET /explode"]


def test_validation_problems_carry_field_level_detail(client: TestClient, store: StoreAccess) -> None:
    # when
    response = client.post("/api/v1/customers", json=customer_payload(email="nope"), headers=store.writer)
    # then
    assert_problem(response, 422, "invalid_input")
    [issue] = response.json()["errors"]
    assert issue["field"] == "email"
    assert "'nope'" in issue["message"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/ties/99999999999999999999999",
        "/api/v1/ties/0",
        "/api/v1/ties/abc",
        "/api/v1/customers?limit=1000000000000000000000",
        "/api/v1/customers?limit=0",
        "/api/v1/customers?cursor=" + base64.urlsafe_b64encode(b"id:99999999999999999999").decode(),
        "/api/v1/customers?cursor=not-a-cursor",
        "/api/v1/customers?email=a%00b",
        "/api/v1/customers/a%00b",
        "/api/v1/products/a%01b",
        "/api/v1/orders?customer=a%00b",
        "/api/v1/ties?customer=a%00b",
        "/api/v1/orders?placed_after=0001-01-01T00:00:00%2B05:00",
        "/api/v1/orders?placed_before=9999-12-31T23:59:59-05:00",
        "/api/v1/customers?marketing_consent=perhaps",
    ],
)
def test_odd_ids_and_query_values_are_422_not_500(client: TestClient, store: StoreAccess, path: str) -> None:
    # when
    response = client.get(path, headers=store.writer)
    # then
    assert_problem(response, 422, "invalid_input")


def test_revoking_an_api_key_id_too_large_for_the_database_is_422(
    client: TestClient, store: StoreAccess
) -> None:
    # when
    response = client.delete("/api/v1/api-keys/99999999999999999999999", headers=store.writer)
    # then
    assert_problem(response, 422, "invalid_input")


def test_a_bad_idempotency_key_header_is_422(client: TestClient, store: StoreAccess) -> None:
    # when
    response = client.post(
        "/api/v1/customers",
        json=customer_payload(),
        headers={**store.writer, "Idempotency-Key": "x" * 256},
    )
    # then
    assert_problem(response, 422, "invalid_input")
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
