"""Bounces and spam complaints, as reported by the mail provider (through the API): who must get no more mail."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.orm import Session

from goodword.clock import utc_now
from goodword.messaging.models import BounceKind, EmailBounce
from goodword.messaging.outbox import get_message
from goodword.stores.models import Customer

# A soft bounce (mailbox full, greylisting) says nothing lasting about the address; these do.
STOPS_MAIL = frozenset({BounceKind.HARD, BounceKind.COMPLAINT})


@dataclass(frozen=True, slots=True)
class RecordedBounce:
    bounce: EmailBounce
    customers_stopped: int  # how many of the store's customers this report newly stopped


def record_bounce(
    session: Session,
    *,
    store_id: str,
    email: str,
    kind: BounceKind,
    message_id: int | None = None,
    detail: str | None = None,
) -> RecordedBounce:
    """Append the bounce; a hard bounce or a complaint marks the store's customers with that address undeliverable.

    The bounce row itself also stops mail to the address for messages without a customer (manners checks both).

    Raises:
        NotFound: `message_id` names no message of this store.
    """
    if message_id is not None:
        get_message(session, store_id=store_id, message_id=message_id)
    now = utc_now()
    address = email.strip().lower()  # customer emails are stored lower-cased; compare like with like
    bounce = EmailBounce(
        store_id=store_id,
        email=address,
        kind=kind,
        message_id=message_id,
        detail=detail[:1000] if detail else None,
        recorded_at=now,
    )
    session.add(bounce)
    stopped = 0
    if kind in STOPS_MAIL:
        result = session.execute(
            update(Customer)
            .where(
                Customer.store_id == store_id,
                Customer.email == address,
                Customer.email_undeliverable_at.is_(None),
            )
            .values(email_undeliverable_at=now)
            .execution_options(synchronize_session=False)
        )
        stopped = result.rowcount  # type: ignore[attr-defined]
    session.flush()
    return RecordedBounce(bounce, stopped)
