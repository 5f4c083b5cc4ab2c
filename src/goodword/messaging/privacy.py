"""A customer's data in the outbox, for the rights of access and erasure.

`goodword.stores.privacy` knows the store's own tables; this wraps it so that what was sent to a customer is
exported with the rest, and erased with the rest: addresses and message bodies go, the message log stays.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from goodword.clock import utc_now
from goodword.messaging.models import EmailBounce, MessageStatus, OutboxMessage
from goodword.stores import privacy as store_privacy
from goodword.stores.customers import get_customer
from goodword.stores.models import Customer

ERASED = "erased"


def export_customer(session: Session, *, store_id: str, external_id: str) -> dict[str, Any]:
    """Everything held about the customer, with the messages sent or due to them.

    Raises:
        NotFound: the store has no such customer.
    """
    data = store_privacy.export_customer(session, store_id=store_id, external_id=external_id)
    customer = get_customer(session, store_id=store_id, external_id=external_id)
    messages = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.store_id == store_id, OutboxMessage.customer_id == customer.id)
        .order_by(OutboxMessage.id)
    )
    data["messages"] = [
        {
            "channel": m.channel.value,
            "kind": m.kind,
            "recipient": m.recipient,
            "reason": m.reason,
            "status": m.status.value,
            "created_at": m.created_at.isoformat(),
            "content": json.loads(m.payload),
        }
        for m in messages
    ]
    return data


def erase_customer(
    session: Session, *, store_id: str, external_id: str, now: datetime | None = None
) -> Customer:
    """Erase the customer (see stores.privacy) and what the outbox holds about them; nothing more is sent.

    Raises:
        NotFound: the store has no such customer.
    """
    now = now or utc_now()
    email = get_customer(session, store_id=store_id, external_id=external_id).email
    customer = store_privacy.erase_customer(session, store_id=store_id, external_id=external_id, now=now)
    mine = (OutboxMessage.store_id == store_id, OutboxMessage.customer_id == customer.id)
    session.execute(
        update(OutboxMessage)
        .where(*mine, OutboxMessage.status == MessageStatus.PENDING)
        .values(status=MessageStatus.SUPPRESSED, status_reason="the customer was erased", finished_at=now)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(OutboxMessage)
        .where(*mine)
        .values(recipient=ERASED, payload="{}", last_error=None)
        .execution_options(synchronize_session=False)
    )
    if email is not None:
        session.execute(
            delete(EmailBounce)
            .where(EmailBounce.store_id == store_id, EmailBounce.email == email.lower())
            .execution_options(synchronize_session=False)
        )
    return customer
