"""Store credit the demo's history earned, paid through the rewards ledger in bulk, holds released as they ended.

`issue_reward` and `release_due_rewards` take a handful of statements per reward: seconds for the demo's
thousands. These are their rows exactly (causes, memos, accounts, balanced postings), written a table at a
time, so a demo customer's balance is the sum of their postings like anyone's, and the release job later finds
nothing of the demo's left to release. No event is published: a new demo store has no webhook endpoints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from goodword.db.bulk import insert_many
from goodword.rewards.accounts import account_ids, posting_row, unit_of
from goodword.rewards.ledger import Cause, RewardKind, transaction_row
from goodword.rewards.models import AccountPurpose, RewardPosting, RewardTransaction, TransactionType

_transactions = cast(Table, RewardTransaction.__table__)
_postings = cast(Table, RewardPosting.__table__)
RELEASE_CAUSE_TYPE = "reward.release"  # as `release_due_rewards` names its releases
CHUNK = 1_000

Account = tuple[AccountPurpose, int | None]


@dataclass(frozen=True, slots=True)
class Credit:
    """One reward of store credit, as `issue_reward` would have been called when it was earned."""

    customer_id: int
    amount: int
    cause: Cause
    memo: str
    earned_at: datetime
    hold_until: datetime | None = None


def pay_credit(
    session: Session, *, store_id: str, currency: str, credits: Sequence[Credit], release_by: datetime
) -> None:
    """Issue every credit at its moment, pending while held, and release each hold that ended by `release_by`."""
    credits = [credit for credit in credits if credit.amount > 0]
    if not credits:
        return
    unit = unit_of(RewardKind.CREDIT, currency)
    accounts = _accounts(session, store_id=store_id, unit=unit, credits=credits)
    issued = _insert(session, store_id=store_id, cause_type=credits[0].cause.type, rows=[
        transaction_row(store_id=store_id, type=TransactionType.REWARD, cause=credit.cause,
                        customer_id=credit.customer_id, kind=RewardKind.CREDIT, unit=unit, amount=credit.amount,
                        memo=credit.memo, now=credit.earned_at, hold_until=credit.hold_until)
        for credit in credits
    ])  # fmt: skip
    released = [
        (credit, issued[credit.cause.key])
        for credit in credits
        if credit.hold_until is not None and credit.hold_until <= release_by
    ]
    releases = _insert(session, store_id=store_id, cause_type=RELEASE_CAUSE_TYPE, rows=[
        transaction_row(store_id=store_id, type=TransactionType.RELEASE, cause=Cause(RELEASE_CAUSE_TYPE, str(reward_id)),
                        customer_id=credit.customer_id, kind=RewardKind.CREDIT, unit=unit, amount=credit.amount,
                        memo=f"hold ended on {credit.hold_until:%Y-%m-%d}", now=cast(datetime, credit.hold_until),
                        settles_id=reward_id)
        for credit, reward_id in released
    ])  # fmt: skip
    expense = accounts[(AccountPurpose.EXPENSE, None)]
    postings = []
    for credit in credits:
        purpose = AccountPurpose.PENDING if credit.hold_until is not None else AccountPurpose.AVAILABLE
        reward_id = issued[credit.cause.key]
        postings += [
            posting_row(store_id, reward_id, accounts[(purpose, credit.customer_id)], credit.amount),
            posting_row(store_id, reward_id, expense, -credit.amount),
        ]
    for credit, reward_id in released:
        release_id = releases[str(reward_id)]
        postings += [
            posting_row(store_id, release_id, accounts[(AccountPurpose.PENDING, credit.customer_id)], -credit.amount),
            posting_row(store_id, release_id, accounts[(AccountPurpose.AVAILABLE, credit.customer_id)], credit.amount),
        ]  # fmt: skip
    insert_many(session, _postings, postings)


def _accounts(session: Session, *, store_id: str, unit: str, credits: Sequence[Credit]) -> dict[Account, int]:
    wanted: set[Account] = {(AccountPurpose.EXPENSE, None)}
    wanted |= {(AccountPurpose.AVAILABLE, credit.customer_id) for credit in credits}
    wanted |= {(AccountPurpose.PENDING, credit.customer_id) for credit in credits if credit.hold_until}
    ordered = sorted(wanted, key=lambda account: (account[1] or 0, account[0]))
    found: dict[Account, int] = {}
    for start in range(0, len(ordered), CHUNK):
        found |= account_ids(
            session,
            store_id=store_id,
            kind=RewardKind.CREDIT,
            unit=unit,
            wanted=ordered[start : start + CHUNK],
        )
    return found


def _insert(
    session: Session, *, store_id: str, cause_type: str, rows: Sequence[dict[str, Any]]
) -> dict[str, int]:
    """Insert transactions of one cause type; returns the ids of all the store's of that type, by cause key."""
    insert_many(session, _transactions, rows)
    found: dict[str, int] = dict(
        session.execute(
            select(_transactions.c.cause_key, _transactions.c.id).where(
                _transactions.c.store_id == store_id, _transactions.c.cause_type == cause_type
            )
        ).all()
    )
    return found
