"""Pieces every v1 router shares: page envelopes, batch results, limits and idempotent responses."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Annotated, Generic, TypeVar

from fastapi import Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from goodword.errors import InvalidInput
from goodword.stores.idempotency import StoredResponse, find_stored_response, store_response
from goodword.stores.inputs import IDENTIFIER_PATTERN
from goodword.stores.pagination import MAX_PAGE_SIZE
from goodword.stores.upserts import UpsertOutcome, UpsertStatus
from goodword.web.deps import Caller

T = TypeVar("T")
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Items per page.")]
Cursor = Annotated[str | None, Query(max_length=200, description="`next_cursor` from the previous page.")]
# The same rule as in request bodies: what cannot be stored cannot be looked up either.
IdentifierPath = Annotated[str, Path(pattern=IDENTIFIER_PATTERN)]
# Row ids are 64-bit; anything larger cannot name a row, and the database would refuse to compare it.
RowIdPath = Annotated[int, Path(ge=1, le=2**63 - 1)]


class OutModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class PageOut(BaseModel, Generic[T]):
    data: list[T]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class BatchItemOut(BaseModel):
    key: str
    status: UpsertStatus


class BatchOut(BaseModel):
    created: int
    updated: int
    unchanged: int
    results: list[BatchItemOut]

    @classmethod
    def of(cls, outcomes: Sequence[UpsertOutcome]) -> BatchOut:
        def count(status: UpsertStatus) -> int:
            return sum(1 for o in outcomes if o.status is status)

        return cls(
            created=count(UpsertStatus.CREATED),
            updated=count(UpsertStatus.UPDATED),
            unchanged=count(UpsertStatus.UNCHANGED),
            results=[BatchItemOut(key=o.key, status=o.status) for o in outcomes],
        )


def fingerprint(route: str, body: BaseModel | None = None) -> str:
    sent = body.model_dump_json() if body is not None else ""
    return hashlib.sha256(f"{route}\n{sent}".encode()).hexdigest()


def respond_idempotently(
    session: Session,
    *,
    caller: Caller,
    key: str | None,
    request_fingerprint: str,
    produce: Callable[[], tuple[int, BaseModel]],
) -> Response:
    """Run `produce` once per Idempotency-Key and replay its first answer to every retry of the same request.

    The answer is stored in the same transaction as the change, so a change is never kept without its
    answer nor the reverse. When two retries race, the loser's savepoint is undone and it replays the
    winner's answer.
    """
    if key is None:
        status, payload = produce()
        return _json(status, payload.model_dump_json())
    found = find_stored_response(session, store_id=caller.store_id, key=key, fingerprint=request_fingerprint)
    if found is not None:
        return _json(found.status_code, found.body, replayed=True)
    try:
        with session.begin_nested():
            status, payload = produce()
            answer = StoredResponse(status, payload.model_dump_json())
            store_response(
                session, store_id=caller.store_id, key=key, fingerprint=request_fingerprint, response=answer
            )
    except IntegrityError:
        found = find_stored_response(
            session, store_id=caller.store_id, key=key, fingerprint=request_fingerprint
        )
        if found is None:
            raise
        return _json(found.status_code, found.body, replayed=True)
    return _json(answer.status_code, answer.body)


def _json(status: int, body: str, *, replayed: bool = False) -> Response:
    headers = {"Idempotent-Replayed": "true"} if replayed else None
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def created_or_ok(outcome: UpsertOutcome) -> int:
    return 201 if outcome.status is UpsertStatus.CREATED else 200


@contextmanager
def single_item() -> Iterator[None]:
    """Services speak of batches (`items.0.currency`); a one-item endpoint reports plain field names."""
    try:
        yield
    except InvalidInput as error:
        error.issues = [replace(i, field=i.field.removeprefix("items.0.")) for i in error.issues]
        raise
