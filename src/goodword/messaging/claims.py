"""The worker's side of the outbox: claim what is due under a lease, and record how delivery went."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, or_, select, update
from sqlalchemy.orm import Session

from goodword.db.bulk import insert_many
from goodword.messaging.models import (
    Channel,
    DeliveryAttempt,
    MessageStatus,
    OutboxMessage,
    Purpose,
    WebhookEndpoint,
)
from goodword.messaging.signing import active_secrets
from goodword.stores.models import Store

_attempts = cast(Table, DeliveryAttempt.__table__)


@dataclass(frozen=True, slots=True)
class ClaimedMessage:
    """A message a worker holds under lease, with what a transport needs to send it; safe across threads."""

    id: int
    store_id: str
    store_name: str
    store_logo_url: str | None
    store_brand_color: str | None
    channel: Channel
    purpose: Purpose
    kind: str
    recipient: str
    locale: str | None
    payload: str
    customer_id: int | None
    endpoint_id: int | None
    attempt: int  # the number this attempt will have, 1 for the first
    created_at: datetime
    # The writer's name for the message; stable across retries, so receivers may use it to spot repeats.
    dedupe_key: str | None = None
    # Webhooks only: the endpoint's secrets that sign now (two during a rotation's overlap). Read with the
    # claim so a transport needs no query of its own per message, and a rotation counts from the next claim.
    signing_secrets: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    succeeded: bool
    status_code: int | None = None
    error: str | None = None
    # No retry can help (a malformed address, a 410 Gone): the message is dead at once.
    permanent: bool = False


@dataclass(frozen=True, slots=True)
class Outcome:
    message: ClaimedMessage
    result: DeliveryResult
    started_at: datetime
    duration_ms: int


@dataclass(frozen=True, slots=True)
class Backoff:
    base_seconds: float
    max_seconds: float

    def delay(self, attempt: int, rng: random.Random) -> timedelta:
        """Exponential backoff with equal jitter: half the step fixed, half random, so retries spread out."""
        step = min(self.max_seconds, self.base_seconds * 2 ** (attempt - 1))
        return timedelta(seconds=step / 2 + rng.uniform(0, step / 2))


def claim_due(
    session: Session, *, worker: str, now: datetime, limit: int, lease: timedelta
) -> list[ClaimedMessage]:
    """Lease up to `limit` due messages to `worker`, oldest first.

    On PostgreSQL, SKIP LOCKED lets several workers claim side by side without ever taking the same message;
    SQLite has a single writer, so the claim is serialized by its write lock instead. A lease that runs out
    (its worker was killed) makes the message claimable again: delivery is at least once.
    """
    due = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == MessageStatus.PENDING,
            OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.leased_until.is_(None), OutboxMessage.leased_until < now),
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed_ids = session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due.scalar_subquery()))
        .values(leased_until=now + lease, leased_by=worker)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    ).all()
    if not claimed_ids:
        return []
    rows = session.execute(
        select(
            OutboxMessage,
            Store.name,
            Store.logo_url,
            Store.brand_color,
            WebhookEndpoint.secret,
            WebhookEndpoint.previous_secret,
            WebhookEndpoint.previous_secret_expires_at,
        )
        .join(Store, Store.id == OutboxMessage.store_id)
        .outerjoin(WebhookEndpoint, WebhookEndpoint.id == OutboxMessage.endpoint_id)
        .where(OutboxMessage.id.in_(claimed_ids))
        .order_by(OutboxMessage.id)
    ).all()
    return [
        ClaimedMessage(
            id=m.id,
            store_id=m.store_id,
            store_name=name,
            store_logo_url=logo,
            store_brand_color=color,
            channel=m.channel,
            purpose=m.purpose,
            kind=m.kind,
            recipient=m.recipient,
            locale=m.locale,
            payload=m.payload,
            customer_id=m.customer_id,
            endpoint_id=m.endpoint_id,
            attempt=m.attempts + 1,
            created_at=m.created_at,
            dedupe_key=m.dedupe_key,
            signing_secrets=(
                active_secrets(
                    secret=secret, previous_secret=previous, previous_expires_at=expires_at, now=now
                )
                if secret is not None
                else ()
            ),
        )
        for m, name, logo, color, secret, previous, expires_at in rows
    ]


def record_outcomes(
    session: Session,
    *,
    worker: str,
    outcomes: Sequence[Outcome],
    now: datetime,
    backoff: Backoff,
    rng: random.Random,
) -> None:
    """Append an attempt per outcome and move each message on: delivered, retried later, or dead."""
    outcomes = _still_held(session, worker=worker, outcomes=outcomes)
    if not outcomes:
        return
    insert_many(
        session,
        _attempts,
        [
            {
                "store_id": o.message.store_id,
                "message_id": o.message.id,
                "attempt": o.message.attempt,
                "worker": worker,
                "started_at": o.started_at,
                "duration_ms": o.duration_ms,
                "succeeded": o.result.succeeded,
                "status_code": o.result.status_code,
                "error": o.result.error,
            }
            for o in outcomes
        ],
    )
    delivered = [o.message.id for o in outcomes if o.result.succeeded]
    if delivered:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(delivered), OutboxMessage.leased_by == worker)
            .values(
                status=MessageStatus.DELIVERED,
                attempts=OutboxMessage.attempts + 1,
                finished_at=now,
                leased_until=None,
                leased_by=None,
                last_error=None,
            )
            .execution_options(synchronize_session=False)
        )
    for outcome in (o for o in outcomes if not o.result.succeeded):
        _record_failure(session, worker=worker, outcome=outcome, now=now, backoff=backoff, rng=rng)


def _still_held(session: Session, *, worker: str, outcomes: Sequence[Outcome]) -> list[Outcome]:
    """The outcomes of messages this worker still holds. A batch that outlived its lease may have lost some
    to another worker, which records its own attempt under the same number: recording ours too would break
    the unique (message_id, attempt) and lose the whole batch's record. Locked, so no claim takes them now.
    """
    if not outcomes:
        return []
    held = set(
        session.scalars(
            select(OutboxMessage.id)
            .where(OutboxMessage.id.in_([o.message.id for o in outcomes]), OutboxMessage.leased_by == worker)
            .order_by(OutboxMessage.id)  # locks in primary-key order: two recording workers cannot deadlock
            .with_for_update()
        )
    )
    return [o for o in outcomes if o.message.id in held]


def _record_failure(
    session: Session, *, worker: str, outcome: Outcome, now: datetime, backoff: Backoff, rng: random.Random
) -> None:
    message = outcome.message
    max_attempts = session.execute(
        select(OutboxMessage.max_attempts).where(OutboxMessage.id == message.id)
    ).scalar_one()
    dead = outcome.result.permanent or message.attempt >= max_attempts
    values: dict[str, object] = {
        "attempts": message.attempt,
        "last_error": outcome.result.error,
        "leased_until": None,
        "leased_by": None,
    }
    if dead:
        values |= {"status": MessageStatus.DEAD, "finished_at": now}
    else:
        values["next_attempt_at"] = now + backoff.delay(message.attempt, rng)
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.leased_by == worker)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def settle(
    session: Session, *, message_ids: Sequence[int], status: MessageStatus, reason: str, now: datetime
) -> None:
    """Close messages without sending them (suppressed, on purpose), saying why."""
    if message_ids:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(message_ids))
            .values(status=status, status_reason=reason, finished_at=now, leased_until=None, leased_by=None)
            .execution_options(synchronize_session=False)
        )


def postpone(session: Session, *, message_id: int, until: datetime, reason: str) -> None:
    """Hold a message back without counting an attempt (quiet hours, frequency cap)."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(next_attempt_at=until, status_reason=reason, leased_until=None, leased_by=None)
        .execution_options(synchronize_session=False)
    )
