"""Inbound order webhooks, signed with the store's webhook secret instead of an API key."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header
from pydantic import BaseModel

from goodword import intake
from goodword.stores import order_webhooks
from goodword.web.deps import RawBodyDep, SessionDep

router = APIRouter(prefix="/webhooks", tags=["webhooks"])
# The body is read raw, to check its signature, so the document is given its schema by hand. The models it
# nests are components already (the orders routes take them), so its references point there.
_ORDER_EVENT_SCHEMA = order_webhooks.OrderEvent.model_json_schema(ref_template="#/components/schemas/{model}")
del _ORDER_EVENT_SCHEMA["$defs"]


class WebhookReceipt(BaseModel):
    event_id: str
    status: Literal["applied", "duplicate"]


@router.post(
    "/orders",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _ORDER_EVENT_SCHEMA}},
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
    event, applied = intake.receive_order_event(
        session, store_id=x_goodword_store, body=body, signature=x_goodword_signature
    )
    return WebhookReceipt(event_id=event.id, status="applied" if applied else "duplicate")
