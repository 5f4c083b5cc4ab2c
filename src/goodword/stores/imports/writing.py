"""Writing one chunk of validated inputs through the stores services."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from goodword.stores.customers import customer_ids_by_external_id, upsert_customers
from goodword.stores.inputs import CustomerIn, OrderIn, ProductIn
from goodword.stores.orders import upsert_orders
from goodword.stores.products import upsert_products
from goodword.stores.upserts import UpsertOutcome


def write_customers(
    session: Session, store_id: str, customers: Sequence[CustomerIn], source: str
) -> list[UpsertOutcome]:
    return upsert_customers(session, store_id=store_id, customers=customers, source=source)


def write_products(
    session: Session, store_id: str, products: Sequence[ProductIn], source: str
) -> list[UpsertOutcome]:
    return upsert_products(session, store_id=store_id, products=products)


def write_orders(
    session: Session, store_id: str, orders: Sequence[OrderIn], source: str
) -> list[UpsertOutcome]:
    """Orders whose buyers are created if new but never changed if known.

    An order row says little about its buyer (a billing name, a consent flag as it was that day); letting it
    overwrite what a customers import or the API recorded would lose data, and letting successive orders of
    one buyer disagree would make a second import of the same file change that buyer again. The first
    description of a new buyer in the chunk is the one kept.
    """
    buyers: dict[str, CustomerIn] = {}
    for order in orders:
        if order.customer is not None:
            buyers.setdefault(order.customer.external_id, order.customer)
    known = customer_ids_by_external_id(session, store_id=store_id, external_ids=list(buyers))
    new_buyers = [buyer for external_id, buyer in buyers.items() if external_id not in known]
    if new_buyers:
        upsert_customers(session, store_id=store_id, customers=new_buyers, source=source)
    by_reference = [
        order.model_copy(update={"customer": None, "customer_external_id": order.customer.external_id})
        if order.customer is not None
        else order
        for order in orders
    ]
    return upsert_orders(session, store_id=store_id, orders=by_reference, source=source)
