"""Inbound order webhooks: HMAC-SHA256 signed by the store's webhook secret, applied once per event id."""

from __future__ import annotations

import hashlib
import hmac
from typing import Literal, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import Table
from sqlalchemy.orm import Session

from goodword.db.bulk import insert_for
from goodword.errors import FieldIssue, InvalidInput, Malformed, Unauthorized
from goodword.stores.inputs import OrderIn
from goodword.stores.models import InboundWebhookEvent, Store

SIGNATURE_SCHEME = "sha256="
_events = cast(Table, InboundWebhookEvent.__table__)


class OrderEvent(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(
        pattern=r"^[^\s\x00-\x1f\x7f]{1,255}$",
        description="Unique per event; a replay with the same id is ignored.",
    )
    type: Literal[
        "order.created", "order.updated", "order.paid", "order.fulfilled", "order.refunded", "order.cancelled"
    ]
    order: OrderIn


def sign(secret: str, body: bytes) -> str:
    """The signature header value a sender puts on `body`: `sha256=<hex HMAC-SHA256>`."""
    return SIGNATURE_SCHEME + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_order_event(
    session: Session, *, store_id: str | None, body: bytes, signature: str | None
) -> tuple[Store, OrderEvent]:
    """The store and the event, once the signature is checked and the body parsed.

    Raises:
        Unauthorized: unknown store, missing or wrong signature; the message does not say which.
        Malformed: the body is not JSON.
        InvalidInput: the body is not a valid order event.
    """
    store = session.get(Store, store_id) if store_id else None
    verify_signature(store, body=body, signature=signature)
    assert store is not None  # verify_signature refuses an unknown store
    return store, parse_order_event(body)


def parse_order_event(body: bytes) -> OrderEvent:
    try:
        return OrderEvent.model_validate_json(body)
    except ValidationError as error:
        if any(e["type"] == "json_invalid" for e in error.errors()):
            raise Malformed("the request body is not valid JSON", code="malformed_json") from None
        issues = [
            FieldIssue(".".join(str(p) for p in e["loc"]) or "body", e["msg"], e["type"])
            for e in error.errors()
        ]
        raise InvalidInput("the event is not a valid order event", issues) from None


def verify_signature(store: Store | None, *, body: bytes, signature: str | None) -> Store:
    """The store, if `signature` is its HMAC of exactly `body`.

    Raises:
        Unauthorized: unknown store, missing or wrong signature; the message does not say which.
    """
    expected = sign(store.webhook_secret, body) if store is not None else None
    if (
        store is None
        or expected is None
        or signature is None
        or not hmac.compare_digest(expected, signature.strip())
    ):
        raise Unauthorized("the webhook signature does not match", code="bad_signature")
    return store


def record_order_event(session: Session, *, store_id: str, event: OrderEvent) -> bool:
    """Remember the event id; False when it was applied before, so the caller applies it only once."""
    recorded = session.execute(
        insert_for(session, _events)
        .values(store_id=store_id, event_id=event.id, topic=event.type)
        .on_conflict_do_nothing()
        .returning(_events.c.id)
    ).scalar_one_or_none()
    return recorded is not None
