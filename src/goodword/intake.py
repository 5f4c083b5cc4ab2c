"""Shop data arriving live: stored by the stores domain, then referrals, rewards and reviews react to it.

Every live way in (REST, batches, signed order webhooks) goes through here, in the caller's unit of work, so an
order and the reward or review request it causes commit together or not at all. CSV imports and the demo
builder write history through the stores services directly: an order fulfilled a year ago must neither pay a
referral bonus nor ask for a review today.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar

from sqlalchemy.orm import Session

from goodword.clock import utc_now
from goodword.referrals import attribution
from goodword.reviews import requests as review_requests
from goodword.rewards import members
from goodword.stores import customers as stored_customers
from goodword.stores import order_webhooks
from goodword.stores import orders as stored_orders
from goodword.stores.inputs import CustomerIn, OrderIn
from goodword.stores.upserts import UpsertOutcome, UpsertStatus

Item = TypeVar("Item", CustomerIn, OrderIn)


def upsert_customers(
    session: Session,
    *,
    store_id: str,
    customers: Sequence[CustomerIn],
    source: str,
    now: datetime | None = None,
) -> list[UpsertOutcome]:
    """Create or update customers, then attribute new registrations to referrals.

    Raises:
        InvalidInput: as `stores.customers.upsert_customers`.
    """
    now = now or utc_now()
    outcomes = stored_customers.upsert_customers(
        session, store_id=store_id, customers=customers, source=source, now=now
    )
    changed = _changed(customers, outcomes)
    if changed:
        attribution.react_to_customers(
            session, store_id=store_id, customers=changed[0], outcomes=changed[1], now=now
        )
    return outcomes


def upsert_orders(
    session: Session, *, store_id: str, orders: Sequence[OrderIn], source: str, now: datetime | None = None
) -> list[UpsertOutcome]:
    """Create or update orders, then let referrals, the member club and review requests follow their status.

    Raises:
        InvalidInput: as `stores.orders.upsert_orders`.
    """
    now = now or utc_now()
    outcomes = stored_orders.upsert_orders(session, store_id=store_id, orders=orders, source=source, now=now)
    changed = _changed(orders, outcomes)
    if changed:
        for react in (attribution.react_to_orders, members.react_to_orders, review_requests.react_to_orders):
            react(session, store_id=store_id, orders=changed[0], outcomes=changed[1], now=now)
    return outcomes


def receive_order_event(
    session: Session, *, store_id: str | None, body: bytes, signature: str | None
) -> tuple[order_webhooks.OrderEvent, bool]:
    """Check a signed order webhook and apply it once; the flag says whether it was applied now.

    Raises:
        Unauthorized: unknown store, missing or wrong signature; the message does not say which.
        Malformed: the body is not JSON.
        InvalidInput: the body is not a valid order event.
    """
    store, event = order_webhooks.verify_order_event(
        session, store_id=store_id, body=body, signature=signature
    )
    first_time = order_webhooks.record_order_event(session, store_id=store.id, event=event)
    if first_time:
        upsert_orders(session, store_id=store.id, orders=[event.order], source="webhook")
    return event, first_time


def _changed(
    items: Sequence[Item], outcomes: Sequence[UpsertOutcome]
) -> tuple[list[Item], list[UpsertOutcome]] | None:
    """The items an upsert created or changed, beside their outcomes; None when nothing changed."""
    pairs = [
        (item, o) for item, o in zip(items, outcomes, strict=True) if o.status is not UpsertStatus.UNCHANGED
    ]
    if not pairs:
        return None
    return [item for item, _ in pairs], [o for _, o in pairs]
