"""A member's profile (birthday, time zone) and the member page: tier, benefits, progress and coupons."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from goodword.clock import utc_now
from goodword.db.bulk import insert_for
from goodword.errors import FieldIssue, InvalidInput
from goodword.rewards.coupons import CouponState, customer_coupons
from goodword.rewards.members import list_tiers, spend_by_customer
from goodword.rewards.models import Member, MemberTier, MemberTierChange
from goodword.stores.models import Customer, Store

_members = cast(Table, Member.__table__)


@dataclass(frozen=True)
class TierStep:
    tier: str | None
    changed_at: datetime


@dataclass(frozen=True)
class MemberView:
    customer: Customer
    tier: MemberTier | None
    next_tier: MemberTier | None
    currency: str
    spend_minor: int
    successful_referrals: int
    # What is missing to reach the next tier by each of its thresholds (None where it has none).
    spend_to_next_minor: int | None
    referrals_to_next: int | None
    birthday: date | None
    time_zone: str | None
    coupons: list[CouponState]
    history: list[TierStep]


def set_profile(
    session: Session,
    *,
    store_id: str,
    customer: Customer,
    birthday: date | None,
    time_zone: str | None,
    now: datetime | None = None,
) -> Member:
    """Record the member's birthday and time zone (used for birthday coupons); None clears them.

    Raises:
        InvalidInput: the time zone is not an IANA name, or the birthday is in the future.
    """
    now = now or utc_now()
    if time_zone is not None:
        try:
            ZoneInfo(time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInput(
                f"unknown time zone {time_zone!r}",
                [FieldIssue("time_zone", "an IANA name such as 'Asia/Shanghai'")],
            ) from None
    if birthday is not None and birthday > now.date():
        raise InvalidInput(
            f"birthday {birthday.isoformat()} is in the future",
            [FieldIssue("birthday", "a date in the past")],
        )
    member = _member(session, store_id=store_id, customer_id=customer.id, now=now)
    member.birth_year = birthday.year if birthday else None
    member.birth_month = birthday.month if birthday else None
    member.birth_day = birthday.day if birthday else None
    member.time_zone = time_zone
    member.updated_at = now
    session.flush()
    return member


def _member(session: Session, *, store_id: str, customer_id: int, now: datetime) -> Member:
    session.execute(
        insert_for(session, _members)
        .values(store_id=store_id, customer_id=customer_id, spend_minor=0, successful_referrals=0, created_at=now,
                updated_at=now)
        .on_conflict_do_nothing()
    )  # fmt: skip
    return session.scalars(
        select(Member)
        .where(Member.store_id == store_id, Member.customer_id == customer_id)
        .execution_options(populate_existing=True)
    ).one()


def member_view(session: Session, *, store_id: str, customer: Customer) -> MemberView:
    """The member as the member page shows them; a customer who never joined is shown in no tier."""
    member = session.scalars(
        select(Member).where(Member.store_id == store_id, Member.customer_id == customer.id)
    ).one_or_none()
    ladder = list_tiers(session, store_id=store_id)
    tier = next((t for t in ladder if member is not None and t.id == member.tier_id), None)
    above = [t for t in ladder if tier is None or t.position > tier.position]
    next_tier = above[0] if above else None
    spend = spend_by_customer(session, store_id=store_id, customer_ids=[customer.id]).get(customer.id, 0)
    referrals = member.successful_referrals if member is not None else 0
    currency = session.scalar(select(Store.default_currency).where(Store.id == store_id)) or "USD"
    history = session.execute(
        select(MemberTier.name, MemberTierChange.changed_at)
        .outerjoin(MemberTier, MemberTier.id == MemberTierChange.to_tier_id)
        .where(MemberTierChange.store_id == store_id, MemberTierChange.customer_id == customer.id)
        .order_by(MemberTierChange.id)
    ).all()
    has_birthday = member is not None and member.birth_month is not None and member.birth_day is not None
    return MemberView(
        customer=customer,
        tier=tier,
        next_tier=next_tier,
        currency=currency,
        spend_minor=spend,
        successful_referrals=referrals,
        spend_to_next_minor=_missing(next_tier.min_spend_minor, spend) if next_tier else None,
        referrals_to_next=_missing(next_tier.min_referrals, referrals) if next_tier else None,
        birthday=date(member.birth_year or 2000, member.birth_month, member.birth_day)  # type: ignore[arg-type]
        if member is not None and has_birthday
        else None,
        time_zone=member.time_zone if member is not None else None,
        coupons=customer_coupons(session, store_id=store_id, customer_id=customer.id),
        history=[TierStep(name, changed_at) for name, changed_at in history],
    )


def _missing(threshold: int | None, reached: int) -> int | None:
    return None if threshold is None else max(threshold - reached, 0)
