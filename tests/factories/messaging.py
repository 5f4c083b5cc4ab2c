"""Factories for outbox messages, written and failed through the same services the worker uses."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from goodword.clock import utc_now
from goodword.messaging.claims import Backoff, DeliveryResult, Outcome, claim_due, record_outcomes
from goodword.messaging.models import Channel, Purpose
from goodword.messaging.outbox import NewMessage, enqueue


def make_message(session: Session, *, store_id: str, **overrides: Any) -> int:
    fields: dict[str, Any] = {
        "channel": Channel.SMS,
        "purpose": Purpose.TRANSACTIONAL,
        "kind": "shipping",
        "recipient": "+14155550123",
        "payload": {"text": "Your tea has shipped"},
        "reason": "the customer's order shipped",
        "send_at": utc_now() - timedelta(minutes=1),
        **overrides,
    }
    return enqueue(session, store_id=store_id, message=NewMessage(**fields))


def fail_permanently(session: Session, *, error: str = "the gateway answered 400: Invalid To") -> list[int]:
    """Claim every due message and record one permanent failure for each: they are dead after one attempt."""
    now = utc_now()
    claimed = claim_due(session, worker="test-worker", now=now, limit=1000, lease=timedelta(minutes=1))
    result = DeliveryResult(False, 400, error, permanent=True)
    record_outcomes(
        session,
        worker="test-worker",
        outcomes=[Outcome(message, result, now, 12) for message in claimed],
        now=now,
        backoff=Backoff(base_seconds=10, max_seconds=600),
        rng=random.Random(1),
    )
    return [message.id for message in claimed]
