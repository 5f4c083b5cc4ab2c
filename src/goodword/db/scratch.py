"""Throwaway PostgreSQL databases for tests and benchmarks, so runs sharing one server never meet."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from goodword.config import Settings


@contextmanager
def scratch_postgres_database(server_url: str, *, prefix: str = "goodword_scratch") -> Iterator[str]:
    """A new, empty database on the server `server_url` points at; dropped, connections and all, afterwards."""
    server = Settings(database_url=server_url).database_url
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
