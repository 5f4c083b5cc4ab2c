"""Customers: batch upsert by external id, lookup and filtered listing, with consent recorded as events."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from goodword.clock import utc_now
from goodword.errors import NotFound
from goodword.stores.consent import customers_who_opted_out
from goodword.stores.inputs import CustomerIn
from goodword.stores.models import ConsentEvent, Customer
from goodword.stores.pagination import Page, paginate
from goodword.stores.upserts import (
    UpsertOutcome,
    UpsertStatus,
    find_existing,
    reject_duplicate_keys,
    upsert_rows,
)

_customers = cast(Table, Customer.__table__)


def upsert_customers(
    session: Session,
    *,
    store_id: str,
    customers: Sequence[CustomerIn],
    source: str,
    now: datetime | None = None,
) -> list[UpsertOutcome]:
    """Create or update customers by external id; consent changes are appended to the consent history.

    Raises:
        InvalidInput: the batch names one external id twice.
    """
    now = now or utc_now()
    reject_duplicate_keys([c.external_id for c in customers], field="external_id")
    existing = find_existing(
        session,
        _customers,
        store_id=store_id,
        key_column="external_id",
        keys=[c.external_id for c in customers],
        extra=["marketing_consent"],
    )
    # A stale "true" from the shop never overrides the customer's own unsubscribe (see stores/consent.py).
    held_out = customers_who_opted_out(
        session,
        store_id=store_id,
        customer_ids=[
            before.id
            for c in customers
            if c.marketing_consent
            and (before := existing.get(c.external_id)) is not None
            and not before.values["marketing_consent"]
        ],
    )
    rows = [_row(store_id, customer, now) for customer in customers]
    for row in rows:
        before = existing.get(row["external_id"])
        if before is not None and before.id in held_out:
            row["marketing_consent"] = False
    outcomes = upsert_rows(
        session,
        _customers,
        store_id=store_id,
        key_column="external_id",
        rows=rows,
        existing=existing,
    )
    consent_changes = [
        {"store_id": store_id, "customer_id": outcome.id, "granted": row["marketing_consent"], "source": source,
         "recorded_at": now}
        for row, outcome in zip(rows, outcomes, strict=True)
        if (outcome.status is UpsertStatus.CREATED and row["marketing_consent"])
        or (
            outcome.status is UpsertStatus.UPDATED
            and existing[row["external_id"]].values["marketing_consent"] != row["marketing_consent"]
        )
    ]  # fmt: skip
    if consent_changes:
        session.execute(insert(ConsentEvent), consent_changes)
    return outcomes


def _row(store_id: str, customer: CustomerIn, now: datetime) -> dict[str, Any]:
    return {
        "store_id": store_id,
        "external_id": customer.external_id,
        "email": customer.email,
        "phone": customer.phone,
        "name": customer.name,
        "locale": customer.locale,
        "time_zone": customer.time_zone,
        "marketing_consent": customer.marketing_consent,
        "content_hash": customer.content_hash(),
        "created_at": customer.created_at or now,
        "updated_at": now,
    }


def get_customer(session: Session, *, store_id: str, external_id: str) -> Customer:
    """Raises:
    NotFound: the store has no customer with this external id.
    """
    customer = session.scalars(
        select(Customer).where(Customer.store_id == store_id, Customer.external_id == external_id)
    ).one_or_none()
    if customer is None:
        raise NotFound(f"no customer {external_id!r}")
    return customer


@dataclass(frozen=True)
class CustomerFilter:
    email: str | None = None
    marketing_consent: bool | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None


def list_customers(
    session: Session, *, store_id: str, filters: CustomerFilter, cursor: str | None, limit: int
) -> Page[Customer]:
    query = select(Customer).where(Customer.store_id == store_id)
    if filters.email is not None:
        query = query.where(Customer.email == filters.email.strip().lower())
    if filters.marketing_consent is not None:
        query = query.where(Customer.marketing_consent == filters.marketing_consent)
    if filters.created_after is not None:
        query = query.where(Customer.created_at >= filters.created_after)
    if filters.created_before is not None:
        query = query.where(Customer.created_at < filters.created_before)
    return paginate(session, query, Customer.id, cursor=cursor, limit=limit)


def customer_ids_by_external_id(
    session: Session, *, store_id: str, external_ids: Sequence[str]
) -> dict[str, int]:
    if not external_ids:
        return {}
    rows = session.execute(
        select(Customer.external_id, Customer.id).where(
            Customer.store_id == store_id, Customer.external_id.in_(set(external_ids))
        )
    )
    return dict(rows.all())
