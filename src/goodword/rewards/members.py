"""The member club: tiers by spend or successful referrals (to be built)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from goodword.stores.inputs import OrderIn
from goodword.stores.upserts import UpsertOutcome


def react_to_orders(
    session: Session,
    *,
    store_id: str,
    orders: Sequence[OrderIn],
    outcomes: Sequence[UpsertOutcome],
    now: datetime,
) -> None:
    """Re-evaluate the tiers of the customers whose orders changed."""
