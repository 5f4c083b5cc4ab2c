"""Factories for stores, their keys and the payloads the API takes."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from goodword.stores.api_keys import issue_api_key
from goodword.stores.models import ApiKeyScope
from goodword.stores.order_webhooks import sign
from goodword.stores.stores import create_store

_sequence = itertools.count(1)


@dataclass(frozen=True)
class StoreAccess:
    store_id: str
    webhook_secret: str
    write_key: str
    read_key: str

    @property
    def writer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.write_key}"}

    @property
    def reader(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.read_key}"}


def make_store(session: Session, *, name: str = "Test Shop") -> StoreAccess:
    store = create_store(session, name=name)
    writer = issue_api_key(session, store_id=store.id, name="writer", scope=ApiKeyScope.WRITE)
    reader = issue_api_key(session, store_id=store.id, name="reader", scope=ApiKeyScope.READ)
    return StoreAccess(store.id, store.webhook_secret, writer.token, reader.token)


def customer_payload(**overrides: Any) -> dict[str, Any]:
    n = next(_sequence)
    return {
        "external_id": f"cust-{n}",
        "email": f"buyer{n}@example.com",
        "name": f"Buyer {n}",
        "locale": "en",
        "time_zone": "Europe/London",
        "marketing_consent": True,
        **overrides,
    }


def product_payload(**overrides: Any) -> dict[str, Any]:
    n = next(_sequence)
    return {
        "sku": f"SKU-{n}",
        "title": f"Oolong tea no. {n}",
        "url": f"https://shop.example.com/p/{n}",
        "price_minor": 1250,
        "currency": "USD",
        **overrides,
    }


def order_payload(*, customer_external_id: str | None = None, **overrides: Any) -> dict[str, Any]:
    n = next(_sequence)
    return {
        "external_id": f"order-{n}",
        "customer_external_id": customer_external_id,
        "status": "paid",
        "currency": "USD",
        "total_minor": 2700,
        "shipping_minor": 200,
        "placed_at": "2026-03-01T10:00:00Z",
        "paid_at": "2026-03-01T10:05:00Z",
        "lines": [{"sku": "SKU-A", "title": "Oolong", "quantity": 2, "unit_price_minor": 1250}],
        **overrides,
    }


def order_event_payload(*, event_id: str | None = None, **order_overrides: Any) -> dict[str, Any]:
    n = next(_sequence)
    return {"id": event_id or f"evt-{n}", "type": "order.paid", "order": order_payload(**order_overrides)}


def signed_webhook(store: StoreAccess, event: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    """The raw body of `event` and the headers a shop sends with it, signed with the store's secret."""
    body = json.dumps(event).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Goodword-Store": store.store_id,
        "X-Goodword-Signature": sign(store.webhook_secret, body),
    }
    return body, headers
