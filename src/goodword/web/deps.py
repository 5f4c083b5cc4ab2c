"""Request dependencies as named types: a session per request, the calling store, its key's scope."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session

from goodword.config import Settings
from goodword.db.session import Database
from goodword.errors import FieldIssue, Forbidden, InvalidInput, Unauthorized
from goodword.stores.api_keys import authenticate
from goodword.stores.models import ApiKeyScope

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


async def take_write_turn(request: Request) -> AsyncIterator[None]:
    """On SQLite, a writing request waits for its turn here, in the event loop, before it takes a thread.

    SQLite lets one writer in at a time. Waiting for it inside the thread pool would let a burst of writers
    fill every thread with waiting, leaving none for the writer whose turn it is; waiting here costs no thread.
    """
    turns = _write_turns(request) if request.method not in _SAFE_METHODS else None
    if turns is None:
        yield
        return
    async with turns:
        yield


def _write_turns(request: Request) -> asyncio.Lock | None:
    state = request.app.state.__dict__
    if "write_turns" not in state:
        sqlite = get_database(request).engine.dialect.name == "sqlite"
        state["write_turns"] = asyncio.Lock() if sqlite else None
    turns: asyncio.Lock | None = state["write_turns"]
    return turns


def get_session(
    request: Request, _turn: Annotated[None, Depends(take_write_turn, scope="function")] = None
) -> Iterator[Session]:
    """One unit of work per request: committed when the handler returns, rolled back when it raises."""
    with get_database(request).unit_of_work(write=request.method not in _SAFE_METHODS) as session:
        yield session


async def get_raw_body(request: Request) -> bytes:
    """The body exactly as sent, for signatures computed over the raw bytes."""
    return await request.body()


RawBodyDep = Annotated[bytes, Depends(get_raw_body)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
# Function scope: the unit of work commits before the response is sent, so a failed commit is never
# reported to the client as a success (the default scope would commit after the answer has left).
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


@dataclass(frozen=True)
class Caller:
    store_id: str
    api_key_id: int
    scope: ApiKeyScope


def get_caller(session: SessionDep, authorization: Annotated[str | None, Header()] = None) -> Caller:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send an API key as 'Authorization: Bearer <key>'", code="missing_api_key")
    api_key = authenticate(session, token=token.strip())
    return Caller(store_id=api_key.store_id, api_key_id=api_key.id, scope=api_key.scope)


def require_write(caller: Annotated[Caller, Depends(get_caller)]) -> Caller:
    if caller.scope is not ApiKeyScope.WRITE:
        raise Forbidden("this API key may only read; use a key with write scope", code="read_only_key")
    return caller


ReaderDep = Annotated[Caller, Depends(get_caller)]
WriterDep = Annotated[Caller, Depends(require_write)]


def get_idempotency_key(idempotency_key: Annotated[str | None, Header()] = None) -> str | None:
    if idempotency_key is not None and not (
        1 <= len(idempotency_key) <= 255 and idempotency_key.isprintable()
    ):
        raise InvalidInput(
            "the Idempotency-Key header is not usable",
            [FieldIssue("Idempotency-Key", "1 to 255 printable characters")],
        )
    return idempotency_key


IdempotencyKeyDep = Annotated[str | None, Depends(get_idempotency_key)]
