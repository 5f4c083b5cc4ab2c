"""Single-use coupons: percent or fixed off, an optional minimum order, expiry and owner.

A coupon is issued once per cause (the unique key returns the first one to a retry) and redeemed once: the
redemption table's unique key on the coupon lets exactly one of any number of concurrent redemptions in.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import ColumnElement, Table, select
from sqlalchemy.orm import Session

from goodword.clock import utc_now
from goodword.db.bulk import insert_for
from goodword.errors import FieldIssue, Forbidden, Gone, InvalidInput, NotFound
from goodword.money import is_currency
from goodword.rewards.ledger import Cause
from goodword.rewards.models import Coupon, CouponRedemption
from goodword.stores.models import Customer, Order

_coupons = cast(Table, Coupon.__table__)
_redemptions = cast(Table, CouponRedemption.__table__)
# No 0/O, 1/I/L: codes are read aloud and typed from receipts. 12 of 32 symbols is 60 random bits.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12


@dataclass(frozen=True)
class CouponState:
    coupon: Coupon
    redemption: CouponRedemption | None
    customer_external_id: str | None = None

    @property
    def status(self) -> str:
        return "redeemed" if self.redemption is not None else "available"


def new_code() -> str:
    """An unguessable code such as `K7QF-M2XD-9RTA`."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalize_code(code: str) -> str:
    return code.strip().upper()


def issue_coupon(
    session: Session,
    *,
    store_id: str,
    customer_id: int | None,
    percent_off: int | None,
    amount_off_minor: int | None,
    currency: str | None,
    cause: Cause,
    expires_at: datetime | None,
    min_order_minor: int | None = None,
    now: datetime | None = None,
) -> Coupon:
    """Issue a coupon, or return the one this cause already issued.

    Raises:
        InvalidInput: not exactly one of percent and amount off, a bad currency, or an expiry in the past.
        NotFound: the store has no such customer.
    """
    coupon, _ = issue_coupon_once(
        session, store_id=store_id, customer_id=customer_id, percent_off=percent_off,
        amount_off_minor=amount_off_minor, currency=currency, cause=cause, expires_at=expires_at,
        min_order_minor=min_order_minor, now=now,
    )  # fmt: skip
    return coupon


def issue_coupon_once(
    session: Session,
    *,
    store_id: str,
    customer_id: int | None,
    percent_off: int | None,
    amount_off_minor: int | None,
    currency: str | None,
    cause: Cause,
    expires_at: datetime | None,
    min_order_minor: int | None = None,
    now: datetime | None = None,
) -> tuple[Coupon, bool]:
    """As `issue_coupon`, and whether the coupon was created now (False: the cause had issued it before)."""
    now = now or utc_now()
    _check(percent_off, amount_off_minor, currency, min_order_minor, expires_at, now)
    if (
        customer_id is not None
        and session.scalar(
            select(Customer.id).where(Customer.store_id == store_id, Customer.id == customer_id)
        )
        is None
    ):
        raise NotFound(f"no customer {customer_id!r}")
    row = {
        "store_id": store_id, "cause_type": cause.type[:64], "cause_key": cause.key[:255],
        "customer_id": customer_id, "percent_off": percent_off, "amount_off_minor": amount_off_minor,
        "currency": currency, "min_order_minor": min_order_minor, "expires_at": expires_at, "created_at": now,
    }  # fmt: skip
    while True:
        inserted = session.execute(
            insert_for(session, _coupons)
            .values({**row, "code": new_code()})
            .on_conflict_do_nothing()
            .returning(_coupons.c.id)
        ).scalar_one_or_none()
        if inserted is not None:
            return session.get_one(Coupon, inserted), True
        existing = session.scalars(
            select(Coupon).where(
                Coupon.store_id == store_id, Coupon.cause_type == row["cause_type"],
                Coupon.cause_key == row["cause_key"],
            )
        ).one_or_none()  # fmt: skip
        if existing is not None:
            return existing, False
        # Otherwise the random code collided with another coupon's (about one in 2**60): draw again.


def _check(
    percent_off: int | None,
    amount_off_minor: int | None,
    currency: str | None,
    min_order_minor: int | None,
    expires_at: datetime | None,
    now: datetime,
) -> None:
    issues = []
    if (percent_off is None) == (amount_off_minor is None):
        issues.append(FieldIssue("percent_off", "give either percent_off or amount_off_minor, not both"))
    if percent_off is not None and not 1 <= percent_off <= 100:
        issues.append(FieldIssue("percent_off", f"between 1 and 100, got {percent_off}"))
    if amount_off_minor is not None and amount_off_minor <= 0:
        issues.append(FieldIssue("amount_off_minor", f"above 0, got {amount_off_minor}"))
    money_needed = amount_off_minor is not None or min_order_minor is not None
    if money_needed and (currency is None or not is_currency(currency)):
        issues.append(FieldIssue("currency", f"an ISO 4217 code such as 'USD', got {currency!r}"))
    if min_order_minor is not None and min_order_minor < 0:
        issues.append(FieldIssue("min_order_minor", f"0 or more, got {min_order_minor}"))
    if expires_at is not None and expires_at <= now:
        issues.append(FieldIssue("expires_at", f"in the future, got {expires_at.isoformat()}"))
    if issues:
        raise InvalidInput("the coupon is not usable", issues)


def get_coupon(session: Session, *, store_id: str, code: str) -> CouponState:
    """Raises:
    NotFound: the store has no coupon with this code.
    """
    found = _states(session, store_id=store_id, where=Coupon.code == normalize_code(code))
    if not found:
        raise NotFound(f"no coupon {code!r}")
    return found[0]


def coupon_states(session: Session, *, store_id: str, coupon_ids: Sequence[int]) -> list[CouponState]:
    """These coupons with their redemption and owner, in id order."""
    return _states(session, store_id=store_id, where=Coupon.id.in_(set(coupon_ids)))


def customer_coupons(session: Session, *, store_id: str, customer_id: int) -> list[CouponState]:
    return _states(session, store_id=store_id, where=Coupon.customer_id == customer_id)


def _states(session: Session, *, store_id: str, where: ColumnElement[bool]) -> list[CouponState]:
    rows = session.execute(
        select(Coupon, CouponRedemption, Customer.external_id)
        .outerjoin(
            CouponRedemption,
            (CouponRedemption.coupon_id == Coupon.id) & (CouponRedemption.store_id == Coupon.store_id),
        )
        .outerjoin(Customer, Customer.id == Coupon.customer_id)
        .where(Coupon.store_id == store_id, where)
        .order_by(Coupon.id)
    ).all()
    return [CouponState(coupon, redemption, owner) for coupon, redemption, owner in rows]


def redeem_coupon(
    session: Session,
    *,
    store_id: str,
    code: str,
    order_external_id: str,
    order_total_minor: int | None = None,
    currency: str | None = None,
    customer_external_id: str | None = None,
    now: datetime | None = None,
) -> CouponRedemption:
    """Use the coupon on an order. Retrying with the same order returns the first redemption.

    The buyer is `customer_external_id` when given, else the customer of the order if Goodword knows it.

    Raises:
        NotFound: the store has no coupon with this code.
        Gone: the coupon expired, or another order already used it.
        Forbidden: the coupon belongs to one customer and the buyer is known to be another.
        InvalidInput: the order is below the coupon's minimum or in another currency.
    """
    now = now or utc_now()
    state = get_coupon(session, store_id=store_id, code=code)
    coupon = state.coupon
    if state.redemption is not None:
        return _already_redeemed(state.redemption, code, order_external_id)
    if coupon.customer_id is not None:
        _check_buyer(session, coupon, code, order_external_id, customer_external_id)
    if coupon.expires_at is not None and coupon.expires_at <= now:
        raise Gone(f"coupon {code!r} expired at {coupon.expires_at.isoformat()}", code="coupon_expired")
    _check_order(coupon, code, order_total_minor, currency)
    inserted = session.execute(
        insert_for(session, _redemptions)
        .values(store_id=store_id, coupon_id=coupon.id, order_external_id=order_external_id, redeemed_at=now)
        .on_conflict_do_nothing()
        .returning(_redemptions.c.id)
    ).scalar_one_or_none()
    if inserted is not None:
        return session.get_one(CouponRedemption, inserted)
    # A concurrent redemption committed between our read and our insert.
    winner = session.scalars(
        select(CouponRedemption).where(
            CouponRedemption.store_id == store_id, CouponRedemption.coupon_id == coupon.id
        )
    ).one()
    return _already_redeemed(winner, code, order_external_id)


def _already_redeemed(redemption: CouponRedemption, code: str, order_external_id: str) -> CouponRedemption:
    if redemption.order_external_id == order_external_id:
        return redemption
    raise Gone(
        f"coupon {code!r} was already used on order {redemption.order_external_id!r}", code="coupon_used"
    )


def _check_buyer(
    session: Session, coupon: Coupon, code: str, order_external_id: str, customer_external_id: str | None
) -> None:
    """A personal coupon (a friend's welcome coupon, a birthday coupon) is for its owner only."""
    if customer_external_id is not None:
        buyer = session.scalars(
            select(Customer.id).where(
                Customer.store_id == coupon.store_id, Customer.external_id == customer_external_id
            )
        ).one_or_none()
    else:  # at checkout the order may not be in Goodword yet: then there is no one to compare
        buyer = session.scalars(
            select(Order.customer_id).where(
                Order.store_id == coupon.store_id, Order.external_id == order_external_id
            )
        ).one_or_none()
        if buyer is None:
            return
    if buyer != coupon.customer_id:
        raise Forbidden(f"coupon {code!r} belongs to another customer", code="coupon_not_yours")


def _check_order(coupon: Coupon, code: str, total: int | None, currency: str | None) -> None:
    needs_money = coupon.min_order_minor is not None or coupon.amount_off_minor is not None
    if not needs_money or (total is None and coupon.min_order_minor is None):
        return
    if currency is not None and coupon.currency is not None and currency != coupon.currency:
        raise InvalidInput(
            f"coupon {code!r} is in {coupon.currency}, the order in {currency!r}",
            [FieldIssue("currency", f"must be {coupon.currency}")],
        )
    if coupon.min_order_minor is not None and (total is None or total < coupon.min_order_minor):
        raise InvalidInput(
            f"coupon {code!r} needs an order of at least {coupon.min_order_minor}, got {total!r}",
            [FieldIssue("order_total_minor", f"at least {coupon.min_order_minor}")],
        )
