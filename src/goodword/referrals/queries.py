"""Reading referrals: one with its history and rewards, and filtered pages of them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodword.errors import NotFound
from goodword.referrals.models import Referral, ReferralReward, ReferralStatus
from goodword.stores.customers import get_customer
from goodword.stores.pagination import Page, paginate


def get_referral(session: Session, *, store_id: str, referral_id: int) -> Referral:
    """Raises:
    NotFound: the store has no such referral.
    """
    referral = session.scalars(
        select(Referral).where(Referral.store_id == store_id, Referral.id == referral_id)
    ).one_or_none()
    if referral is None:
        raise NotFound(f"no referral {referral_id}")
    return referral


def list_referrals(
    session: Session,
    *,
    store_id: str,
    referrer_external_id: str | None,
    status: ReferralStatus | None,
    cursor: str | None,
    limit: int,
) -> Page[Referral]:
    """Raises:
    NotFound: `referrer_external_id` names no customer of the store.
    """
    query = select(Referral).where(Referral.store_id == store_id)
    if referrer_external_id is not None:
        referrer = get_customer(session, store_id=store_id, external_id=referrer_external_id)
        query = query.where(Referral.referrer_customer_id == referrer.id)
    if status is not None:
        query = query.where(Referral.status == status)
    return paginate(session, query, Referral.id, cursor=cursor, limit=limit)


def referral_rewards(session: Session, *, store_id: str, referral_id: int) -> list[ReferralReward]:
    return list(
        session.scalars(
            select(ReferralReward)
            .where(ReferralReward.store_id == store_id, ReferralReward.referral_id == referral_id)
            .order_by(ReferralReward.id)
        )
    )
