"""Writing messages into the outbox, in the caller's transaction, and staff's view of them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from goodword.clock import utc_now
from goodword.db.bulk import bulk_insert, insert_for
from goodword.errors import Conflict, NotFound
from goodword.messaging.models import Channel, DeliveryAttempt, MessageStatus, OutboxMessage, Purpose
from goodword.stores.pagination import Page, paginate

_messages = cast(Table, OutboxMessage.__table__)
DEFAULT_MAX_ATTEMPTS = 8


@dataclass(frozen=True, slots=True)
class NewMessage:
    """What a domain asks to send. `reason` is shown to staff: say why this person gets this message."""

    channel: Channel
    purpose: Purpose
    kind: str
    recipient: str
    payload: dict[str, Any]
    reason: str
    customer_id: int | None = None
    endpoint_id: int | None = None
    locale: str | None = None
    send_at: datetime | None = None
    dedupe_key: str | None = None


def enqueue(
    session: Session, *, store_id: str, message: NewMessage, max_attempts: int = DEFAULT_MAX_ATTEMPTS
) -> int:
    """Write a message to the outbox in the caller's transaction; returns its id.

    A message whose `dedupe_key` the store already used is not written again; the first one's id comes back.
    """
    row = _row(store_id, message, max_attempts, utc_now())
    inserted = session.execute(
        insert_for(session, _messages).values(row).on_conflict_do_nothing().returning(_messages.c.id)
    ).scalar_one_or_none()
    if inserted is not None:
        return int(inserted)
    return session.execute(
        select(OutboxMessage.id).where(
            OutboxMessage.store_id == store_id, OutboxMessage.dedupe_key == message.dedupe_key
        )
    ).scalar_one()


def enqueue_many(
    session: Session,
    *,
    store_id: str,
    messages: Sequence[NewMessage],
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> None:
    """Write many messages in one statement (campaigns, announcements); dedupe keys already used are skipped."""
    if not messages:
        return
    now = utc_now()
    rows = [_row(store_id, message, max_attempts, now) for message in messages]
    statement, parameters = bulk_insert(session, _messages, rows)
    session.execute(statement.on_conflict_do_nothing(), parameters)


def _row(store_id: str, message: NewMessage, max_attempts: int, now: datetime) -> dict[str, Any]:
    send_at = message.send_at or now
    return {
        "store_id": store_id,
        "channel": message.channel,
        "purpose": message.purpose,
        "kind": message.kind,
        "customer_id": message.customer_id,
        "endpoint_id": message.endpoint_id,
        "recipient": message.recipient,
        "locale": message.locale,
        "payload": json.dumps(message.payload, ensure_ascii=False, separators=(",", ":"), default=str),
        "reason": message.reason[:500],
        "dedupe_key": message.dedupe_key,
        "status": MessageStatus.PENDING,
        "attempts": 0,
        "max_attempts": max_attempts,
        "send_at": send_at,
        "next_attempt_at": send_at,
        "created_at": now,
    }


@dataclass(frozen=True)
class MessageFilter:
    customer_id: int | None = None
    channel: Channel | None = None
    kind: str | None = None
    status: MessageStatus | None = None


def list_messages(
    session: Session, *, store_id: str, filters: MessageFilter, cursor: str | None, limit: int
) -> Page[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.store_id == store_id)
    if filters.customer_id is not None:
        query = query.where(OutboxMessage.customer_id == filters.customer_id)
    if filters.channel is not None:
        query = query.where(OutboxMessage.channel == filters.channel)
    if filters.kind is not None:
        query = query.where(OutboxMessage.kind == filters.kind)
    if filters.status is not None:
        query = query.where(OutboxMessage.status == filters.status)
    return paginate(session, query, OutboxMessage.id, cursor=cursor, limit=limit)


def get_message(session: Session, *, store_id: str, message_id: int) -> OutboxMessage:
    """Raises:
    NotFound: the store has no such message.
    """
    message = session.scalars(
        select(OutboxMessage).where(OutboxMessage.store_id == store_id, OutboxMessage.id == message_id)
    ).one_or_none()
    if message is None:
        raise NotFound(f"no message {message_id}")
    return message


def retry_message(
    session: Session, *, store_id: str, message_id: int, now: datetime | None = None
) -> OutboxMessage:
    """Give a dead message a fresh set of attempts, starting now.

    Raises:
        NotFound: the store has no such message.
        Conflict: the message is not dead (it is delivered, suppressed or still being tried).
    """
    message = get_message(session, store_id=store_id, message_id=message_id)
    if message.status is not MessageStatus.DEAD:
        raise Conflict(f"message {message_id} is {message.status.value}; only dead messages can be retried")
    now = now or utc_now()
    message.status = MessageStatus.PENDING
    message.status_reason = "retried by staff"
    message.max_attempts = message.attempts + DEFAULT_MAX_ATTEMPTS
    message.next_attempt_at = now
    message.leased_until = message.leased_by = message.finished_at = None
    session.flush()
    return message


def list_attempts(session: Session, *, store_id: str, message_id: int) -> list[DeliveryAttempt]:
    """Every delivery attempt of one of the store's messages, first to last."""
    query = (
        select(DeliveryAttempt)
        .where(DeliveryAttempt.store_id == store_id, DeliveryAttempt.message_id == message_id)
        .order_by(DeliveryAttempt.attempt)
    )
    return list(session.scalars(query))
