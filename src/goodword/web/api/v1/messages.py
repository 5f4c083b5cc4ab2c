"""Messages in the outbox: list with filters, read one with its delivery attempts, retry a dead one."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel

from goodword.messaging import outbox
from goodword.messaging.models import Channel, MessageStatus, Purpose
from goodword.stores.customers import customer_ids_by_external_id
from goodword.stores.inputs import IDENTIFIER_PATTERN
from goodword.web.api.v1.common import (
    Cursor,
    Limit,
    OutModel,
    PageOut,
    RowIdPath,
    fingerprint,
    respond_idempotently,
)
from goodword.web.deps import IdempotencyKeyDep, ReaderDep, SessionDep, WriterDep

router = APIRouter(prefix="/messages", tags=["messages"])


class MessageOut(OutModel):
    id: int
    channel: Channel
    purpose: Purpose
    kind: str
    # Staff see whom a message went to: it is their own customer's address, and they answer for it.
    recipient: str
    locale: str | None
    status: MessageStatus
    status_reason: str | None
    reason: str
    attempts: int
    max_attempts: int
    send_at: datetime
    next_attempt_at: datetime
    created_at: datetime
    finished_at: datetime | None
    last_error: str | None


class DeliveryAttemptOut(OutModel):
    attempt: int
    worker: str
    started_at: datetime
    duration_ms: int
    succeeded: bool
    status_code: int | None
    error: str | None


class MessageDetailOut(MessageOut):
    payload: Any
    delivery_attempts: list[DeliveryAttemptOut]


@router.get("", response_model=PageOut[MessageOut])
def list_messages(
    session: SessionDep,
    caller: ReaderDep,
    cursor: Cursor = None,
    limit: Limit = 50,
    customer: Annotated[
        str | None, Query(pattern=IDENTIFIER_PATTERN, description="The customer's external id.")
    ] = None,
    channel: Channel | None = None,
    kind: Annotated[str | None, Query(max_length=64, pattern=r"^[^\x00]*$")] = None,
    status: MessageStatus | None = None,
) -> PageOut[MessageOut]:
    """The store's messages, oldest first; filters combine."""
    customer_id = None
    if customer is not None:
        found = customer_ids_by_external_id(session, store_id=caller.store_id, external_ids=[customer])
        if customer not in found:  # as for orders: an unknown customer simply has no messages
            return PageOut(data=[], next_cursor=None)
        customer_id = found[customer]
    filters = outbox.MessageFilter(customer_id=customer_id, channel=channel, kind=kind, status=status)
    page = outbox.list_messages(
        session, store_id=caller.store_id, filters=filters, cursor=cursor, limit=limit
    )
    return PageOut(data=[MessageOut.model_validate(m) for m in page.items], next_cursor=page.next_cursor)


@router.get("/{message_id}", response_model=MessageDetailOut)
def get_message(message_id: RowIdPath, session: SessionDep, caller: ReaderDep) -> MessageDetailOut:
    """One message, its payload and every attempt to deliver it."""
    message = outbox.get_message(session, store_id=caller.store_id, message_id=message_id)
    attempts = outbox.list_attempts(session, store_id=caller.store_id, message_id=message_id)
    return MessageDetailOut(
        **MessageOut.model_validate(message).model_dump(),
        payload=json.loads(message.payload),
        delivery_attempts=[DeliveryAttemptOut.model_validate(a) for a in attempts],
    )


@router.post("/{message_id}/retry", response_model=MessageOut)
def retry_message(
    message_id: RowIdPath, session: SessionDep, caller: WriterDep, key: IdempotencyKeyDep
) -> Response:
    """Give a dead message a fresh set of attempts, starting now (409 unless it is dead)."""

    def produce() -> tuple[int, BaseModel]:
        message = outbox.retry_message(session, store_id=caller.store_id, message_id=message_id)
        return 200, MessageOut.model_validate(message)

    return respond_idempotently(
        session,
        caller=caller,
        key=key,
        request_fingerprint=fingerprint(f"messages/{message_id}/retry"),
        produce=produce,
    )
