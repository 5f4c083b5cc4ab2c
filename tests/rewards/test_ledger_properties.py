"""Whatever happens, the ledger balances: every posting in a store sums to zero, per unit and overall."""

from contextlib import suppress
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from goodword.errors import Conflict
from goodword.rewards.ledger import (
    Cause,
    RewardKind,
    adjust_balance,
    balances,
    issue_reward,
    release_due_rewards,
    reverse_reward,
    spend_balance,
)
from goodword.rewards.models import RewardAccount, RewardPosting
from tests.factories.rewards import NOW, make_customer
from tests.factories.stores import make_store

operation = st.one_of(
    st.tuples(st.just("issue"), st.integers(0, 5), st.integers(1, 5_000), st.booleans()),
    st.tuples(st.just("reverse"), st.integers(0, 5)),
    st.tuples(st.just("release"), st.integers(0, 40)),
    st.tuples(st.just("spend"), st.integers(1, 5_000)),
    st.tuples(st.just("adjust"), st.integers(-3_000, 3_000).filter(bool)),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(operation, max_size=12))
def test_any_sequence_of_operations_leaves_every_unit_summing_to_zero(
    session: Session, operations: list[tuple[object, ...]]
) -> None:
    # given a fresh store inside a savepoint, undone after each example
    with session.begin_nested() as savepoint:
        store_id = make_store(session).store_id
        ann = make_customer(session, store_id=store_id)
        for step, op in enumerate(operations):
            _apply(session, store_id, ann, step, op)
        # then
        sums = session.execute(
            select(RewardAccount.unit, func.sum(RewardPosting.amount))
            .join(RewardAccount, RewardAccount.id == RewardPosting.account_id)
            .where(RewardPosting.store_id == store_id)
            .group_by(RewardAccount.unit)
        ).all()
        assert all(total == 0 for _, total in sums), sums
        for balance in balances(session, store_id=store_id, customer_id=ann):
            assert min(balance.available, balance.pending) >= 0, balance
        savepoint.rollback()


def _apply(session: Session, store_id: str, ann: int, step: int, op: tuple[object, ...]) -> None:
    credit = {"kind": RewardKind.CREDIT, "currency": "USD"}
    match op:
        case ("issue", int(n), int(amount), bool(held)):
            issue_reward(session, store_id=store_id, customer_id=ann, amount=amount, cause=Cause("r", str(n)),
                         memo="r", hold_until=NOW + timedelta(days=14) if held else None, now=NOW, **credit)  # type: ignore[arg-type]  # fmt: skip
        case ("reverse", int(n)):
            reverse_reward(session, store_id=store_id, cause=Cause("r", str(n)), reason=Cause("refund", str(step)),
                           memo="refund", now=NOW)  # fmt: skip
        case ("release", int(days)):
            release_due_rewards(session, now=NOW + timedelta(days=days))
        case ("spend", int(amount)):
            with suppress(Conflict):
                spend_balance(session, store_id=store_id, customer_id=ann, amount=amount, cause=Cause("o", str(step)),
                              memo="order", now=NOW, **credit)  # type: ignore[arg-type]  # fmt: skip
        case ("adjust", int(amount)):
            with suppress(Conflict):
                adjust_balance(session, store_id=store_id, customer_id=ann, amount=amount, reason="staff",
                               cause=Cause("a", str(step)), now=NOW, **credit)  # type: ignore[arg-type]  # fmt: skip
