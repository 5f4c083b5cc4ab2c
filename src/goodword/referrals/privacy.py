"""A customer's referral data, for the rights of access and erasure.

Erasure keeps what counts (referrals and their history, on which rewards rest) and removes what identifies: the
customer's code stops working, the addresses and names in invitations they sent or received go, their hashed
fraud signals go, and the words of fraud findings about their referrals (which may quote a phone number or an
external id) are replaced; the findings' codes stay, so a decision can still be explained.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from goodword.referrals.models import Invitation, Referral, ReferralCode
from goodword.referrals.ops_models import FraudFinding, ReferralSignal
from goodword.stores.models import Customer

ERASED_DETAIL = "(erased with a customer's personal data)"


def export_customer(session: Session, *, store_id: str, customer: Customer) -> dict[str, Any]:
    """The customer's referral code, the invitations they sent, and the referrals they are part of."""
    codes = session.scalars(
        select(ReferralCode).where(ReferralCode.store_id == store_id, ReferralCode.customer_id == customer.id)
    )
    invitations = session.scalars(
        select(Invitation)
        .where(Invitation.store_id == store_id, Invitation.referrer_customer_id == customer.id)
        .order_by(Invitation.id)
    )
    referrals = session.scalars(
        select(Referral)
        .where(
            Referral.store_id == store_id,
            or_(Referral.referrer_customer_id == customer.id, Referral.referred_customer_id == customer.id),
        )
        .order_by(Referral.id)
    )
    return {
        "referral_codes": [
            {"code": c.code, "created_at": _iso(c.created_at), "retired_at": _iso(c.retired_at)}
            for c in codes
        ],
        "invitations_sent": [
            {
                "channel": i.channel.value,
                "email": i.email,
                "phone": i.phone,
                "friend_name": i.friend_name,
                "sent_at": _iso(i.sent_at),
                "clicked_at": _iso(i.clicked_at),
                "registered_at": _iso(i.registered_at),
                "converted_at": _iso(i.converted_at),
            }
            for i in invitations
        ],
        "referrals": [
            {
                "id": r.id,
                "role": "referrer" if r.referrer_customer_id == customer.id else "referred",
                "status": r.status.value,
                "registered_at": _iso(r.registered_at),
                "converted_at": _iso(r.converted_at),
            }
            for r in referrals
        ],
    }


def erase_customer(session: Session, *, store_id: str, customer: Customer, now: datetime) -> None:
    """Retire the customer's code and remove what identifies them; call it before their email is erased."""
    session.execute(
        update(ReferralCode)
        .where(
            ReferralCode.store_id == store_id,
            ReferralCode.customer_id == customer.id,
            ReferralCode.retired_at.is_(None),
        )
        .values(retired_at=now)
    )
    addressed_to_them = [Invitation.referrer_customer_id == customer.id]
    if customer.email is not None:
        addressed_to_them.append(Invitation.email == customer.email)
    if customer.phone is not None:
        addressed_to_them.append(Invitation.phone == customer.phone)
    session.execute(
        update(Invitation)
        .where(Invitation.store_id == store_id, or_(*addressed_to_them))
        .values(email=None, phone=None, friend_name=None, note=None)
    )
    session.execute(
        delete(ReferralSignal).where(
            ReferralSignal.store_id == store_id, ReferralSignal.customer_id == customer.id
        )
    )
    theirs = select(Referral.id).where(
        Referral.store_id == store_id,
        or_(Referral.referrer_customer_id == customer.id, Referral.referred_customer_id == customer.id),
    )
    session.execute(
        update(FraudFinding)
        .where(FraudFinding.store_id == store_id, FraudFinding.referral_id.in_(theirs))
        .values(detail=ERASED_DETAIL)
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
