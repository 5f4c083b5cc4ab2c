"""Attribution of registrations and orders to referrals (to be built)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from goodword.stores.inputs import CustomerIn, OrderIn
from goodword.stores.upserts import UpsertOutcome


def react_to_customers(
    session: Session,
    *,
    store_id: str,
    customers: Sequence[CustomerIn],
    outcomes: Sequence[UpsertOutcome],
    now: datetime,
) -> None:
    """Attribute new registrations that carry a referral token or code, or match an invitation."""


def react_to_orders(
    session: Session,
    *,
    store_id: str,
    orders: Sequence[OrderIn],
    outcomes: Sequence[UpsertOutcome],
    now: datetime,
) -> None:
    """Attribute orders, and issue, hold or claw back the rewards that follow from their status."""
