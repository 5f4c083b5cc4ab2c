"""The fraud guard: reasons to hold a referral for review (to be built; the interface is fixed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from sqlalchemy.orm import Session

from goodword.stores.inputs import ReferralContext


@dataclass(frozen=True)
class FraudReason:
    """One rule that fired, with a stable code and a sentence staff can read."""

    code: str
    detail: str


def assess_referral(
    session: Session,
    *,
    store_id: str,
    referral_id: int,
    context: ReferralContext | None,
    now: datetime,
) -> list[FraudReason]:
    """Every reason to hold this new (flushed) referral for review; empty when none. Records what it saw and decided."""
    return []
