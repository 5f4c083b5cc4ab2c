"""Engines and units of work. Services flush; the edge that opened the unit of work commits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import Session, sessionmaker

from goodword.config import Settings

# SQLite takes its write lock lazily; a deferred transaction that reads and then writes can fail with
# "database is locked" when another writer got in between. Writers therefore start with BEGIN IMMEDIATE.
_SQLITE_BEGIN = "goodword_sqlite_begin"


def build_engine(settings: Settings) -> Engine:
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite":
        return create_engine(
            url,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_pool_size,
            pool_pre_ping=True,
            # psycopg prepares a statement after five runs and PostgreSQL may then keep a generic plan made
            # while the tables were small; bulk loads (imports, batches) then scan whole tables. Our hot
            # statements are large batches where planning is cheap next to execution, so plan each time.
            connect_args={"prepare_threshold": None},
        )
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    # Room for every thread that may hold a connection at once: the server's thread pool (40), the outbox
    # worker, the job runner and the click writer. A smaller pool lets requests queue for a connection while
    # the ones holding connections queue for the write lock, which serializes them long past the busy timeout.
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        pool_size=settings.db_pool_size,
        max_overflow=64,
    )
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (see the "begin" hook).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            "busy_timeout=30000",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get(_SQLITE_BEGIN, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def writer_engine(engine: Engine) -> Engine:
    """The same engine, whose SQLite transactions take the write lock up front."""
    if engine.dialect.name != "sqlite":
        return engine
    return engine.execution_options(**{_SQLITE_BEGIN: "IMMEDIATE"})


class Database:
    """One engine and its session factories, built at start-up and handed to whoever needs them."""

    def __init__(self, settings: Settings) -> None:
        self.engine = build_engine(settings)
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = sessionmaker(writer_engine(self.engine), expire_on_commit=False)

    def session(self, *, write: bool) -> Session:
        return (self._writer if write else self._reader)()

    @contextmanager
    def unit_of_work(self, *, write: bool = True) -> Iterator[Session]:
        """A session whose work is committed when the block ends, and rolled back if it raises."""
        with self.session(write=write) as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
