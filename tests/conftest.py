"""Test set-up: every test runs on SQLite, and on PostgreSQL too when GOODWORD_TEST_DATABASE_URL is set.

Each test gets a session inside a transaction that is rolled back afterwards, so tests never see each other.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from goodword.config import Settings
from goodword.db.migrate import upgrade_to_head
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


def settings_for(backend: str, tmp_dir: Path) -> Settings:
    if backend == "sqlite":
        return Settings(database_url=f"sqlite:///{tmp_dir / 'goodword-test.db'}")
    assert POSTGRES_URL is not None
    return Settings(database_url=POSTGRES_URL)


def reset_postgres(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    _backends_used.add(request.param)
    return str(request.param)


@pytest.fixture(scope="session")
def settings(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return settings_for(backend, tmp_path_factory.mktemp(backend))


@pytest.fixture(scope="session")
def database(settings: Settings) -> Iterator[Database]:
    database = Database(settings)
    if not settings.is_sqlite:
        reset_postgres(database.engine)
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


@pytest.fixture
def app(settings: Settings, database: Database, session: Session) -> FastAPI:
    app = create_app(settings, database=database)

    def test_session() -> Iterator[Session]:
        # A savepoint per request stands in for the request's own transaction: undone when the handler raises.
        with session.begin_nested():
            yield session

    app.dependency_overrides[get_session] = test_session
    return app


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def store(session: Session) -> StoreAccess:
    return make_store(session, name="Tea House")


@pytest.fixture
def other_store(session: Session) -> StoreAccess:
    return make_store(session, name="Rival Teas")
