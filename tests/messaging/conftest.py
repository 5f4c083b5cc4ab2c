"""Messaging tests run the worker for real, so each gets an empty database of its own that really commits."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from goodword.config import Settings
from goodword.db.migrate import upgrade_to_head
from goodword.db.session import Database
from tests.conftest import fresh_database_url


@pytest.fixture
def outbox_database(backend: str, tmp_path: Path) -> Iterator[Database]:
    with fresh_database_url(backend, tmp_path) as url:
        database = Database(Settings(database_url=url))
        upgrade_to_head(database.engine)
        yield database
        database.dispose()
