"""Engines and units of work. Services flush; the edge that opened the unit of work commits."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import Session, sessionmaker

from goodword.config import Settings

# SQLite takes its write lock lazily; a deferred transaction that reads and then writes can fail with
# "database is locked" when another writer got in between. Writers therefore start with BEGIN IMMEDIATE.
_SQLITE_BEGIN = "goodword_sqlite_begin"
_SQLITE_BUSY_SECONDS = 30


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
        connect_args={"check_same_thread": False, "timeout": _SQLITE_BUSY_SECONDS},
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
            f"busy_timeout={_SQLITE_BUSY_SECONDS * 1000}",
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


class _WriteTurns:
    """Writers of one process take turns before they ask SQLite for its write lock.

    SQLite lets one writer in at a time and makes the others poll, sleeping up to 100 ms between tries, so in a
    burst of fifty writers some starve past any timeout. Queued on a lock instead, each wakes as soon as the
    one before it is done; writers in other processes still meet SQLite's own lock. A plain lock, not a
    re-entrant one: FastAPI may close a request's unit of work on another thread than the one that opened it.
    A turn not given within the busy timeout is taken anyway, so a unit of work nested in another on the same
    thread fails on SQLite's timeout, as it would without turns, instead of hanging here.
    """

    def __init__(self, timeout_seconds: float = _SQLITE_BUSY_SECONDS) -> None:
        self._lock = threading.Lock()
        self._timeout_seconds = timeout_seconds

    @contextmanager
    def take(self) -> Iterator[None]:
        mine = self._lock.acquire(timeout=self._timeout_seconds)
        try:
            yield
        finally:
            if mine:
                self._lock.release()


class Database:
    """One engine and its session factories, built at start-up and handed to whoever needs them."""

    def __init__(self, settings: Settings) -> None:
        self.engine = build_engine(settings)
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = sessionmaker(writer_engine(self.engine), expire_on_commit=False)
        self._write_turns = _WriteTurns() if self.engine.dialect.name == "sqlite" else None

    def session(self, *, write: bool) -> Session:
        return (self._writer if write else self._reader)()

    @contextmanager
    def unit_of_work(self, *, write: bool = True) -> Iterator[Session]:
        """A session whose work is committed when the block ends, and rolled back if it raises."""
        turn = self._write_turns.take() if write and self._write_turns is not None else nullcontext()
        with turn, self.session(write=write) as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
