"""Factories for referral programs, referrers, friends and their orders, through the real services."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodword import intake
from goodword.referrals import programs
from goodword.referrals.clicks import ClickIn, new_click_token, record_clicks
from goodword.referrals.codes import ensure_code
from goodword.referrals.models import AttributionModel, Audience, Referral, ReferralProgram
from goodword.stores.inputs import CustomerIn, OrderIn, ReferralContext
from goodword.stores.models import Customer

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SECRET = "test-secret"
_sequence = itertools.count(1)


def make_program(
    session: Session,
    *,
    store_id: str,
    rules: dict[str, Any] | None = None,
    now: datetime = START,
    window_days: int = 30,
    model: AttributionModel = AttributionModel.LAST_TOUCH,
    hold_days: int = 14,
    audience: Audience = Audience.EVERYONE,
) -> ReferralProgram:
    rules = rules if rules is not None else {"registration": {"reward": {"form": "credit", "amount": 500}}}
    return programs.create_program(
        session, store_id=store_id, name="Give 5, get 5", currency="USD",
        rules=programs.RewardRules.model_validate(rules), starts_at=now - timedelta(days=1),
        attribution_window_days=window_days, attribution_model=model, hold_days=hold_days,
        audience=audience, now=now,
    )  # fmt: skip


def make_customer(
    session: Session,
    *,
    store_id: str,
    referral: ReferralContext | None = None,
    now: datetime = START,
    **fields: Any,
) -> Customer:
    n = next(_sequence)
    customer = CustomerIn.model_validate(
        {"external_id": f"ref-cust-{n}", "email": f"person{n}@example.com", "name": f"Person {n}",
         "locale": "en", **fields, "referral": referral.model_dump() if referral else None}
    )  # fmt: skip
    intake.upsert_customers(session, store_id=store_id, customers=[customer], source="test", now=now)
    return session.scalars(
        select(Customer).where(Customer.store_id == store_id, Customer.external_id == customer.external_id)
    ).one()


def click(session: Session, *, store_id: str, referrer: Customer, at: datetime = START, **extra: Any) -> str:
    """A recorded click on the referrer's link; returns the token it handed out."""
    code = ensure_code(session, store_id=store_id, customer_id=referrer.id, now=at)
    token = new_click_token()
    record_clicks(
        session,
        clicks=[ClickIn(store_id=store_id, code_id=code.id, referrer_customer_id=referrer.id, token=token,
                        clicked_at=at, **extra)],
        secret_key=SECRET,
    )  # fmt: skip
    return token


def refer(
    session: Session, *, store_id: str, referrer: Customer, now: datetime = START, **fields: Any
) -> Customer:
    """A friend who registers through the referrer's link."""
    token = click(session, store_id=store_id, referrer=referrer, at=now)
    return make_customer(session, store_id=store_id, referral=ReferralContext(token=token), now=now, **fields)


def referral_of(session: Session, *, store_id: str, friend: Customer) -> Referral:
    session.expire_all()
    return session.scalars(
        select(Referral).where(Referral.store_id == store_id, Referral.referred_customer_id == friend.id)
    ).one()


def order(
    session: Session,
    *,
    store_id: str,
    customer: Customer,
    status: str = "paid",
    total_minor: int = 5000,
    external_id: str | None = None,
    now: datetime = START,
    referral: ReferralContext | None = None,
) -> str:
    external_id = external_id or f"ref-order-{next(_sequence)}"
    payload: dict[str, Any] = {
        "external_id": external_id, "customer_external_id": customer.external_id, "status": status,
        "currency": "USD", "total_minor": total_minor, "placed_at": now.isoformat(),
        "paid_at": now.isoformat() if status != "pending" else None,
        "refunded_at": now.isoformat() if status == "refunded" else None,
        "cancelled_at": now.isoformat() if status == "cancelled" else None,
        "referral": referral.model_dump() if referral else None,
    }  # fmt: skip
    intake.upsert_orders(
        session, store_id=store_id, orders=[OrderIn.model_validate(payload)], source="test", now=now
    )
    return external_id
