"""A referral's status: changed only together with an appended `ReferralStatusChange` (from, to, why, who)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodword.referrals.models import Referral, ReferralStatus, ReferralStatusChange

SYSTEM = "system"
FRAUD_GUARD = "fraud-guard"


def record_start(session: Session, *, referral: Referral, reason: str, now: datetime) -> None:
    """The first entry of a new referral's history: from nothing to its first status."""
    session.add(
        ReferralStatusChange(
            store_id=referral.store_id, referral_id=referral.id, from_status=None, to_status=referral.status,
            reason=reason[:500], actor=SYSTEM, changed_at=now,
        )
    )  # fmt: skip


def change_status(
    session: Session, *, referral: Referral, to: ReferralStatus, reason: str, actor: str, now: datetime
) -> None:
    """Move the referral to `to`, appending the change to its history; no change when it is there already."""
    if referral.status is to:
        return
    session.add(
        ReferralStatusChange(
            store_id=referral.store_id, referral_id=referral.id, from_status=referral.status, to_status=to,
            reason=reason[:500], actor=actor[:200], changed_at=now,
        )
    )  # fmt: skip
    referral.status = to
    referral.updated_at = now
    session.flush()


def status_history(session: Session, *, store_id: str, referral_id: int) -> list[ReferralStatusChange]:
    """A referral's changes of status, oldest first."""
    return list(
        session.scalars(
            select(ReferralStatusChange)
            .where(ReferralStatusChange.store_id == store_id, ReferralStatusChange.referral_id == referral_id)
            .order_by(ReferralStatusChange.id)
        )
    )
