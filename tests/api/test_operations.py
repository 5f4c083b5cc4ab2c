"""Operations: liveness, readiness, request ids, and a unit of work that commits before it answers."""

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Connection

from goodword.config import Settings
from goodword.db.session import Database
from goodword.stores.models import Store
from goodword.web.app import create_app
from tests.api.assertions import assert_problem
from tests.factories.stores import StoreAccess, customer_payload, make_store


def test_healthz_answers_without_a_key(client: TestClient) -> None:
    # when
    response = client.get("/healthz")
    # then
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_names_the_database_it_reached(client: TestClient, backend: str) -> None:
    # when
    response = client.get("/readyz")
    # then
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "database": backend}


def test_readyz_is_a_503_problem_when_the_database_does_not_answer(tmp_path: Path) -> None:
    # given: a "database file" that is a folder, which SQLite cannot open
    settings = Settings(database_url=f"sqlite:///{tmp_path}")
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        # when
        response = client.get("/readyz")
    # then
    assert_problem(response, 503, "database_unavailable")


def test_a_sane_request_id_is_echoed(client: TestClient) -> None:
    # when
    response = client.get("/healthz", headers={"X-Request-ID": "shop-42.retry:1"})
    # then
    assert response.headers["x-request-id"] == "shop-42.retry:1"


@pytest.mark.parametrize("given", ["", "has spaces", "x" * 129, "<script>"])
def test_a_bogus_request_id_is_replaced(client: TestClient, given: str) -> None:
    # when
    response = client.get("/api/v1/nowhere", headers={"X-Request-ID": given})
    # then
    assert response.headers["x-request-id"] != given
    assert len(response.headers["x-request-id"]) == 32
    assert response.json()["request_id"] == response.headers["x-request-id"]


def test_every_response_gets_its_own_request_id(client: TestClient) -> None:
    # when
    ids = {client.get("/healthz").headers["x-request-id"] for _ in range(3)}
    # then
    assert len(ids) == 3


def test_log_lines_carry_the_request_id(
    client: TestClient, store: StoreAccess, caplog: pytest.LogCaptureFixture
) -> None:
    # given
    from goodword.logs import RequestIdFilter

    caplog.handler.addFilter(RequestIdFilter())
    caplog.set_level(logging.INFO)
    # when
    client.get("/api/v1/customers/nobody", headers={**store.reader, "X-Request-ID": "trace-me"})
    # then
    access = [r for r in caplog.records if r.name == "goodword.access"]
    assert [getattr(r, "request_id", None) for r in access] == ["trace-me"]
    assert "GET /api/v1/customers/nobody 404" in access[0].getMessage()


@pytest.fixture
def committing_client(committing_settings: Settings, committing_database: Database) -> Iterator[TestClient]:
    """A client whose requests commit for real, each in its own unit of work."""
    with TestClient(
        create_app(committing_settings, database=committing_database), raise_server_exceptions=False
    ) as client:
        yield client


@pytest.fixture
def committed_store(committing_database: Database) -> StoreAccess:
    with committing_database.unit_of_work() as session:
        return make_store(session, name="Committed Teas")


def test_a_request_is_committed_before_its_answer_is_sent(
    committing_client: TestClient, committed_store: StoreAccess, committing_database: Database
) -> None:
    # given: every commit from now on fails, as a lost connection or a serialization failure would
    def fail(_connection: Connection) -> None:
        raise RuntimeError("commit failed")

    event.listen(committing_database.engine, "commit", fail)
    try:
        # when
        response = committing_client.post(
            "/api/v1/customers", json=customer_payload(external_id="lost"), headers=committed_store.writer
        )
    finally:
        event.remove(committing_database.engine, "commit", fail)
    # then: the client hears of the failure instead of a 201 for a customer that was never stored
    assert_problem(response, 500, "internal_error")
    read = committing_client.get("/api/v1/customers/lost", headers=committed_store.reader)
    assert read.status_code == 404


def test_a_committed_request_is_visible_to_the_next_one(
    committing_client: TestClient, committed_store: StoreAccess, committing_database: Database
) -> None:
    # when
    created = committing_client.post(
        "/api/v1/customers", json=customer_payload(external_id="kept"), headers=committed_store.writer
    )
    # then
    assert created.status_code == 201
    with committing_database.unit_of_work(write=False) as session:
        assert session.get(Store, committed_store.store_id) is not None
    assert committing_client.get("/api/v1/customers/kept", headers=committed_store.reader).status_code == 200
