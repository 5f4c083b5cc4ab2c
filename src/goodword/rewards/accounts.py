"""Ledger accounts: found or created by their natural key, their units, and balances summed from postings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from goodword.clock import utc_now
from goodword.db.bulk import insert_for
from goodword.errors import FieldIssue, InvalidInput
from goodword.money import is_currency
from goodword.rewards.models import POINTS_UNIT, AccountPurpose, RewardAccount, RewardKind, RewardPosting

_accounts = cast(Table, RewardAccount.__table__)


@dataclass(frozen=True)
class Balance:
    kind: RewardKind
    currency: str | None  # None for points
    available: int
    pending: int


def unit_of(kind: RewardKind, currency: str | None, *, field: str = "currency") -> str:
    """The account unit for a kind: the currency of credit, `PTS` for points.

    Raises:
        InvalidInput: credit without a known currency, or points with one.
    """
    if kind is RewardKind.POINTS:
        if currency is not None:
            raise InvalidInput(
                f"points have no currency, got {currency!r}", [FieldIssue(field, "leave empty for points")]
            )
        return POINTS_UNIT
    if currency is None or not is_currency(currency):
        raise InvalidInput(
            f"store credit needs an ISO 4217 currency, got {currency!r}",
            [FieldIssue(field, "an ISO 4217 code such as 'USD'")],
        )
    return currency


def currency_of(unit: str) -> str | None:
    return None if unit == POINTS_UNIT else unit


def balances(session: Session, *, store_id: str, customer_id: int) -> list[Balance]:
    """The customer's available and pending amounts per kind and currency, summed from the postings."""
    rows = session.execute(
        select(
            RewardAccount.kind,
            RewardAccount.unit,
            RewardAccount.purpose,
            func.coalesce(func.sum(RewardPosting.amount), 0),
        )
        .outerjoin(RewardPosting, RewardPosting.account_id == RewardAccount.id)
        .where(RewardAccount.store_id == store_id, RewardAccount.customer_id == customer_id)
        .group_by(RewardAccount.kind, RewardAccount.unit, RewardAccount.purpose)
    ).all()
    totals: dict[tuple[RewardKind, str], dict[AccountPurpose, int]] = {}
    for kind, unit, purpose, total in rows:
        totals.setdefault((kind, unit), {})[purpose] = int(total)
    return [
        Balance(
            kind, currency_of(unit), by.get(AccountPurpose.AVAILABLE, 0), by.get(AccountPurpose.PENDING, 0)
        )
        for (kind, unit), by in sorted(totals.items())
    ]


def locked_sum(session: Session, account_id: int) -> int:
    """The account's balance, its row locked first so that two debits cannot both spend the same amount."""
    session.execute(select(RewardAccount.id).where(RewardAccount.id == account_id).with_for_update())
    total = session.scalar(
        select(func.coalesce(func.sum(RewardPosting.amount), 0)).where(RewardPosting.account_id == account_id)
    )
    return int(total or 0)


def account_code(purpose: AccountPurpose, customer_id: int | None, kind: RewardKind, unit: str) -> str:
    owner = "store" if customer_id is None else f"customer:{customer_id}"
    return f"{owner}:{purpose.value}:{kind.value}:{unit}"


def account_ids(
    session: Session,
    *,
    store_id: str,
    kind: RewardKind,
    unit: str,
    wanted: Sequence[tuple[AccountPurpose, int | None]],
) -> dict[tuple[AccountPurpose, int | None], int]:
    """The ids of these accounts, created on first use (racing creators agree through the unique code)."""
    codes = {account_code(purpose, customer, kind, unit): (purpose, customer) for purpose, customer in wanted}
    rows = [
        {"store_id": store_id, "code": code, "customer_id": customer, "purpose": purpose, "kind": kind,
         "unit": unit, "created_at": utc_now()}
        for code, (purpose, customer) in codes.items()
    ]  # fmt: skip
    session.execute(insert_for(session, _accounts).values(rows).on_conflict_do_nothing())
    found = session.execute(
        select(RewardAccount.code, RewardAccount.id).where(
            RewardAccount.store_id == store_id, RewardAccount.code.in_(codes)
        )
    )
    return {codes[code]: account_id for code, account_id in found}


def posting_row(store_id: str, transaction_id: int, account_id: int, amount: int) -> dict[str, Any]:
    return {
        "store_id": store_id,
        "transaction_id": transaction_id,
        "account_id": account_id,
        "amount": amount,
    }
