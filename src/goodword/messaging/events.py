"""Events a store's webhook endpoints can subscribe to, and publishing one to every subscriber.

Publishing writes one outbox message per enabled, subscribed endpoint, in the caller's transaction, so an
event is sent only if the change that caused it commits. Each message's dedupe key joins the event id and
the endpoint: publishing the same event twice writes nothing the second time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodword.clock import utc_now
from goodword.errors import Conflict, FieldIssue, InvalidInput
from goodword.ids import new_public_id
from goodword.messaging.endpoints import event_types_of, get_endpoint
from goodword.messaging.event_types import ALL_EVENTS, EVENT_TYPES
from goodword.messaging.models import Channel, Purpose, WebhookEndpoint
from goodword.messaging.outbox import NewMessage, enqueue

# Event ids travel in the webhook-id header and in dedupe keys: keep them short and printable.
_EVENT_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")


@dataclass(frozen=True)
class PublishedEvent:
    event_id: str
    message_ids: list[int]


def publish_event(
    session: Session,
    *,
    store_id: str,
    event_type: str,
    data: dict[str, Any],
    event_id: str | None = None,
    now: datetime | None = None,
) -> PublishedEvent:
    """Queue `data` as an `event_type` event for every enabled endpoint of the store subscribed to it.

    Raises:
        InvalidInput: the event type is not in `EVENT_TYPES`, or the event id is not usable.
    """
    if event_type not in EVENT_TYPES:
        raise InvalidInput(
            f"unknown event type {event_type!r}", [FieldIssue("event_type", "not in EVENT_TYPES")]
        )
    event_id = _checked_event_id(event_id)
    now = now or utc_now()
    endpoints = session.scalars(
        select(WebhookEndpoint)
        .where(
            WebhookEndpoint.store_id == store_id,
            WebhookEndpoint.enabled.is_(True),
            WebhookEndpoint.deleted_at.is_(None),
        )
        .order_by(WebhookEndpoint.id)
    )
    message_ids = [
        _enqueue_for(session, endpoint, event_type=event_type, event_id=event_id, data=data, now=now)
        for endpoint in endpoints
        if subscribes(endpoint, event_type)
    ]
    return PublishedEvent(event_id, message_ids)


def send_test_event(
    session: Session, *, store_id: str, endpoint_id: int, now: datetime | None = None
) -> PublishedEvent:
    """Queue a `webhook.test` event for this endpoint alone, whatever it subscribes to.

    Raises:
        NotFound: the store has no such endpoint (or it was deleted).
        Conflict: the endpoint is disabled, so nothing would be sent.
    """
    endpoint = get_endpoint(session, store_id=store_id, endpoint_id=endpoint_id)
    if not endpoint.enabled:
        raise Conflict(f"webhook endpoint {endpoint_id} is disabled: {endpoint.disabled_reason}")
    now = now or utc_now()
    event_id = _checked_event_id(None)
    data = {"endpoint_id": endpoint.id, "message": "A test event from Goodword; it changes nothing."}
    message_id = _enqueue_for(
        session, endpoint, event_type="webhook.test", event_id=event_id, data=data, now=now
    )
    return PublishedEvent(event_id, [message_id])


def subscribes(endpoint: WebhookEndpoint, event_type: str) -> bool:
    subscribed = event_types_of(endpoint)
    return ALL_EVENTS in subscribed or event_type in subscribed


def _checked_event_id(event_id: str | None) -> str:
    if event_id is None:
        return new_public_id("evt")
    if not _EVENT_ID.match(event_id):
        raise InvalidInput(
            f"event id {event_id!r} is not usable",
            [FieldIssue("event_id", "1 to 100 letters, digits or _ . : -")],
        )
    return event_id


def _enqueue_for(
    session: Session,
    endpoint: WebhookEndpoint,
    *,
    event_type: str,
    event_id: str,
    data: dict[str, Any],
    now: datetime,
) -> int:
    message = webhook_message(endpoint, event_type=event_type, event_id=event_id, data=data, now=now)
    return enqueue(session, store_id=endpoint.store_id, message=message)


def webhook_message(
    endpoint: WebhookEndpoint, *, event_type: str, event_id: str, data: dict[str, Any], now: datetime
) -> NewMessage:
    """The outbox message that carries one event to one endpoint."""
    # The body follows the Standard Webhooks payload shape: type, timestamp, data.
    body = {"type": event_type, "timestamp": now.isoformat().replace("+00:00", "Z"), "data": data}
    return NewMessage(
        channel=Channel.WEBHOOK,
        purpose=Purpose.TRANSACTIONAL,
        kind=event_type,
        recipient=endpoint.url,
        payload=body,
        reason=f"webhook endpoint {endpoint.id} subscribes to {event_type}",
        endpoint_id=endpoint.id,
        send_at=now,
        # Also the webhook-id the receiver sees: the same on every retry of this event to this endpoint.
        dedupe_key=f"event:{event_id}:{endpoint.id}",
    )
