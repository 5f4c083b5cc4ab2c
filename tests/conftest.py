"""Test set-up: every test runs on SQLite, and on PostgreSQL too when GOODWORD_TEST_DATABASE_URL is set.

Each test gets a session inside a transaction that is rolled back afterwards, so tests never see each other.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from goodword.config import Settings
from goodword.db.migrate import upgrade_to_head
from goodword.db.scratch import scratch_postgres_database
from goodword.db.session import Database
from goodword.web.app import create_app
from goodword.web.deps import get_session
from tests.factories.stores import StoreAccess, make_store

POSTGRES_URL = os.environ.get("GOODWORD_TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]
_backends_used: set[str] = set()


def pytest_report_header() -> str:
    return f"goodword test databases: {', '.join(BACKENDS)}"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    used = ", ".join(sorted(_backends_used)) or "none"
    terminalreporter.write_line(f"goodword: tests ran on these databases: {used}")


@contextmanager
def fresh_database_url(backend: str, directory: Path) -> Iterator[str]:
    """An empty database of this backend: a SQLite file in `directory`, or a scratch PostgreSQL database."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / 'goodword-test.db'}"
    else:
        assert POSTGRES_URL is not None
        with scratch_postgres_database(POSTGRES_URL, prefix="goodword_test") as url:
            yield url


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    _backends_used.add(request.param)
    return str(request.param)


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database_url(backend, tmp_path_factory.mktemp("sqlite")) as url:
        yield url


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url)


@pytest.fixture(scope="session")
def database(settings: Settings) -> Iterator[Database]:
    database = Database(settings)
    upgrade_to_head(database.engine)
    yield database
    database.dispose()


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    """A session whose every commit is a savepoint inside one transaction that the test rolls back."""
    connection = database.engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    yield session
    session.close()
    transaction.rollback()
    connection.close()


def _app_in_test_transaction(settings: Settings, database: Database) -> FastAPI:
    app = create_app(settings, database=database)

    def test_session(request: Request) -> Iterator[Session]:
        # A savepoint per request stands in for the request's own transaction: undone when the handler raises.
        session: Session = request.app.state.test_session
        with session.begin_nested():
            yield session

    app.dependency_overrides[get_session] = test_session
    return app


@pytest.fixture(scope="session")
def _shared_app(settings: Settings, database: Database) -> FastAPI:
    # Building the app takes ~0.1 s, more than most tests; tests share one and only swap the session.
    return _app_in_test_transaction(settings, database)


@pytest.fixture
def app(_shared_app: FastAPI, session: Session) -> Iterator[FastAPI]:
    """The application, answering inside the test's transaction. Build your own to add routes to it."""
    _shared_app.state.test_session = session
    yield _shared_app
    _shared_app.state.test_session = None


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def make_app(settings: Settings, database: Database, session: Session) -> Callable[..., FastAPI]:
    """Build an app of its own, inside the test's transaction, with some settings changed."""

    def build(**changes: Any) -> FastAPI:
        app = _app_in_test_transaction(settings.model_copy(update=changes), database)
        app.state.test_session = session
        return app

    return build


@pytest.fixture(scope="session")
def committing_settings(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Settings for a second database where requests really commit: for transactions and concurrency.

    Nothing is rolled back there, so tests that use it keep apart by making stores of their own.
    """
    with fresh_database_url(backend, tmp_path_factory.mktemp("committing")) as url:
        yield Settings(database_url=url)


@pytest.fixture(scope="session")
def committing_database(committing_settings: Settings) -> Iterator[Database]:
    database = Database(committing_settings)
    upgrade_to_head(database.engine)
    yield database
    database.dispose()


@pytest.fixture
def store(session: Session) -> StoreAccess:
    return make_store(session, name="Tea House")


@pytest.fixture
def other_store(session: Session) -> StoreAccess:
    return make_store(session, name="Rival Teas")
