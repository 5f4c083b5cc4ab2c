"""The rewards ledger: issue, hold, release, reverse, adjust and spend, each one balanced transaction.

Every transaction's postings sum to zero; a customer's balance is the sum of the postings on their accounts.
Idempotency is the unique key (store, cause type, cause key) on transactions: a cause applied twice, even by
fifty racing callers, makes one transaction, because the database refuses the others.

Clawback policy: a reversal takes back what the reward paid. A reward still on hold is cancelled (it leaves
"pending" and is never released). A released one is debited from the customer's available balance; when the
customer has already spent part of it, the balance is taken down to zero and the rest is recorded as the
reversal's `shortfall` and posted to the store's "unrecovered" account, unless the caller passes
`allow_negative=True`, the store's explicit choice to let the balance go below zero. Staff debits and spending
follow the same rule: no balance goes negative unless the caller says the store allows it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, exists, select
from sqlalchemy.orm import Session, aliased

from goodword.clock import utc_now
from goodword.db.bulk import insert_for
from goodword.errors import Conflict, FieldIssue, InvalidInput, NotFound
from goodword.messaging.events import publish_event
from goodword.rewards.accounts import (
    Balance,
    account_ids,
    balances,
    currency_of,
    locked_sum,
    posting_row,
    unit_of,
)
from goodword.rewards.models import (
    AccountPurpose,
    RewardKind,
    RewardPosting,
    RewardTransaction,
    TransactionType,
)
from goodword.stores.models import Customer
from goodword.stores.pagination import Page, paginate

__all__ = [
    "Balance",
    "Cause",
    "RewardKind",
    "adjust_balance",
    "balances",
    "issue_reward",
    "list_entries",
    "release_due_rewards",
    "reverse_reward",
    "spend_balance",
    "transaction_row",
]

_transactions = cast(Table, RewardTransaction.__table__)
_postings = cast(Table, RewardPosting.__table__)
RELEASE_BATCH = 500
_CUSTOMER_PURPOSES = (AccountPurpose.AVAILABLE, AccountPurpose.PENDING)


@dataclass(frozen=True)
class Cause:
    """Why a transaction exists, e.g. `Cause("referral.registered", "42")`; unique per store."""

    type: str
    key: str


def issue_reward(
    session: Session,
    *,
    store_id: str,
    customer_id: int,
    kind: RewardKind,
    amount: int,
    currency: str | None,
    cause: Cause,
    memo: str,
    hold_until: datetime | None = None,
    now: datetime | None = None,
) -> RewardTransaction | None:
    """Pay a reward from the program's expense; pending while `hold_until` is in the future.

    Returns None when this cause was already applied (the unique key decides, so racing callers agree).

    Raises:
        InvalidInput: the amount is not positive, or the currency does not fit the kind.
        NotFound: the store has no such customer.
    """
    now = now or utc_now()
    unit = _checked(session, store_id=store_id, customer_id=customer_id, kind=kind, amount=amount,
                    currency=currency)  # fmt: skip
    held = hold_until is not None and hold_until > now
    target = AccountPurpose.PENDING if held else AccountPurpose.AVAILABLE
    transaction = _record(
        session,
        store_id=store_id,
        type=TransactionType.REWARD,
        cause=cause,
        customer_id=customer_id,
        kind=kind,
        unit=unit,
        amount=amount,
        memo=memo,
        now=now,
        hold_until=hold_until if held else None,
        postings=[((target, customer_id), amount), ((AccountPurpose.EXPENSE, None), -amount)],
    )
    if transaction is not None:
        _publish(session, "reward.issued", transaction, now=now)
    return transaction


def reverse_reward(
    session: Session,
    *,
    store_id: str,
    cause: Cause,
    reason: Cause,
    memo: str,
    allow_negative: bool = False,
    now: datetime | None = None,
) -> RewardTransaction | None:
    """Claw back what `cause` paid with a reversing transaction (see the module's clawback policy).

    Returns None when nothing is left to reverse: `cause` paid nothing, or it was reversed already (by this
    reason or another), so a retried refund changes nothing.
    """
    now = now or utc_now()
    # Lock order, everywhere in this module: the reward's transaction row first, then accounts by id.
    # Two refunds of one reward queue here instead of both reading "not reversed yet".
    reward = session.scalars(
        select(RewardTransaction)
        .where(
            RewardTransaction.store_id == store_id,
            RewardTransaction.cause_type == cause.type,
            RewardTransaction.cause_key == cause.key,
            RewardTransaction.type == TransactionType.REWARD,
        )
        .with_for_update()
    ).one_or_none()
    if reward is None or _reversal_of(session, reward) is not None:
        return None
    if reward.hold_until is not None and _release_of(session, reward) is None:
        # Cancel while pending. `settles_id` is unique, so if the release job gets in first this inserts
        # nothing and the reward is clawed back from the available balance instead.
        cancelled = _record(
            session,
            store_id=store_id,
            type=TransactionType.REVERSAL,
            cause=reason,
            customer_id=reward.customer_id,
            kind=reward.kind,
            unit=reward.unit,
            amount=reward.amount,
            memo=memo,
            now=now,
            settles_id=reward.id,
            reverses_id=reward.id,
            postings=[
                ((AccountPurpose.PENDING, reward.customer_id), -reward.amount),
                ((AccountPurpose.EXPENSE, None), reward.amount),
            ],
        )
        if cancelled is not None:
            _publish(session, "reward.reversed", cancelled, now=now, extra={"cancelled_while_pending": True})
            return cancelled
        if _reversal_of(session, reward) is not None:
            return None
    available = _locked_available(session, reward)
    clawed = reward.amount if allow_negative else min(reward.amount, max(available, 0))
    shortfall = reward.amount - clawed
    postings: list[tuple[tuple[AccountPurpose, int | None], int]] = [
        ((AccountPurpose.AVAILABLE, reward.customer_id), -clawed),
        ((AccountPurpose.EXPENSE, None), reward.amount),
        ((AccountPurpose.UNRECOVERED, None), -shortfall),
    ]
    reversal = _record(
        session,
        store_id=store_id,
        type=TransactionType.REVERSAL,
        cause=reason,
        customer_id=reward.customer_id,
        kind=reward.kind,
        unit=reward.unit,
        amount=reward.amount,
        memo=memo,
        now=now,
        reverses_id=reward.id,
        shortfall=shortfall,
        postings=postings,
    )
    if reversal is not None:
        _publish(session, "reward.reversed", reversal, now=now, extra={"cancelled_while_pending": False})
    return reversal


def release_due_rewards(session: Session, *, now: datetime, batch_size: int = RELEASE_BATCH) -> int:
    """Move every held reward whose hold has ended, in all stores, to its customer's available balance.

    Set-based and safe to run twice or in two workers at once: each release's `settles_id` is unique.
    Returns how many rewards this call released.
    """
    released_total = 0
    after_id = 0
    while True:
        # NOT EXISTS on (store_id, settles_id): the unique constraint's index answers it per candidate.
        settlement = aliased(RewardTransaction)
        settled = exists().where(
            settlement.store_id == RewardTransaction.store_id, settlement.settles_id == RewardTransaction.id
        )
        due = list(
            session.scalars(
                select(RewardTransaction)
                .where(
                    RewardTransaction.hold_until <= now,
                    RewardTransaction.type == TransactionType.REWARD,
                    RewardTransaction.id > after_id,
                    ~settled,
                )
                .order_by(RewardTransaction.id)
                .limit(batch_size)
            )
        )
        if not due:
            return released_total
        after_id = due[-1].id
        released_total += _release(session, due, now=now)


def _release(session: Session, due: Sequence[RewardTransaction], *, now: datetime) -> int:
    rows = [
        transaction_row(
            store_id=r.store_id, type=TransactionType.RELEASE, cause=Cause("reward.release", str(r.id)),
            customer_id=r.customer_id, kind=r.kind, unit=r.unit, amount=r.amount,
            memo=f"hold ended on {r.hold_until:%Y-%m-%d}", now=now, settles_id=r.id,
        )
        for r in due
    ]  # fmt: skip
    inserted = session.execute(
        insert_for(session, _transactions)
        .values(rows)
        .on_conflict_do_nothing()
        .returning(_transactions.c.id, _transactions.c.settles_id)
    ).all()
    by_id = {r.id: r for r in due}
    postings = []
    for release_id, reward_id in inserted:
        reward = by_id[reward_id]
        accounts = account_ids(
            session, store_id=reward.store_id, kind=reward.kind, unit=reward.unit,
            wanted=[(p, reward.customer_id) for p in _CUSTOMER_PURPOSES],
        )  # fmt: skip
        postings += [
            posting_row(reward.store_id, release_id, accounts[(AccountPurpose.PENDING, reward.customer_id)],
                     -reward.amount),
            posting_row(reward.store_id, release_id, accounts[(AccountPurpose.AVAILABLE, reward.customer_id)],
                     reward.amount),
        ]  # fmt: skip
    if postings:
        session.execute(insert_for(session, _postings), postings)
    for release_id, _ in inserted:
        release = session.get_one(RewardTransaction, release_id)
        _publish(session, "reward.released", release, now=now, extra={"reward_id": release.settles_id})
    return len(inserted)


def adjust_balance(
    session: Session,
    *,
    store_id: str,
    customer_id: int,
    kind: RewardKind,
    amount: int,
    currency: str | None,
    reason: str,
    cause: Cause,
    staff: str | None = None,
    allow_negative: bool = False,
    now: datetime | None = None,
) -> RewardTransaction | None:
    """A staff adjustment: a positive amount credits the customer, a negative one debits them.

    Returns None when this cause (e.g. the request's idempotency key) was applied already.

    Raises:
        InvalidInput: no reason, a zero amount, or a currency that does not fit the kind.
        Conflict: a debit larger than the available balance, unless `allow_negative`.
    """
    now = now or utc_now()
    if not reason.strip():
        raise InvalidInput("a staff adjustment needs a reason", [FieldIssue("reason", "say why")])
    unit = _checked(session, store_id=store_id, customer_id=customer_id, kind=kind, amount=abs(amount),
                    currency=currency)  # fmt: skip
    if amount < 0 and not allow_negative:
        _require_available(session, store_id=store_id, customer_id=customer_id, kind=kind, unit=unit,
                           amount=-amount)  # fmt: skip
    memo = reason.strip() if staff is None else f"{reason.strip()} (by {staff})"
    return _record(
        session,
        store_id=store_id,
        type=TransactionType.ADJUSTMENT,
        cause=cause,
        customer_id=customer_id,
        kind=kind,
        unit=unit,
        amount=abs(amount),
        memo=memo,
        now=now,
        postings=[
            ((AccountPurpose.AVAILABLE, customer_id), amount),
            ((AccountPurpose.ADJUSTMENT, None), -amount),
        ],
    )


def spend_balance(
    session: Session,
    *,
    store_id: str,
    customer_id: int,
    kind: RewardKind,
    amount: int,
    currency: str | None,
    cause: Cause,
    memo: str,
    now: datetime | None = None,
) -> RewardTransaction | None:
    """The customer spends from their available balance (an order paid with credit or points).

    Returns None when this cause was applied already.

    Raises:
        InvalidInput: the amount is not positive, or the currency does not fit the kind.
        Conflict: the available balance is smaller than the amount.
    """
    now = now or utc_now()
    unit = _checked(session, store_id=store_id, customer_id=customer_id, kind=kind, amount=amount,
                    currency=currency)  # fmt: skip
    _require_available(session, store_id=store_id, customer_id=customer_id, kind=kind, unit=unit,
                       amount=amount)  # fmt: skip
    return _record(
        session,
        store_id=store_id,
        type=TransactionType.SPEND,
        cause=cause,
        customer_id=customer_id,
        kind=kind,
        unit=unit,
        amount=amount,
        memo=memo,
        now=now,
        postings=[
            ((AccountPurpose.AVAILABLE, customer_id), -amount),
            ((AccountPurpose.REDEEMED, None), amount),
        ],
    )


def list_entries(
    session: Session, *, store_id: str, customer_id: int, cursor: str | None, limit: int
) -> Page[RewardTransaction]:
    """The customer's transactions, oldest first, a page at a time."""
    query = select(RewardTransaction).where(
        RewardTransaction.store_id == store_id, RewardTransaction.customer_id == customer_id
    )
    return paginate(session, query, RewardTransaction.id, cursor=cursor, limit=limit)


def _checked(
    session: Session, *, store_id: str, customer_id: int, kind: RewardKind, amount: int, currency: str | None
) -> str:
    if amount <= 0:
        raise InvalidInput(f"the amount must be positive, got {amount}", [FieldIssue("amount", "above 0")])
    unit = unit_of(kind, currency)
    found = session.scalar(
        select(Customer.id).where(Customer.store_id == store_id, Customer.id == customer_id)
    )
    if found is None:
        raise NotFound(f"no customer {customer_id!r}")
    return unit


def _require_available(
    session: Session, *, store_id: str, customer_id: int, kind: RewardKind, unit: str, amount: int
) -> None:
    accounts = account_ids(session, store_id=store_id, kind=kind, unit=unit,
                            wanted=[(AccountPurpose.AVAILABLE, customer_id)])  # fmt: skip
    available = locked_sum(session, accounts[(AccountPurpose.AVAILABLE, customer_id)])
    if available < amount:
        raise Conflict(f"the available balance is {available} {unit}, less than {amount} {unit}")


def _locked_available(session: Session, reward: RewardTransaction) -> int:
    accounts = account_ids(session, store_id=reward.store_id, kind=reward.kind, unit=reward.unit,
                            wanted=[(AccountPurpose.AVAILABLE, reward.customer_id)])  # fmt: skip
    return locked_sum(session, accounts[(AccountPurpose.AVAILABLE, reward.customer_id)])


def _reversal_of(session: Session, reward: RewardTransaction) -> int | None:
    return session.scalar(
        select(RewardTransaction.id).where(
            RewardTransaction.store_id == reward.store_id, RewardTransaction.reverses_id == reward.id
        )
    )


def _release_of(session: Session, reward: RewardTransaction) -> int | None:
    return session.scalar(
        select(RewardTransaction.id).where(
            RewardTransaction.store_id == reward.store_id,
            RewardTransaction.settles_id == reward.id,
            RewardTransaction.type == TransactionType.RELEASE,
        )
    )


def transaction_row(
    *,
    store_id: str,
    type: TransactionType,
    cause: Cause,
    customer_id: int | None,
    kind: RewardKind,
    unit: str,
    amount: int,
    memo: str,
    now: datetime,
    hold_until: datetime | None = None,
    settles_id: int | None = None,
    reverses_id: int | None = None,
    shortfall: int = 0,
) -> dict[str, Any]:
    """One ledger transaction as a row; bulk writers (the demo's history) use it so rows never drift apart."""
    return {
        "store_id": store_id, "type": type, "cause_type": cause.type[:64], "cause_key": cause.key[:255],
        "customer_id": customer_id, "kind": kind, "unit": unit, "amount": amount, "hold_until": hold_until,
        "settles_id": settles_id, "reverses_id": reverses_id, "shortfall": shortfall, "memo": memo[:500],
        "created_at": now,
    }  # fmt: skip


def _record(
    session: Session,
    *,
    postings: Sequence[tuple[tuple[AccountPurpose, int | None], int]],
    **fields: Any,
) -> RewardTransaction | None:
    """Insert a transaction and its postings; None when a unique key (the cause, a settlement) already holds."""
    lines = [(account, amount) for account, amount in postings if amount != 0]
    assert sum(amount for _, amount in lines) == 0, f"unbalanced postings {lines!r}"
    row = transaction_row(**fields)
    transaction_id = session.execute(
        insert_for(session, _transactions).values(row).on_conflict_do_nothing().returning(_transactions.c.id)
    ).scalar_one_or_none()
    if transaction_id is None:
        return None
    accounts = account_ids(session, store_id=row["store_id"], kind=row["kind"], unit=row["unit"],
                            wanted=[account for account, _ in lines])  # fmt: skip
    session.execute(
        insert_for(session, _postings),
        [
            posting_row(row["store_id"], transaction_id, accounts[account], amount)
            for account, amount in lines
        ],
    )
    return session.get_one(RewardTransaction, transaction_id)


def _publish(
    session: Session,
    event_type: str,
    transaction: RewardTransaction,
    *,
    now: datetime,
    extra: dict[str, Any] | None = None,
) -> None:
    customer = session.get(Customer, transaction.customer_id) if transaction.customer_id else None
    data = {
        "transaction_id": transaction.id,
        "customer_external_id": customer.external_id if customer is not None else None,
        "kind": transaction.kind.value,
        "amount": transaction.amount,
        "currency": currency_of(transaction.unit),
        "cause": {"type": transaction.cause_type, "key": transaction.cause_key},
        "hold_until": transaction.hold_until.isoformat() if transaction.hold_until else None,
        "reverses_id": transaction.reverses_id,
        "shortfall": transaction.shortfall,
        **(extra or {}),
    }
    publish_event(
        session,
        store_id=transaction.store_id,
        event_type=event_type,
        data=data,
        event_id=f"{event_type}:{transaction.id}",
        now=now,
    )
