"""Orders with their lines: batch upsert by external id, lookup and filtered listing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, delete, select
from sqlalchemy.orm import Session, selectinload

from goodword.clock import utc_now
from goodword.db.bulk import insert_many
from goodword.errors import FieldIssue, InvalidInput, NotFound
from goodword.stores.customers import customer_ids_by_external_id, upsert_customers
from goodword.stores.inputs import CustomerIn, OrderIn
from goodword.stores.models import Customer, Order, OrderLine, OrderStatus
from goodword.stores.pagination import Page, paginate
from goodword.stores.products import product_ids_by_sku
from goodword.stores.upserts import (
    UpsertOutcome,
    UpsertStatus,
    find_existing,
    reject_duplicate_keys,
    upsert_rows,
)

_orders = cast(Table, Order.__table__)
_lines = cast(Table, OrderLine.__table__)
# Stay well under SQLite's bound-parameter limit when deleting lines of many orders at once.
_ID_CHUNK = 500


def upsert_orders(
    session: Session, *, store_id: str, orders: Sequence[OrderIn], source: str, now: datetime | None = None
) -> list[UpsertOutcome]:
    """Create or update orders by external id, replacing the lines of each order that changed.

    Customers given inline are upserted first; a customer named only by external id must already exist.
    Line SKUs are linked to the store's products where they match.

    Raises:
        InvalidInput: an external id twice in the batch, or a customer that does not exist.
    """
    now = now or utc_now()
    reject_duplicate_keys([o.external_id for o in orders], field="external_id")
    customer_ids = _resolve_customers(session, store_id=store_id, orders=orders, source=source, now=now)
    product_ids = product_ids_by_sku(
        session, store_id=store_id, skus=[line.sku for o in orders for line in o.lines if line.sku]
    )
    rows = [_order_row(store_id, order, customer_ids, now) for order in orders]
    existing = find_existing(
        session,
        _orders,
        store_id=store_id,
        key_column="external_id",
        keys=[o.external_id for o in orders],
    )
    outcomes = upsert_rows(
        session,
        _orders,
        store_id=store_id,
        key_column="external_id",
        rows=rows,
        existing=existing,
    )
    written = list(zip(orders, outcomes, strict=True))
    _delete_lines(
        session, store_id=store_id, order_ids=[o.id for _, o in written if o.status is UpsertStatus.UPDATED]
    )
    _insert_lines(
        session,
        store_id=store_id,
        orders=[(order, o.id) for order, o in written if o.status is not UpsertStatus.UNCHANGED],
        product_ids=product_ids,
    )
    return outcomes


def _resolve_customers(
    session: Session, *, store_id: str, orders: Sequence[OrderIn], source: str, now: datetime
) -> dict[str, int]:
    inline: dict[str, CustomerIn] = {}
    issues = []
    for index, order in enumerate(orders):
        if order.customer is None:
            continue
        earlier = inline.setdefault(order.customer.external_id, order.customer)
        if earlier != order.customer:
            issues.append(
                FieldIssue(
                    f"items.{index}.customer", "the same customer is described differently", "conflict"
                )
            )
    if issues:
        raise InvalidInput("orders in the batch disagree about a customer", issues)
    if inline:
        upsert_customers(session, store_id=store_id, customers=list(inline.values()), source=source, now=now)
    references = [o.customer_reference for o in orders if o.customer_reference is not None]
    customer_ids = customer_ids_by_external_id(session, store_id=store_id, external_ids=references)
    unknown = [
        FieldIssue(
            f"items.{index}.customer_external_id", f"no customer {order.customer_reference!r}", "unknown"
        )
        for index, order in enumerate(orders)
        if order.customer_reference is not None and order.customer_reference not in customer_ids
    ]
    if unknown:
        raise InvalidInput("orders name customers that do not exist; send them first or inline", unknown)
    return customer_ids


def _order_row(store_id: str, order: OrderIn, customer_ids: dict[str, int], now: datetime) -> dict[str, Any]:
    reference = order.customer_reference
    return {
        "store_id": store_id,
        "external_id": order.external_id,
        "customer_id": customer_ids[reference] if reference is not None else None,
        "status": order.status,
        "currency": order.currency,
        "subtotal_minor": order.subtotal_minor
        if order.subtotal_minor is not None
        else order.lines_subtotal_minor,
        "discount_minor": order.discount_minor,
        "shipping_minor": order.shipping_minor,
        "tax_minor": order.tax_minor,
        "total_minor": order.total_minor,
        "placed_at": order.placed_at,
        "paid_at": order.paid_at,
        "fulfilled_at": order.fulfilled_at,
        "refunded_at": order.refunded_at,
        "cancelled_at": order.cancelled_at,
        "content_hash": order.content_hash(),
        "created_at": now,
        "updated_at": now,
    }


def _delete_lines(session: Session, *, store_id: str, order_ids: Sequence[int]) -> None:
    for start in range(0, len(order_ids), _ID_CHUNK):
        session.execute(
            delete(OrderLine)
            .where(
                OrderLine.store_id == store_id, OrderLine.order_id.in_(order_ids[start : start + _ID_CHUNK])
            )
            .execution_options(synchronize_session=False)
        )


def _insert_lines(
    session: Session, *, store_id: str, orders: Sequence[tuple[OrderIn, int]], product_ids: dict[str, int]
) -> None:
    lines = [
        {
            "store_id": store_id,
            "order_id": order_id,
            "position": position,
            "product_id": product_ids.get(line.sku) if line.sku else None,
            "sku": line.sku,
            "title": line.title,
            "quantity": line.quantity,
            "unit_price_minor": line.unit_price_minor,
            "total_minor": line.quantity * line.unit_price_minor,
        }
        for order, order_id in orders
        for position, line in enumerate(order.lines)
    ]
    if lines:
        insert_many(session, _lines, lines)


def get_order(session: Session, *, store_id: str, external_id: str) -> Order:
    """Raises:
    NotFound: the store has no order with this external id.
    """
    order = session.scalars(
        select(Order)
        .where(Order.store_id == store_id, Order.external_id == external_id)
        .options(selectinload(Order.lines))
    ).one_or_none()
    if order is None:
        raise NotFound(f"no order {external_id!r}")
    return order


@dataclass(frozen=True)
class OrderFilter:
    status: OrderStatus | None = None
    customer_external_id: str | None = None
    placed_after: datetime | None = None
    placed_before: datetime | None = None


def list_orders(
    session: Session, *, store_id: str, filters: OrderFilter, cursor: str | None, limit: int
) -> Page[Order]:
    query = select(Order).where(Order.store_id == store_id).options(selectinload(Order.lines))
    if filters.status is not None:
        query = query.where(Order.status == filters.status)
    if filters.customer_external_id is not None:
        query = query.join(Customer, Customer.id == Order.customer_id).where(
            Customer.store_id == store_id, Customer.external_id == filters.customer_external_id
        )
    if filters.placed_after is not None:
        query = query.where(Order.placed_at >= filters.placed_after)
    if filters.placed_before is not None:
        query = query.where(Order.placed_at < filters.placed_before)
    return paginate(session, query, Order.id, cursor=cursor, limit=limit)
