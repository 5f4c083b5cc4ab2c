"""The ledger: balanced transactions, idempotent causes, holds, releases and clawbacks."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from goodword.errors import Conflict, InvalidInput, NotFound
from goodword.messaging.endpoints import create_endpoint
from goodword.messaging.models import OutboxMessage
from goodword.rewards.ledger import (
    Balance,
    Cause,
    RewardKind,
    adjust_balance,
    balances,
    issue_reward,
    release_due_rewards,
    reverse_reward,
    spend_balance,
)
from goodword.rewards.models import RewardPosting, RewardTransaction, TransactionType
from tests.factories.rewards import NOW, make_customer
from tests.factories.stores import StoreAccess

REFERRAL = Cause("referral.converted", "42")
REFUND = Cause("order.refunded", "order-9")


def _credit(
    session: Session, store: StoreAccess, customer_id: int, amount: int = 1000, **kw: object
) -> object:
    options: dict[str, object] = {"cause": REFERRAL, "memo": "friend's first order", "now": NOW, **kw}
    return issue_reward(
        session, store_id=store.store_id, customer_id=customer_id, kind=RewardKind.CREDIT, amount=amount,
        currency="USD", **options,  # type: ignore[arg-type]
    )  # fmt: skip


def _usd(session: Session, store: StoreAccess, customer_id: int) -> tuple[int, int]:
    [balance] = balances(session, store_id=store.store_id, customer_id=customer_id)
    return balance.available, balance.pending


def _store_sum(session: Session, store: StoreAccess) -> int:
    return int(
        session.scalar(
            select(func.coalesce(func.sum(RewardPosting.amount), 0)).where(
                RewardPosting.store_id == store.store_id
            )
        )
        or 0
    )


def test_a_reward_without_a_hold_is_available_at_once_and_balanced(
    session: Session, store: StoreAccess
) -> None:
    # given
    ann = make_customer(session, store_id=store.store_id)
    # when
    transaction = _credit(session, store, ann)
    # then
    assert isinstance(transaction, RewardTransaction)
    assert transaction.type is TransactionType.REWARD
    assert balances(session, store_id=store.store_id, customer_id=ann) == [
        Balance(RewardKind.CREDIT, "USD", available=1000, pending=0)
    ]
    assert _store_sum(session, store) == 0


def test_the_same_cause_twice_makes_one_transaction(session: Session, store: StoreAccess) -> None:
    # given
    ann = make_customer(session, store_id=store.store_id)
    first = _credit(session, store, ann)
    # when
    again = _credit(session, store, ann, amount=5000)
    # then
    assert first is not None
    assert again is None
    assert _usd(session, store, ann) == (1000, 0)


def test_points_and_credit_are_separate_balances(session: Session, store: StoreAccess) -> None:
    # given
    ann = make_customer(session, store_id=store.store_id)
    _credit(session, store, ann)
    # when
    issue_reward(
        session, store_id=store.store_id, customer_id=ann, kind=RewardKind.POINTS, amount=250, currency=None,
        cause=Cause("review.published", "7"), memo="review", now=NOW,
    )  # fmt: skip
    # then
    assert balances(session, store_id=store.store_id, customer_id=ann) == [
        Balance(RewardKind.CREDIT, "USD", 1000, 0),
        Balance(RewardKind.POINTS, None, 250, 0),
    ]


@pytest.mark.parametrize(
    ("kind", "amount", "currency", "field"),
    [
        (RewardKind.CREDIT, 0, "USD", "amount"),
        (RewardKind.CREDIT, 100, None, "currency"),
        (RewardKind.CREDIT, 100, "XYZ", "currency"),
        (RewardKind.POINTS, 100, "USD", "currency"),
    ],
)
def test_a_reward_that_does_not_fit_its_kind_is_refused_naming_the_field(
    session: Session, store: StoreAccess, kind: RewardKind, amount: int, currency: str | None, field: str
) -> None:
    # given
    ann = make_customer(session, store_id=store.store_id)
    # when
    with pytest.raises(InvalidInput) as refused:
        issue_reward(
            session, store_id=store.store_id, customer_id=ann, kind=kind, amount=amount, currency=currency,
            cause=REFERRAL, memo="x", now=NOW,
        )  # fmt: skip
    # then
    assert [issue.field for issue in refused.value.issues] == [field]


def test_a_reward_for_another_stores_customer_is_not_found(
    session: Session, store: StoreAccess, other_store: StoreAccess
) -> None:
    # given
    theirs = make_customer(session, store_id=other_store.store_id)
    # when / then
    with pytest.raises(NotFound, match=str(theirs)):
        _credit(session, store, theirs)


def test_a_held_reward_is_pending_until_the_release_job_runs_after_the_hold(
    session: Session, store: StoreAccess
) -> None:
    # given
    ann = make_customer(session, store_id=store.store_id)
    _credit(session, store, ann, hold_until=NOW + timedelta(days=14))
    assert _usd(session, store, ann) == (0, 1000)
    # when the job runs before and after the hold ends
    early = release_due_rewards(session, now=NOW + timedelta(days=13))
    due = release_due_rewards(session, now=NOW + timedelta(days=14))
    again = release_due_rewards(session, now=NOW + timedelta(days=15))
    # then
    assert (early, due, again) == (0, 1, 0)
    assert _usd(session, store, ann) == (1000, 0)
    assert _store_sum(session, store) == 0


def test_refund_before_release_cancels_the_reward_and_it_is_never_released(
    session: Session, store: StoreAccess
) -> None:
    # given
    ann = make_customer(session, store_id=store.store_id)
    _credit(session, store, ann, hold_until=NOW + timedelta(days=14))
    # when
    reversal = reverse_reward(session, store_id=store.store_id, cause=REFERRAL, reason=REFUND, memo="refund",
                              now=NOW + timedelta(days=1))  # fmt: skip
    released = release_due_rewards(session, now=NOW + timedelta(days=30))
    # then
    assert reversal is not None
    assert reversal.type is TransactionType.REVERSAL
    assert released == 0
    assert _usd(session, store, ann) == (0, 0)
    assert _store_sum(session, store) == 0


def test_refund_after_release_claws_back_with_a_reversing_entry(session: Session, store: StoreAccess) -> None:
    # given
    ann = make_customer(session, store_id=store.store_id)
    reward = _credit(session, store, ann, hold_until=NOW + timedelta(days=14))
    release_due_rewards(session, now=NOW + timedelta(days=14))
    # when
    reversal = reverse_reward(session, store_id=store.store_id, cause=REFERRAL, reason=REFUND, memo="refund",
                              now=NOW + timedelta(days=20))  # fmt: skip
    # then
    assert isinstance(reward, RewardTransaction)
    assert reversal is not None
    assert (reversal.reverses_id, reversal.shortfall) == (reward.id, 0)
    assert _usd(session, store, ann) == (0, 0)
    # the reward itself is still there: nothing was deleted
    assert session.get(RewardTransaction, reward.id) is not None


def test_a_reversal_is_idempotent_and_a_second_reason_changes_nothing(
    session: Session, store: StoreAccess
) -> None:
    # given
    ann = make_customer(session, store_id=store.store_id)
    _credit(session, store, ann)
    reverse_reward(session, store_id=store.store_id, cause=REFERRAL, reason=REFUND, memo="refund", now=NOW)
    # when
    same = reverse_reward(session, store_id=store.store_id, cause=REFERRAL, reason=REFUND, memo="r", now=NOW)
    other = reverse_reward(session, store_id=store.store_id, cause=REFERRAL, reason=Cause("order.cancelled", "9"),
                           memo="cancel", now=NOW)  # fmt: skip
    nothing_paid = reverse_reward(session, store_id=store.store_id, cause=Cause("referral.converted", "404"),
                                  reason=REFUND, memo="x", now=NOW)  # fmt: skip
    # then
    assert (same, other, nothing_paid) == (None, None, None)
    assert _usd(session, store, ann) == (0, 0)


def test_clawing_back_spent_credit_stops_at_zero_and_records_the_shortfall(
    session: Session, store: StoreAccess
) -> None:
    # given a released reward of 10.00, of which the customer spent 7.00
    ann = make_customer(session, store_id=store.store_id)
    _credit(session, store, ann)
    spend_balance(session, store_id=store.store_id, customer_id=ann, kind=RewardKind.CREDIT, amount=700,
                  currency="USD", cause=Cause("order.paid", "o-1"), memo="checkout", now=NOW)  # fmt: skip
    # when
    reversal = reverse_reward(session, store_id=store.store_id, cause=REFERRAL, reason=REFUND, memo="refund",
                              now=NOW)  # fmt: skip
    # then the balance is not negative: 3.00 was taken back and 7.00 is recorded as not recovered
    assert reversal is not None
    assert (reversal.amount, reversal.shortfall) == (1000, 700)
    assert _usd(session, store, ann) == (0, 0)
    assert _store_sum(session, store) == 0


def test_a_store_that_allows_negative_balances_claws_back_everything(
    session: Session, store: StoreAccess
) -> None:
    # given
    ann = make_customer(session, store_id=store.store_id)
    _credit(session, store, ann)
    spend_balance(session, store_id=store.store_id, customer_id=ann, kind=RewardKind.CREDIT, amount=700,
                  currency="USD", cause=Cause("order.paid", "o-1"), memo="checkout", now=NOW)  # fmt: skip
    # when
    reversal = reverse_reward(session, store_id=store.store_id, cause=REFERRAL, reason=REFUND, memo="refund",
                              allow_negative=True, now=NOW)  # fmt: skip
    # then
    assert reversal is not None
    assert reversal.shortfall == 0
    assert _usd(session, store, ann) == (-700, 0)


def test_spending_more_than_the_balance_is_a_conflict_that_quotes_the_balance(
    session: Session, store: StoreAccess
) -> None:
    # given
    ann = make_customer(session, store_id=store.store_id)
    _credit(session, store, ann, amount=500)
    # when / then
    with pytest.raises(Conflict, match="500 USD, less than 600"):
        spend_balance(session, store_id=store.store_id, customer_id=ann, kind=RewardKind.CREDIT, amount=600,
                      currency="USD", cause=Cause("order.paid", "o-1"), memo="checkout", now=NOW)  # fmt: skip


def test_a_staff_adjustment_needs_a_reason(session: Session, store: StoreAccess) -> None:
    # given
    ann = make_customer(session, store_id=store.store_id)
    # when
    with pytest.raises(InvalidInput) as refused:
        adjust_balance(session, store_id=store.store_id, customer_id=ann, kind=RewardKind.POINTS, amount=50,
                       currency=None, reason="  ", cause=Cause("staff.adjustment", "a-1"), now=NOW)  # fmt: skip
    # then
    assert [issue.field for issue in refused.value.issues] == ["reason"]


def test_staff_can_credit_and_debit_but_not_below_zero(session: Session, store: StoreAccess) -> None:
    # given
    ann = make_customer(session, store_id=store.store_id)
    adjust_balance(session, store_id=store.store_id, customer_id=ann, kind=RewardKind.CREDIT, amount=300,
                   currency="USD", reason="goodwill after a late parcel", cause=Cause("staff", "1"), now=NOW)  # fmt: skip
    # when
    debit = adjust_balance(session, store_id=store.store_id, customer_id=ann, kind=RewardKind.CREDIT,
                           amount=-100, currency="USD", reason="typo", cause=Cause("staff", "2"), now=NOW)  # fmt: skip
    # then
    assert debit is not None
    assert debit.memo == "typo"
    assert _usd(session, store, ann) == (200, 0)
    with pytest.raises(Conflict):
        adjust_balance(session, store_id=store.store_id, customer_id=ann, kind=RewardKind.CREDIT, amount=-201,
                       currency="USD", reason="too much", cause=Cause("staff", "3"), now=NOW)  # fmt: skip


def test_issue_release_and_reversal_publish_their_events(session: Session, store: StoreAccess) -> None:
    # given a store with a webhook endpoint that takes every event
    create_endpoint(session, store_id=store.store_id, url="https://hooks.example.com/in", event_types=["*"])
    ann = make_customer(session, store_id=store.store_id)
    # when
    reward = _credit(session, store, ann, hold_until=NOW + timedelta(days=1))
    release_due_rewards(session, now=NOW + timedelta(days=2))
    reverse_reward(session, store_id=store.store_id, cause=REFERRAL, reason=REFUND, memo="refund", now=NOW)
    # then
    kinds = session.scalars(
        select(OutboxMessage.kind).where(OutboxMessage.store_id == store.store_id).order_by(OutboxMessage.id)
    ).all()
    assert kinds == ["reward.issued", "reward.released", "reward.reversed"]
    assert isinstance(reward, RewardTransaction)
