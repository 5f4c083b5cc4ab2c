"""Loading a planned demo store through the stores services, a chunk per unit of work.

A commit per chunk keeps transactions small and lets an interrupted build resume: every step is an
idempotent upsert, so running it again writes only what is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import Table, text
from sqlalchemy.orm import Session

from goodword.db.bulk import insert_for
from goodword.demo.calendar import Ints
from goodword.demo.catalogue import CATALOGUE
from goodword.demo.orders import order_inputs
from goodword.demo.people import customer_inputs
from goodword.demo.plan import DemoPlan
from goodword.demo.social import SOURCES, Ties
from goodword.stores.customers import upsert_customers
from goodword.stores.models import Customer, CustomerTie, Order, OrderLine
from goodword.stores.orders import upsert_orders
from goodword.stores.products import upsert_products

UnitOfWork = Callable[[], AbstractContextManager[Session]]
# Reports (step, done, total) as a build goes, e.g. ("orders", 3000, 19952).
Progress = Callable[[str, int, int], None]
SOURCE = "demo"


def load_plan(
    unit_of_work: UnitOfWork,
    *,
    store_id: str,
    plan: DemoPlan,
    progress: Progress,
    chunk_size: int,
) -> None:
    # Rows are stamped as if imported the moment the window closes, so every run writes identical rows.
    now = plan.window.end
    progress("products", 0, len(CATALOGUE))
    with unit_of_work() as session:
        upsert_products(session, store_id=store_id, products=[i.product_input() for i in CATALOGUE], now=now)
    progress("products", len(CATALOGUE), len(CATALOGUE))
    customer_ids = _load_customers(
        unit_of_work, store_id=store_id, plan=plan, progress=progress, size=chunk_size
    )
    _load_ties(
        unit_of_work,
        store_id=store_id,
        ties=plan.ties,
        customer_ids=customer_ids,
        progress=progress,
        size=chunk_size,
    )
    _load_orders(unit_of_work, store_id=store_id, plan=plan, progress=progress, size=chunk_size)


def _load_orders(
    unit_of_work: UnitOfWork, *, store_id: str, plan: DemoPlan, progress: Progress, size: int
) -> None:
    total = len(plan.orders)
    progress("orders", 0, total)
    for start in range(0, total, size):
        stop = min(start + size, total)
        with unit_of_work() as session:
            upsert_orders(
                session,
                store_id=store_id,
                orders=order_inputs(plan.orders, start, stop),
                source=SOURCE,
                now=plan.window.end,
            )
            _refresh_statistics(session, start // size, Order.__tablename__, OrderLine.__tablename__)
        progress("orders", stop, total)


def _load_customers(
    unit_of_work: UnitOfWork, *, store_id: str, plan: DemoPlan, progress: Progress, size: int
) -> Ints:
    """Upsert the customers; returns their database ids, indexed like the population."""
    total = len(plan.population)
    ids = np.zeros(total, dtype=np.int64)
    progress("customers", 0, total)
    for start in range(0, total, size):
        stop = min(start + size, total)
        with unit_of_work() as session:
            outcomes = upsert_customers(
                session,
                store_id=store_id,
                customers=customer_inputs(plan.population, start, stop),
                source=SOURCE,
                now=plan.window.end,
            )
            _refresh_statistics(session, start // size, Customer.__tablename__)
        ids[start:stop] = [outcome.id for outcome in outcomes]
        progress("customers", stop, total)
    return ids


def _load_ties(
    unit_of_work: UnitOfWork, *, store_id: str, ties: Ties, customer_ids: Ints, progress: Progress, size: int
) -> None:
    """Insert ties in bulk; one already recorded is skipped by the unique key, not by a lookup.

    `record_ties` checks and reads back each tie, one query apiece, which is right for an API call and far too
    slow for millions of demo ties; the database's ON CONFLICT gives the same idempotency here.
    """
    table: Table = CustomerTie.__table__  # type: ignore[assignment]
    total = len(ties)
    progress("ties", 0, total)
    for start in range(0, total, size):
        stop = min(start + size, total)
        rows = [
            {
                "store_id": store_id,
                "from_customer_id": from_id,
                "to_customer_id": to_id,
                "source": SOURCES[source],
                "created_at": datetime.fromtimestamp(created_at, UTC),
            }
            for from_id, to_id, source, created_at in zip(
                customer_ids[ties.from_index[start:stop]].tolist(),
                customer_ids[ties.to_index[start:stop]].tolist(),
                ties.source[start:stop].tolist(),
                ties.created_at[start:stop].tolist(),
                strict=True,
            )
        ]
        with unit_of_work() as session:
            session.execute(insert_for(session, table).on_conflict_do_nothing(), rows)
            _refresh_statistics(session, start // size, table.name)
        progress("ties", stop, total)


def _refresh_statistics(session: Session, chunk: int, *tables: str) -> None:
    """Tell PostgreSQL's planner how big the tables being filled have grown, after chunks 0, 1, 3, 7, 15, ….

    A table that was empty when last analysed looks tiny to the planner, which then filters each batch's
    `external_id IN (…)` row by row over the whole store instead of looking the keys up in the unique index,
    and the load turns quadratic. Autovacuum would catch up eventually; a bulk load cannot wait for it. Doubling
    the interval keeps it to a few dozen ANALYZE runs even for a million customers. SQLite needs none of this.
    """
    if session.get_bind().dialect.name != "postgresql" or (chunk + 1) & chunk:
        return
    for table in tables:
        session.execute(text(f"ANALYZE {table}"))
