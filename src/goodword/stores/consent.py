"""Consent vocabulary shared by every way in: which withdrawals only the customer can undo.

A shop keeps sending its own copy of a customer, often with the marketing flag it had before the customer
unsubscribed from one of our emails. That stale `true` must not undo the customer's own "no": while the
latest consent event is such an opt-out, upserts leave marketing consent off.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from goodword.stores.models import ConsentEvent

# The customer said no themselves: the link in an email, their mail client's button, or the API on their behalf.
OPT_OUT_SOURCES = frozenset({"unsubscribe-link", "list-unsubscribe-post", "unsubscribe-api"})


def customers_who_opted_out(session: Session, *, store_id: str, customer_ids: Collection[int]) -> set[int]:
    """Those of `customer_ids` whose latest consent event is their own opt-out."""
    if not customer_ids:
        return set()
    latest = (
        select(ConsentEvent.customer_id, func.max(ConsentEvent.id).label("last_id"))
        .where(ConsentEvent.store_id == store_id, ConsentEvent.customer_id.in_(set(customer_ids)))
        .group_by(ConsentEvent.customer_id)
        .subquery()
    )
    rows = session.scalars(
        select(ConsentEvent.customer_id)
        .join(latest, ConsentEvent.id == latest.c.last_id)
        .where(ConsentEvent.granted.is_(False), ConsentEvent.source.in_(OPT_OUT_SOURCES))
    )
    return set(rows)
