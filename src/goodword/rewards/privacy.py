"""A customer's rewards, coupons and membership, for the rights of access and erasure.

Erasure keeps the ledger and coupons: they are money records, and they point only at the customer row that
erasure leaves behind with a pseudonym and no personal data. What the member club holds that is personal (the
birthday and time zone) is cleared.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from goodword.clock import utc_now
from goodword.rewards.accounts import balances, currency_of
from goodword.rewards.coupons import customer_coupons
from goodword.rewards.models import Member, MemberTier, MemberTierChange, RewardTransaction


def export_customer(session: Session, *, store_id: str, customer_id: int) -> dict[str, Any]:
    """The customer's balances, ledger entries, coupons and membership as JSON-ready data."""
    entries = session.scalars(
        select(RewardTransaction)
        .where(RewardTransaction.store_id == store_id, RewardTransaction.customer_id == customer_id)
        .order_by(RewardTransaction.id)
    )
    member = session.scalars(
        select(Member).where(Member.store_id == store_id, Member.customer_id == customer_id)
    ).one_or_none()
    history = session.execute(
        select(MemberTier.name, MemberTierChange.changed_at)
        .outerjoin(MemberTier, MemberTier.id == MemberTierChange.to_tier_id)
        .where(MemberTierChange.store_id == store_id, MemberTierChange.customer_id == customer_id)
        .order_by(MemberTierChange.id)
    ).all()
    return {
        "balances": [
            {"kind": b.kind.value, "currency": b.currency, "available": b.available, "pending": b.pending}
            for b in balances(session, store_id=store_id, customer_id=customer_id)
        ],
        "entries": [
            {
                "type": e.type.value,
                "cause_type": e.cause_type,
                "cause_key": e.cause_key,
                "kind": e.kind.value,
                "amount": e.amount,
                "currency": currency_of(e.unit),
                "memo": e.memo,
                "shortfall": e.shortfall,
                "hold_until": e.hold_until.isoformat() if e.hold_until else None,
                "created_at": e.created_at.isoformat(),
            }
            for e in entries
        ],
        "coupons": [
            {
                "code": s.coupon.code,
                "percent_off": s.coupon.percent_off,
                "amount_off_minor": s.coupon.amount_off_minor,
                "currency": s.coupon.currency,
                "status": s.status,
                "expires_at": s.coupon.expires_at.isoformat() if s.coupon.expires_at else None,
            }
            for s in customer_coupons(session, store_id=store_id, customer_id=customer_id)
        ],
        "membership": None
        if member is None
        else {
            "birth_date": _birth_date(member),
            "time_zone": member.time_zone,
            "spend_minor": member.spend_minor,
            "successful_referrals": member.successful_referrals,
            "tier_history": [{"tier": name, "changed_at": at.isoformat()} for name, at in history],
        },
    }


def erase_member(session: Session, *, store_id: str, customer_id: int, now: datetime | None = None) -> None:
    """Clear the member profile's personal data; ledger, coupons and tier history stay (see the module)."""
    session.execute(
        update(Member)
        .where(Member.store_id == store_id, Member.customer_id == customer_id)
        .values(
            birth_year=None, birth_month=None, birth_day=None, time_zone=None, updated_at=now or utc_now()
        )
        .execution_options(synchronize_session=False)
    )


def _birth_date(member: Member) -> str | None:
    if member.birth_month is None or member.birth_day is None:
        return None
    year = f"{member.birth_year:04d}" if member.birth_year else "--"
    return f"{year}-{member.birth_month:02d}-{member.birth_day:02d}"
