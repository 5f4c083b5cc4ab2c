"""Coupons for members: to everyone in a tier at once, and on their birthday once a year."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from goodword.clock import utc_now
from goodword.errors import FieldIssue, InvalidInput
from goodword.messaging.models import Channel, Purpose
from goodword.messaging.outbox import NewMessage, enqueue
from goodword.rewards.coupons import issue_coupon, issue_coupon_once
from goodword.rewards.ledger import Cause
from goodword.rewards.models import Coupon, Member, MemberTier
from goodword.stores.models import Customer

BIRTHDAY_COUPON_DAYS = 30


def issue_tier_coupons(
    session: Session,
    *,
    store_id: str,
    tier_name: str,
    percent_off: int | None,
    amount_off_minor: int | None,
    currency: str | None,
    cause: Cause,
    expires_at: datetime | None,
    min_order_minor: int | None = None,
    now: datetime | None = None,
) -> list[Coupon]:
    """One coupon for each member now in the tier; each member's is idempotent per (cause, member).

    Raises:
        InvalidInput: the store's ladder has no such tier, or the coupon terms are not usable.
    """
    now = now or utc_now()
    tier_id = session.scalar(
        select(MemberTier.id).where(
            MemberTier.store_id == store_id, MemberTier.name == tier_name, MemberTier.retired_at.is_(None)
        )
    )
    if tier_id is None:
        raise InvalidInput(
            f"no member tier {tier_name!r}", [FieldIssue("tier", "a tier of the store's ladder")]
        )
    customer_ids = session.scalars(
        select(Member.customer_id)
        .where(Member.store_id == store_id, Member.tier_id == tier_id)
        .order_by(Member.customer_id)
    ).all()
    return [
        issue_coupon(
            session, store_id=store_id, customer_id=customer_id, percent_off=percent_off,
            amount_off_minor=amount_off_minor, currency=currency, cause=Cause(cause.type, f"{cause.key}:{customer_id}"),
            expires_at=expires_at, min_order_minor=min_order_minor, now=now,
        )
        for customer_id in customer_ids
    ]  # fmt: skip


def issue_coupons_to(
    session: Session,
    *,
    store_id: str,
    customer_id: int | None,
    tier_name: str | None,
    percent_off: int | None,
    amount_off_minor: int | None,
    currency: str | None,
    cause: Cause,
    expires_at: datetime | None,
    min_order_minor: int | None = None,
    now: datetime | None = None,
) -> list[Coupon]:
    """One coupon to a customer, one to each member of a tier, or one for anyone (neither named).

    Raises:
        InvalidInput: both a customer and a tier, an unknown tier, or coupon terms that are not usable.
        NotFound: the store has no such customer.
    """
    if customer_id is not None and tier_name is not None:
        raise InvalidInput(
            "name a customer or a tier, not both", [FieldIssue("tier", "leave empty with a customer")]
        )
    if tier_name is not None:
        return issue_tier_coupons(
            session, store_id=store_id, tier_name=tier_name, percent_off=percent_off,
            amount_off_minor=amount_off_minor, currency=currency, cause=cause, expires_at=expires_at,
            min_order_minor=min_order_minor, now=now,
        )  # fmt: skip
    coupon = issue_coupon(
        session, store_id=store_id, customer_id=customer_id, percent_off=percent_off,
        amount_off_minor=amount_off_minor, currency=currency, cause=cause, expires_at=expires_at,
        min_order_minor=min_order_minor, now=now,
    )  # fmt: skip
    return [coupon]


def issue_birthday_coupons(session: Session, *, now: datetime) -> int:
    """Give each member whose birthday it is today, in their own time zone, their tier's birthday coupon.

    Job-shaped: all stores, safe to run as often as wanted (one coupon per member per year, by its cause).
    A member's time zone is their profile's, else the customer's, else UTC; a 29 February birthday is kept
    on 28 February in other years. Returns how many coupons were issued now.
    """
    # Somewhere on Earth it is yesterday or tomorrow (UTC-12 to UTC+14): three days hold every candidate.
    days = [(now + timedelta(days=offset)).date() for offset in (-1, 0, 1)]
    pairs = {(d.month, d.day) for d in days} | {(2, 29) for d in days if (d.month, d.day) == (2, 28)}
    rows = session.execute(
        select(Member, MemberTier.birthday_percent_off, Customer)
        .join(MemberTier, MemberTier.id == Member.tier_id)
        .join(Customer, Customer.id == Member.customer_id)
        .where(
            tuple_(Member.birth_month, Member.birth_day).in_(sorted(pairs)),
            MemberTier.birthday_percent_off.is_not(None),
            MemberTier.retired_at.is_(None),
            Customer.erased_at.is_(None),
        )
        .order_by(Member.id)
    ).all()
    issued = 0
    for member, percent_off, customer in rows:
        today = _local_date(now, member.time_zone or customer.time_zone)
        if not _is_birthday(today, member.birth_month, member.birth_day):
            continue
        coupon, created = issue_coupon_once(
            session, store_id=member.store_id, customer_id=member.customer_id, percent_off=percent_off,
            amount_off_minor=None, currency=None, cause=Cause("member.birthday", f"{member.customer_id}:{today.year}"),
            expires_at=now + timedelta(days=BIRTHDAY_COUPON_DAYS), now=now,
        )  # fmt: skip
        if created:
            issued += 1
            _greet(session, customer, coupon, now=now)
    return issued


def _local_date(now: datetime, time_zone: str | None) -> date:
    try:
        return now.astimezone(ZoneInfo(time_zone)).date() if time_zone else now.date()
    except (ZoneInfoNotFoundError, ValueError):
        return now.date()


def _is_birthday(today: date, month: int | None, day: int | None) -> bool:
    if (today.month, today.day) == (month, day):
        return True
    leap_day_in_common_year = (month, day) == (2, 29) and not calendar.isleap(today.year)
    return leap_day_in_common_year and (today.month, today.day) == (2, 28)


def _greet(session: Session, customer: Customer, coupon: Coupon, *, now: datetime) -> None:
    if not customer.email or customer.email_undeliverable_at:
        return
    enqueue(
        session,
        store_id=customer.store_id,
        message=NewMessage(
            channel=Channel.EMAIL,
            # A coupon is an offer: it needs the customer's consent, which delivery checks.
            purpose=Purpose.MARKETING,
            kind="member_birthday",
            recipient=customer.email,
            payload={
                "name": customer.name or "",
                "code": coupon.code,
                "percent_off": coupon.percent_off,
                "expires_on": coupon.expires_at.date().isoformat() if coupon.expires_at else None,
            },
            reason="a member's birthday coupon",
            customer_id=customer.id,
            locale=customer.locale,
            send_at=now,
            dedupe_key=f"member_birthday:{coupon.id}",
        ),
    )
