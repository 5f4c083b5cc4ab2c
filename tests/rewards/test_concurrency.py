"""Real races on a committing database: each thread is its own unit of work, as in production."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from goodword.db.session import Database
from goodword.errors import Gone
from goodword.rewards.coupons import issue_coupon, redeem_coupon
from goodword.rewards.ledger import Cause, RewardKind, balances, issue_reward
from goodword.rewards.models import RewardTransaction
from tests.factories.rewards import NOW, make_customer
from tests.factories.stores import make_store

RACERS = 50
T = TypeVar("T")


def _race(database: Database, work: Callable[[Session], T], racers: int = RACERS) -> list[T | Exception]:
    """Run `work` from `racers` threads released together, each in a unit of work of its own."""
    start = threading.Barrier(racers)

    def one(_: int) -> T | Exception:
        start.wait(timeout=30)
        try:
            with database.unit_of_work() as session:
                return work(session)
        except Exception as error:  # noqa: BLE001 - the test counts the failures
            return error

    with ThreadPoolExecutor(max_workers=racers) as pool:
        return list(pool.map(one, range(racers), timeout=120))


def test_fifty_concurrent_rewards_for_one_cause_make_exactly_one_transaction(
    committing_database: Database,
) -> None:
    # given
    with committing_database.unit_of_work() as session:
        store_id = make_store(session, name="Racing Teas").store_id
        ann = make_customer(session, store_id=store_id)
    cause = Cause("referral.converted", "race-1")

    def pay(session: Session) -> int | None:
        paid = issue_reward(session, store_id=store_id, customer_id=ann, kind=RewardKind.CREDIT, amount=500,
                            currency="USD", cause=cause, memo="race", now=NOW)  # fmt: skip
        return None if paid is None else paid.id

    # when
    results = _race(committing_database, pay)
    # then
    assert [r for r in results if isinstance(r, Exception)] == []
    assert len([r for r in results if r is not None]) == 1
    with committing_database.unit_of_work(write=False) as session:
        count = session.scalar(select(func.count()).where(RewardTransaction.store_id == store_id))
        [balance] = balances(session, store_id=store_id, customer_id=ann)
    assert count == 1
    assert balance.available == 500


def test_concurrent_redemptions_of_one_coupon_let_exactly_one_in(committing_database: Database) -> None:
    # given
    with committing_database.unit_of_work() as session:
        store_id = make_store(session, name="Coupon Teas").store_id
        coupon = issue_coupon(session, store_id=store_id, customer_id=None, percent_off=10, amount_off_minor=None,
                              currency=None, cause=Cause("campaign", "spring"), expires_at=NOW + timedelta(days=9),
                              now=NOW)  # fmt: skip
        code = coupon.code
    orders = iter(range(RACERS))
    lock = threading.Lock()

    def redeem(session: Session) -> str:
        with lock:
            order = f"order-{next(orders)}"
        return redeem_coupon(
            session, store_id=store_id, code=code, order_external_id=order, now=NOW
        ).order_external_id

    # when
    results = _race(committing_database, redeem, racers=20)
    # then
    winners = [r for r in results if isinstance(r, str)]
    assert len(winners) == 1
    assert all(isinstance(r, Gone) for r in results if not isinstance(r, str)), results
