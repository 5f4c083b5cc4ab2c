"""A customer's right to see what the store holds about them, and to have it erased."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session, selectinload

from goodword.clock import utc_now
from goodword.ids import new_public_id
from goodword.stores.customers import get_customer
from goodword.stores.models import ConsentEvent, Customer, CustomerTie, IdempotencyRecord, Order

ERASURE_SOURCE = "erasure"


def export_customer(session: Session, *, store_id: str, external_id: str) -> dict[str, Any]:
    """Everything held about one customer, as JSON-ready data.

    Raises:
        NotFound: the store has no such customer.
    """
    customer = get_customer(session, store_id=store_id, external_id=external_id)
    orders = session.scalars(
        select(Order)
        .where(Order.store_id == store_id, Order.customer_id == customer.id)
        .options(selectinload(Order.lines))
        .order_by(Order.id)
    )
    consent = session.scalars(
        select(ConsentEvent)
        .where(ConsentEvent.store_id == store_id, ConsentEvent.customer_id == customer.id)
        .order_by(ConsentEvent.id)
    )
    ties = session.scalars(
        select(CustomerTie)
        .where(
            CustomerTie.store_id == store_id,
            or_(CustomerTie.from_customer_id == customer.id, CustomerTie.to_customer_id == customer.id),
        )
        .order_by(CustomerTie.id)
    )
    return {
        "customer": _customer_data(customer),
        "consent_history": [
            {"granted": e.granted, "source": e.source, "recorded_at": e.recorded_at.isoformat()}
            for e in consent
        ],
        "orders": [_order_data(order) for order in orders],
        "ties": [
            {
                "from_external_id": tie.from_customer.external_id,
                "to_external_id": tie.to_customer.external_id,
                "source": tie.source.value,
                "created_at": tie.created_at.isoformat(),
            }
            for tie in ties
        ],
    }


def erase_customer(
    session: Session, *, store_id: str, external_id: str, now: datetime | None = None
) -> Customer:
    """Remove a customer's personal data and replace their external id by a pseudonym.

    The row itself stays, so orders, ties and (later) ledgers that point at it keep adding up.

    Raises:
        NotFound: the store has no such customer.
    """
    now = now or utc_now()
    customer = get_customer(session, store_id=store_id, external_id=external_id)
    # Answers kept for Idempotency-Key retries quote the customer as they were; forget those too.
    session.execute(
        delete(IdempotencyRecord)
        .where(
            IdempotencyRecord.store_id == store_id,
            IdempotencyRecord.response_body.contains(
                f'"external_id":{json.dumps(external_id, ensure_ascii=False)}', autoescape=True
            ),
        )
        .execution_options(synchronize_session=False)
    )
    customer.external_id = new_public_id("erased")
    customer.email = customer.phone = customer.name = customer.locale = customer.time_zone = None
    customer.content_hash = ""
    customer.updated_at = customer.erased_at = now
    if customer.marketing_consent:
        customer.marketing_consent = False
        session.add(
            ConsentEvent(store_id=store_id, customer_id=customer.id, granted=False, source=ERASURE_SOURCE)
        )
    session.flush()
    return customer


def _customer_data(customer: Customer) -> dict[str, Any]:
    return {
        "external_id": customer.external_id,
        "email": customer.email,
        "phone": customer.phone,
        "name": customer.name,
        "locale": customer.locale,
        "time_zone": customer.time_zone,
        "marketing_consent": customer.marketing_consent,
        "created_at": customer.created_at.isoformat(),
        "updated_at": customer.updated_at.isoformat(),
    }


def _order_data(order: Order) -> dict[str, Any]:
    return {
        "external_id": order.external_id,
        "status": order.status.value,
        "currency": order.currency,
        "total_minor": order.total_minor,
        "placed_at": order.placed_at.isoformat(),
        "lines": [
            {
                "sku": line.sku,
                "title": line.title,
                "quantity": line.quantity,
                "unit_price_minor": line.unit_price_minor,
            }
            for line in order.lines
        ],
    }
