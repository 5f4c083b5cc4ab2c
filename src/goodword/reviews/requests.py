"""Review requests: written when an order is fulfilled, sent when due, reminded once if unanswered.

`react_to_orders` runs inside order ingestion (thousands of orders a second), so it only writes rows: a batch
without a recently fulfilled order costs one pass over the inputs and no query. The two jobs do the sending,
across every store, set-based and idempotent (the outbox's dedupe keys make a repeated run write nothing), and
check again at send time that the store still asks for reviews, the order was not refunded meanwhile and the
customer has not unsubscribed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from goodword.db.bulk import bulk_insert
from goodword.messaging.models import Channel, Purpose
from goodword.messaging.outbox import NewMessage, enqueue_many
from goodword.reviews import links
from goodword.reviews.models import RequestChannel, ReviewRequest
from goodword.reviews.settings import ReviewSettingsIn, get_review_settings, settings_by_store
from goodword.stores.consent import customers_who_opted_out
from goodword.stores.inputs import OrderIn
from goodword.stores.models import Customer, Order, OrderLine, OrderStatus, Product, Store
from goodword.stores.upserts import UpsertOutcome

_requests = cast(Table, ReviewRequest.__table__)
# An order fulfilled longer ago than this is history (a late sync, a backfill): nobody is asked about it now.
MAX_FULFILMENT_AGE = timedelta(days=60)
BATCH = 1000


def react_to_orders(
    session: Session,
    *,
    store_id: str,
    orders: Sequence[OrderIn],
    outcomes: Sequence[UpsertOutcome],
    now: datetime,
) -> None:
    """Schedule review requests for orders that were fulfilled recently; one per product per order."""
    oldest = now - MAX_FULFILMENT_AGE
    fulfilled = {
        outcome.id: order.fulfilled_at
        for order, outcome in zip(orders, outcomes, strict=True)
        if order.status is OrderStatus.FULFILLED
        and order.fulfilled_at is not None
        and order.fulfilled_at >= oldest
        and order.lines
        and order.customer_reference is not None
    }
    if not fulfilled:
        return
    settings = get_review_settings(session, store_id=store_id)
    if not settings.requests_enabled:
        return
    lines = session.execute(
        select(OrderLine.id, OrderLine.order_id, OrderLine.product_id, Order.customer_id)
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            OrderLine.store_id == store_id,
            OrderLine.order_id.in_(fulfilled),
            OrderLine.product_id.is_not(None),
            Order.customer_id.is_not(None),
        )
        .order_by(OrderLine.id)
    )
    rows: dict[tuple[int, int], dict[str, Any]] = {}
    for line_id, order_id, product_id, customer_id in lines:
        fulfilled_at = fulfilled[order_id]
        if product_id is None or customer_id is None or fulfilled_at is None:
            continue  # filtered by the query and above; this narrows the types
        row = _request_row(store_id, settings, line_id, order_id, product_id, customer_id, fulfilled_at, now)
        rows.setdefault((order_id, product_id), row)
    if rows:
        statement, parameters = bulk_insert(session, _requests, list(rows.values()))
        session.execute(statement.on_conflict_do_nothing(), parameters)


def _request_row(
    store_id: str,
    settings: ReviewSettingsIn,
    line_id: int,
    order_id: int,
    product_id: int,
    customer_id: int,
    fulfilled_at: datetime,
    now: datetime,
) -> dict[str, Any]:
    send_at = max(fulfilled_at + timedelta(days=settings.request_delay_days), now)
    reminder = send_at + timedelta(days=settings.reminder_delay_days) if settings.reminder_enabled else None
    return {
        "store_id": store_id,
        "order_id": order_id,
        "order_line_id": line_id,
        "product_id": product_id,
        "customer_id": customer_id,
        "channel": settings.request_channel,
        "send_at": send_at,
        "sent_at": None,
        "expires_at": send_at + timedelta(days=settings.link_valid_days),
        "reminder_due_at": reminder,
        "reminded_at": None,
        "used_at": None,
        "review_id": None,
        "created_at": now,
    }


@dataclass(frozen=True, slots=True)
class _Due:
    request: ReviewRequest
    order_status: OrderStatus
    customer: Customer
    product_title: str
    product_image_url: str | None
    store_name: str


def send_review_requests(session: Session, *, now: datetime, secret_key: str, public_base_url: str) -> int:
    """Queue every due review request (all stores), one message per order; returns how many were queued."""
    due = _load(
        session,
        select(ReviewRequest.id).where(ReviewRequest.sent_at.is_(None), ReviewRequest.send_at <= now),
    )
    sent = _send(session, due, now=now, secret_key=secret_key, base_url=public_base_url, reminder=False)
    if due:
        session.execute(
            update(ReviewRequest)
            .where(ReviewRequest.id.in_([d.request.id for d in due]))
            .values(sent_at=now)
            .execution_options(synchronize_session=False)
        )
    return sent


def send_review_reminders(session: Session, *, now: datetime, secret_key: str, public_base_url: str) -> int:
    """Queue a reminder for every sent, unanswered, unexpired request whose reminder is due (all stores)."""
    due = _load(
        session,
        select(ReviewRequest.id).where(
            ReviewRequest.reminder_due_at <= now,
            ReviewRequest.sent_at.is_not(None),
            ReviewRequest.used_at.is_(None),
            ReviewRequest.expires_at > now,
        ),
    )
    sent = _send(session, due, now=now, secret_key=secret_key, base_url=public_base_url, reminder=True)
    if due:
        session.execute(
            update(ReviewRequest)
            .where(ReviewRequest.id.in_([d.request.id for d in due]))
            .values(reminder_due_at=None, reminded_at=now)
            .execution_options(synchronize_session=False)
        )
    return sent


def _load(session: Session, ids: Any) -> list[_Due]:
    query = (
        select(ReviewRequest, Order.status, Customer, Product.title, Product.image_url, Store.name)
        .join(Order, Order.id == ReviewRequest.order_id)
        .join(Customer, Customer.id == ReviewRequest.customer_id)
        .join(Product, Product.id == ReviewRequest.product_id)
        .join(Store, Store.id == ReviewRequest.store_id)
        .where(ReviewRequest.id.in_(ids.order_by(ReviewRequest.id).limit(BATCH)))
        .order_by(ReviewRequest.id)
    )
    return [_Due(*row) for row in session.execute(query)]


def _send(
    session: Session, due: list[_Due], *, now: datetime, secret_key: str, base_url: str, reminder: bool
) -> int:
    by_order: dict[tuple[str, int], list[_Due]] = defaultdict(list)
    for item in due:
        by_order[(item.request.store_id, item.request.order_id)].append(item)
    settings = settings_by_store(session, store_ids={store_id for store_id, _ in by_order})
    opted_out = _opted_out(session, due)
    messages: dict[str, list[NewMessage]] = defaultdict(list)
    for (store_id, _order), items in by_order.items():
        store_settings = settings[store_id]
        if reminder and not store_settings.reminder_enabled:
            continue
        # A review request is transactional, so the outbox's manners let it through whatever the marketing
        # consent; a customer who unsubscribed themselves (link, mail client, API) still gets none.
        if (store_id, items[0].customer.id) in opted_out:
            continue
        message = _message(
            items, store_settings, now=now, secret_key=secret_key, base_url=base_url, reminder=reminder
        )
        if message is not None:
            messages[store_id].append(message)
    for store_id, batch in messages.items():
        enqueue_many(session, store_id=store_id, messages=batch)
    return sum(len(batch) for batch in messages.values())


def _opted_out(session: Session, due: list[_Due]) -> set[tuple[str, int]]:
    """(store, customer) of the due requests whose customer's latest consent event is their own opt-out."""
    by_store: dict[str, set[int]] = defaultdict(set)
    for item in due:
        by_store[item.request.store_id].add(item.customer.id)
    return {
        (store_id, customer_id)
        for store_id, customer_ids in by_store.items()
        for customer_id in customers_who_opted_out(session, store_id=store_id, customer_ids=customer_ids)
    }


def _message(
    items: list[_Due],
    settings: ReviewSettingsIn,
    *,
    now: datetime,
    secret_key: str,
    base_url: str,
    reminder: bool,
) -> NewMessage | None:
    """The one message asking about an order's products, or None when it should not be sent any more."""
    first = items[0]
    customer, request = first.customer, first.request
    if not settings.requests_enabled or first.order_status not in (OrderStatus.PAID, OrderStatus.FULFILLED):
        return None
    if customer.erased_at is not None:
        return None
    products = [
        {
            "title": item.product_title,
            "image_url": item.product_image_url,
            "link": links.review_link(
                base_url,
                links.make_token(
                    secret_key,
                    purpose=links.REVIEW_REQUEST,
                    store_id=request.store_id,
                    row_id=item.request.id,
                ),
            ),
        }
        for item in items
    ]
    what = "reminder" if reminder else "request"
    if request.channel is RequestChannel.SMS and customer.phone:
        channel, recipient = Channel.SMS, customer.phone
        payload: dict[str, Any] = {
            "text": f"{first.store_name}: how was {products[0]['title']}? Tell us: {products[0]['link']}"
        }
    elif customer.email is not None and customer.email_undeliverable_at is None:
        channel, recipient = Channel.EMAIL, customer.email
        payload = {
            "customer_name": (customer.name or "").split(" ")[0],
            "products": products,
            "reminder": reminder,
            "expires_on": request.expires_at.date().isoformat(),
        }
    else:
        return None
    return NewMessage(
        channel=channel,
        purpose=Purpose.TRANSACTIONAL,
        kind="review_request",
        recipient=recipient,
        payload=payload,
        reason=f"order {request.order_id} was fulfilled: review {what}",
        customer_id=customer.id,
        locale=customer.locale,
        send_at=now,
        dedupe_key=f"review-{what}:{request.order_id}",
    )
