"""`build_demo_store`: find or create the demo store for a seed, load it if it is not complete, issue keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from goodword.demo.calendar import DEFAULT_LAST_DAY
from goodword.demo.catalogue import CATALOGUE, CURRENCY, SHOP_URL
from goodword.demo.loading import Progress, UnitOfWork, load_plan
from goodword.demo.plan import DEFAULT_CUSTOMERS, MAX_CUSTOMERS, DemoPlan, plan_demo
from goodword.demo.referrals import load_demo_referrals
from goodword.demo.reviews import load_demo_reviews
from goodword.errors import InvalidInput
from goodword.stores.api_keys import issue_api_key
from goodword.stores.models import ApiKeyScope, Customer, CustomerTie, Order, Product, Store
from goodword.stores.stores import create_store, get_store

CHUNK_SIZE = 1_000


@dataclass(frozen=True)
class DemoSummary:
    store_id: str
    store_name: str
    webhook_secret: str
    write_key: str  # shown once: a fresh pair of keys is issued on every run
    read_key: str
    customers: int
    products: int
    orders: int
    ties: int
    reused: bool  # the store was already complete and nothing was written but the keys


def demo_store_name(*, seed: int, customers: int, last_day: date = DEFAULT_LAST_DAY) -> str:
    """The name that finds a demo store again: one store per seed, size and end date."""
    extras = [f"seed {seed}", f"{customers:,} customers"]
    if last_day != DEFAULT_LAST_DAY:
        extras.append(f"to {last_day.isoformat()}")
    return f"Goodword Demo Tea House ({', '.join(extras)})"


def build_demo_store(
    unit_of_work: UnitOfWork,
    *,
    seed: int,
    customers: int = DEFAULT_CUSTOMERS,
    last_day: date = DEFAULT_LAST_DAY,
    progress: Progress | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> DemoSummary:
    """Build the demo store for `seed`, or reuse it when an earlier run built it, and issue it API keys.

    Raises:
        InvalidInput: `customers` is not between 1 and 1,000,000.
    """
    if not 1 <= customers <= MAX_CUSTOMERS:
        raise InvalidInput(f"customers must be between 1 and {MAX_CUSTOMERS:,}, not {customers}")
    plan = plan_demo(seed=seed, customers=customers, last_day=last_day)
    name = demo_store_name(seed=seed, customers=customers, last_day=last_day)
    with unit_of_work() as session:
        store = _find_store(session, name=name) or create_store(
            session, name=name, default_currency=CURRENCY, shop_url=SHOP_URL
        )
        store_id = store.id
        complete = _is_complete(session, store_id=store_id, plan=plan)
    if not complete:
        load_plan(
            unit_of_work, store_id=store_id, plan=plan, progress=progress or _quiet, chunk_size=chunk_size
        )
    with unit_of_work() as session:  # its own step: a store built before reviews existed gets them too
        load_demo_reviews(session, store_id=store_id, seed=seed, now=plan.window.end)
    with unit_of_work() as session:  # likewise: a store built before the referral program existed gets it
        load_demo_referrals(session, store_id=store_id, seed=seed, now=plan.window.end)
    with unit_of_work() as session:
        store = get_store(session, store_id=store_id)
        write = issue_api_key(session, store_id=store_id, name="goodword demo", scope=ApiKeyScope.WRITE)
        read = issue_api_key(session, store_id=store_id, name="goodword demo", scope=ApiKeyScope.READ)
        return DemoSummary(
            store_id=store_id,
            store_name=name,
            webhook_secret=store.webhook_secret,
            write_key=write.token,
            read_key=read.token,
            customers=len(plan.population),
            products=len(CATALOGUE),
            orders=len(plan.orders),
            ties=len(plan.ties),
            reused=complete,
        )


def _find_store(session: Session, *, name: str) -> Store | None:
    # The oldest of that name: if two runs raced to create it, both settle on the same one afterwards.
    return session.scalars(
        select(Store).where(Store.name == name).order_by(Store.created_at, Store.id)
    ).first()


def _is_complete(session: Session, *, store_id: str, plan: DemoPlan) -> bool:
    expected = {
        Product.store_id: len(CATALOGUE),
        Customer.store_id: len(plan.population),
        CustomerTie.store_id: len(plan.ties),
        Order.store_id: len(plan.orders),
    }
    return all(
        session.scalar(select(func.count(column)).where(column == store_id)) == count
        for column, count in expected.items()
    )


def _quiet(_step: str, _done: int, _total: int) -> None:
    pass
