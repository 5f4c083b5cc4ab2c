"""Factories for the referral operations: customers, a program and referrals made without the core's attribution."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodword.referrals.fraud import FraudReason, assess_referral
from goodword.referrals.history import FRAUD_GUARD, change_status, record_start
from goodword.referrals.models import AttributedBy, Referral, ReferralProgram, ReferralStatus
from goodword.referrals.programs import RegistrationRule, Reward, RewardRules, create_program
from goodword.stores import customers
from goodword.stores.inputs import CustomerIn, ReferralContext
from goodword.stores.models import Customer

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
_sequence = itertools.count(1)


def make_customer(session: Session, *, store_id: str, **fields: Any) -> Customer:
    n = next(_sequence)
    values = {
        "external_id": f"ops-{n}",
        "email": f"friend{n}@example.com",
        "marketing_consent": True,
        "locale": "en",
        **fields,
    }
    customers.upsert_customers(
        session, store_id=store_id, customers=[CustomerIn.model_validate(values)], source="test", now=NOW
    )
    return session.scalars(
        select(Customer).where(Customer.store_id == store_id, Customer.external_id == values["external_id"])
    ).one()


def make_program(session: Session, *, store_id: str, credit_minor: int = 500) -> ReferralProgram:
    rules = RewardRules(registration=RegistrationRule(reward=Reward(form="credit", amount=credit_minor)))
    return create_program(
        session, store_id=store_id, name="Friends", currency="USD", rules=rules, now=NOW - timedelta(days=60)
    )


def make_referral(
    session: Session,
    *,
    program: ReferralProgram,
    referrer: Customer,
    friend: Customer,
    at: datetime = NOW,
    status: ReferralStatus = ReferralStatus.REGISTERED,
    variant_id: int | None = None,
) -> Referral:
    referral = Referral(
        store_id=program.store_id,
        program_id=program.id,
        referrer_customer_id=referrer.id,
        referred_customer_id=friend.id,
        status=status,
        attributed_by=AttributedBy.CODE,
        rules=program.rules,
        variant_id=variant_id,
        registered_at=at,
        created_at=at,
        updated_at=at,
    )
    session.add(referral)
    session.flush()
    record_start(session, referral=referral, reason="registered in a test", now=at)
    return referral


def refer_and_assess(
    session: Session,
    *,
    program: ReferralProgram,
    referrer: Customer,
    friend: Customer | None = None,
    context: dict[str, Any] | None = None,
    at: datetime = NOW,
) -> tuple[Referral, list[FraudReason]]:
    """A new referral as the core makes it, assessed by the fraud guard, held when a reason fired."""
    friend = friend or make_customer(session, store_id=program.store_id)
    referral = make_referral(session, program=program, referrer=referrer, friend=friend, at=at)
    reasons = assess_referral(
        session,
        store_id=program.store_id,
        referral_id=referral.id,
        context=ReferralContext.model_validate(context) if context is not None else None,
        now=at,
    )
    if reasons:
        change_status(
            session,
            referral=referral,
            to=ReferralStatus.HELD,
            reason="fraud guard",
            actor=FRAUD_GUARD,
            now=at,
        )
    return referral, reasons


def codes(reasons: list[FraudReason]) -> list[str]:
    return sorted(reason.code for reason in reasons)
