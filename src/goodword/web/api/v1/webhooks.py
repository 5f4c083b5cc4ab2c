"""Inbound order webhooks, signed with the store's webhook secret instead of an API key."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header
from pydantic import BaseModel, ValidationError

from goodword.errors import FieldIssue, InvalidInput, Malformed
from goodword.stores import order_webhooks
from goodword.stores.models import Store
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
    x_goodword_store: Annotated[str, Header(max_length=32, description="The store the event is for.")],
    x_goodword_signature: Annotated[
        str | None, Header(description="sha256=<hex HMAC-SHA256 of the raw body>")
    ] = None,
) -> WebhookReceipt:
    """Apply an order event sent by the shop. A replayed event id is acknowledged and changes nothing."""
    store = order_webhooks.verify_signature(
        session.get(Store, x_goodword_store), body=body, signature=x_goodword_signature
    )
    try:
        event = order_webhooks.OrderEvent.model_validate_json(body)
    except ValidationError as error:
        if any(e["type"] == "json_invalid" for e in error.errors()):
            raise Malformed("the request body is not valid JSON", code="malformed_json") from None
        issues = [
            FieldIssue(".".join(str(p) for p in e["loc"]) or "body", e["msg"], e["type"])
            for e in error.errors()
        ]
        raise InvalidInput("the event is not a valid order event", issues) from None
    outcome = order_webhooks.apply_order_event(session, store_id=store.id, event=event)
    return WebhookReceipt(event_id=event.id, status="applied" if outcome is not None else "duplicate")
