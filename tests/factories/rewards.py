"""Factories for the rewards domain: customers to pay, ladders to climb, orders that count as spend."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from goodword.rewards import members
from goodword.rewards.members import TierIn
from goodword.stores import customers, orders
from goodword.stores.inputs import CustomerIn, OrderIn
from tests.factories.stores import customer_payload, order_payload

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
_sequence = itertools.count(1)


def make_customer(session: Session, *, store_id: str, **overrides: object) -> int:
    """A stored customer of the store; returns its row id."""
    customer = CustomerIn.model_validate(customer_payload(**overrides))
    [outcome] = customers.upsert_customers(session, store_id=store_id, customers=[customer], source="test")
    return outcome.id


def make_order(session: Session, *, store_id: str, customer_external_id: str, **overrides: object) -> int:
    order = OrderIn.model_validate(order_payload(customer_external_id=customer_external_id, **overrides))
    [outcome] = orders.upsert_orders(session, store_id=store_id, orders=[order], source="test")
    return outcome.id


def classic_ladder() -> list[TierIn]:
    """Member from the first order, Silver at 100.00, Gold at 500.00 or 3 referrals, VIP at 2,000.00."""
    return [
        TierIn(name="Member", min_spend_minor=0),
        TierIn(name="Silver", min_spend_minor=10_000, discount_percent=5, reward_multiplier_permille=1100),
        TierIn(name="Gold", min_spend_minor=50_000, min_referrals=3, discount_percent=10,
               reward_multiplier_permille=1250, birthday_percent_off=15),
        TierIn(name="VIP", min_spend_minor=200_000, min_referrals=10, discount_percent=15,
               reward_multiplier_permille=1500, birthday_percent_off=25),
    ]  # fmt: skip


def make_ladder(session: Session, *, store_id: str) -> None:
    members.replace_tiers(session, store_id=store_id, tiers=classic_ladder(), now=NOW)
