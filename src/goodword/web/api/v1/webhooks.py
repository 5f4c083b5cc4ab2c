"""Inbound order webhooks, signed with the store's webhook secret instead of an API key."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header
from pydantic import BaseModel

from goodword.stores import order_webhooks
from goodword.web.deps import RawBodyDep, SessionDep

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


class WebhookReceipt(BaseModel):
    event_id: str
    status: Literal["applied", "duplicate"]


@router.post(
    "/orders",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": order_webhooks.OrderEvent.model_json_schema()}},
        }
    },
)
def receive_order_event(
    body: RawBodyDep,
    session: SessionDep,
    x_goodword_store: Annotated[str | None, Header(description="The store the event is for.")] = None,
    x_goodword_signature: Annotated[
        str | None, Header(description="sha256=<hex HMAC-SHA256 of the raw body>")
    ] = None,
) -> WebhookReceipt:
    """Apply an order event sent by the shop. A replayed event id is acknowledged and changes nothing."""
    event, applied = order_webhooks.receive_order_event(
        session, store_id=x_goodword_store, body=body, signature=x_goodword_signature
    )
    return WebhookReceipt(event_id=event.id, status="applied" if applied else "duplicate")
