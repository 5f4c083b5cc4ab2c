"""Idempotency keys: a request's first answer is stored with the change it made and replayed to retries."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodword.errors import Conflict, FieldIssue
from goodword.stores.models import IdempotencyRecord


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: str


def find_stored_response(
    session: Session, *, store_id: str, key: str, fingerprint: str
) -> StoredResponse | None:
    """The answer first given for this key, if any.

    Raises:
        Conflict: the key was used before for a different request.
    """
    record = session.scalars(
        select(IdempotencyRecord).where(IdempotencyRecord.store_id == store_id, IdempotencyRecord.key == key)
    ).one_or_none()
    if record is None:
        return None
    if record.request_fingerprint != fingerprint:
        raise Conflict(
            f"Idempotency-Key {key!r} was already used for a different request",
            [FieldIssue("Idempotency-Key", "send a new key for a new request", "reused")],
            code="idempotency_key_reused",
        )
    return StoredResponse(record.status_code, record.response_body)


def store_response(
    session: Session, *, store_id: str, key: str, fingerprint: str, response: StoredResponse
) -> None:
    """Remember the answer. A concurrent twin makes the flush raise IntegrityError; the caller settles it."""
    session.add(
        IdempotencyRecord(
            store_id=store_id,
            key=key,
            request_fingerprint=fingerprint,
            status_code=response.status_code,
            response_body=response.body,
        )
    )
    session.flush()
