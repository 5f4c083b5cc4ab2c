"""The member club: a per-store ladder of tiers reached by spend or successful referrals, and who is where.

Spend is what the customer's orders in the store's currency add up to while paid or fulfilled (a refund or
cancellation takes the order out again), so a member can also move down. Every change of tier is appended to
`member_tier_changes`, announced by email (a transactional notice) and published as `member.tier_changed`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from pydantic import BaseModel, Field
from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from goodword.clock import utc_now
from goodword.db.bulk import insert_for
from goodword.errors import FieldIssue, InvalidInput
from goodword.messaging.events import publish_event
from goodword.messaging.models import Channel, Purpose
from goodword.messaging.outbox import NewMessage, enqueue
from goodword.rewards.models import Member, MemberTier, MemberTierChange
from goodword.stores.customers import customer_ids_by_external_id
from goodword.stores.inputs import OrderIn
from goodword.stores.models import Customer, Order, OrderStatus, Store
from goodword.stores.upserts import UpsertOutcome

_members = cast(Table, Member.__table__)
SPENDING_STATUSES = (OrderStatus.PAID, OrderStatus.FULFILLED)
NEUTRAL_MULTIPLIER_PERMILLE = 1000


class TierIn(BaseModel):
    """One rung of the ladder, as staff define it. A tier needs at least one threshold."""

    name: str = Field(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$")
    min_spend_minor: int | None = Field(default=None, ge=0, le=10**15)
    min_referrals: int | None = Field(default=None, ge=0, le=10**6)
    discount_percent: int = Field(default=0, ge=0, le=100)
    reward_multiplier_permille: int = Field(default=NEUTRAL_MULTIPLIER_PERMILLE, ge=0, le=100_000)
    birthday_percent_off: int | None = Field(default=None, ge=1, le=100)


@dataclass(frozen=True)
class TierChange:
    customer_id: int
    from_tier: str | None
    to_tier: str | None
    changed_at: datetime


def list_tiers(session: Session, *, store_id: str) -> list[MemberTier]:
    """The store's current ladder, lowest tier first."""
    return list(
        session.scalars(
            select(MemberTier)
            .where(MemberTier.store_id == store_id, MemberTier.retired_at.is_(None))
            .order_by(MemberTier.position)
        )
    )


def replace_tiers(
    session: Session, *, store_id: str, tiers: Sequence[TierIn], now: datetime | None = None
) -> list[MemberTier]:
    """Make `tiers` the store's ladder, lowest first, and re-place the current members on it.

    A tier keeps its row (and its history) when its name stays; one left out is retired, not deleted.

    Raises:
        InvalidInput: repeated names, a tier without a threshold, or thresholds that do not ascend.
    """
    now = now or utc_now()
    _check_ladder(tiers)
    existing = {
        tier.name.casefold(): tier
        for tier in session.scalars(select(MemberTier).where(MemberTier.store_id == store_id))
    }
    kept = set()
    for position, wanted in enumerate(tiers):
        tier = existing.get(wanted.name.casefold())
        if tier is None:
            tier = MemberTier(store_id=store_id, created_at=now)
            session.add(tier)
        tier.name, tier.position, tier.retired_at = wanted.name, position, None
        for field in ("min_spend_minor", "min_referrals", "discount_percent", "reward_multiplier_permille",
                      "birthday_percent_off"):  # fmt: skip
            setattr(tier, field, getattr(wanted, field))
        kept.add(wanted.name.casefold())
    for name, tier in existing.items():
        if name not in kept and tier.retired_at is None:
            tier.retired_at, tier.position = now, -1 - tier.id
    session.flush()
    current = list(session.scalars(select(Member.customer_id).where(Member.store_id == store_id)))
    reevaluate_tiers(session, store_id=store_id, customer_ids=current, now=now)
    return list_tiers(session, store_id=store_id)


def _check_ladder(tiers: Sequence[TierIn]) -> None:
    issues = []
    if not tiers:
        issues.append(FieldIssue("tiers", "name at least one tier"))
    seen: set[str] = set()
    last_spend: int | None = None
    last_referrals: int | None = None
    for n, tier in enumerate(tiers):
        if tier.name.casefold() in seen:
            issues.append(FieldIssue(f"tiers.{n}.name", f"tier name {tier.name!r} is used twice"))
        seen.add(tier.name.casefold())
        if tier.min_spend_minor is None and tier.min_referrals is None:
            issues.append(
                FieldIssue(f"tiers.{n}", f"tier {tier.name!r} needs min_spend_minor or min_referrals")
            )
        if tier.min_spend_minor is not None:
            if last_spend is not None and tier.min_spend_minor <= last_spend:
                issues.append(FieldIssue(f"tiers.{n}.min_spend_minor",
                                         f"must be above {last_spend}, got {tier.min_spend_minor}"))  # fmt: skip
            last_spend = tier.min_spend_minor
        if tier.min_referrals is not None:
            if last_referrals is not None and tier.min_referrals <= last_referrals:
                issues.append(FieldIssue(f"tiers.{n}.min_referrals",
                                         f"must be above {last_referrals}, got {tier.min_referrals}"))  # fmt: skip
            last_referrals = tier.min_referrals
    if issues:
        raise InvalidInput("the tier ladder is not usable", issues)


def qualifying_tier(ladder: Sequence[MemberTier], *, spend: int, referrals: int) -> MemberTier | None:
    """The highest tier whose spend or referral threshold is met; None below the first."""
    reached = None
    for tier in ladder:
        by_spend = tier.min_spend_minor is not None and spend >= tier.min_spend_minor
        by_referrals = tier.min_referrals is not None and referrals >= tier.min_referrals
        if by_spend or by_referrals:
            reached = tier
    return reached


def spend_by_customer(session: Session, *, store_id: str, customer_ids: Sequence[int]) -> dict[int, int]:
    """Paid-or-fulfilled order totals in the store's default currency, per customer."""
    if not customer_ids:
        return {}
    currency = select(Store.default_currency).where(Store.id == store_id).scalar_subquery()
    rows = session.execute(
        select(Order.customer_id, func.sum(Order.total_minor))
        .where(
            Order.store_id == store_id,
            Order.customer_id.in_(set(customer_ids)),
            Order.status.in_(SPENDING_STATUSES),
            Order.currency == currency,
        )
        .group_by(Order.customer_id)
    )
    return {int(customer_id): int(total) for customer_id, total in rows if customer_id is not None}


def reevaluate_tiers(
    session: Session,
    *,
    store_id: str,
    customer_ids: Sequence[int],
    successful_referrals: Mapping[int, int] | None = None,
    now: datetime | None = None,
) -> list[TierChange]:
    """Place these customers on the ladder by their spend and successful referrals; returns who moved.

    `successful_referrals` (from the referral program) replaces the stored count for the customers it
    names; the others keep theirs. Customers of other stores are ignored.
    """
    now = now or utc_now()
    successful_referrals = successful_referrals or {}
    customers = {
        c.id: c
        for c in session.scalars(
            select(Customer).where(Customer.store_id == store_id, Customer.id.in_(set(customer_ids)))
        )
    }
    ladder = list_tiers(session, store_id=store_id)
    if not customers or (not ladder and not successful_referrals):
        return []
    ids = sorted(customers)
    session.execute(
        insert_for(session, _members)
        .values([{"store_id": store_id, "customer_id": i, "spend_minor": 0, "successful_referrals": 0,
                  "created_at": now, "updated_at": now} for i in ids])
        .on_conflict_do_nothing()
    )  # fmt: skip
    # Locked in customer-id order, the same order every caller uses, so that two batches touching the
    # same members queue instead of deadlocking.
    members = list(
        session.scalars(
            select(Member)
            .where(Member.store_id == store_id, Member.customer_id.in_(ids))
            .order_by(Member.customer_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )
    spend = spend_by_customer(session, store_id=store_id, customer_ids=ids)
    by_id = {
        tier.id: tier for tier in session.scalars(select(MemberTier).where(MemberTier.store_id == store_id))
    }
    changes = []
    for member in members:
        member.spend_minor = spend.get(member.customer_id, 0)
        member.successful_referrals = successful_referrals.get(
            member.customer_id, member.successful_referrals
        )
        member.updated_at = now
        target = qualifying_tier(ladder, spend=member.spend_minor, referrals=member.successful_referrals)
        target_id = target.id if target is not None else None
        if target_id == member.tier_id:
            continue
        before = by_id.get(member.tier_id) if member.tier_id is not None else None
        change = MemberTierChange(
            store_id=store_id, customer_id=member.customer_id, from_tier_id=member.tier_id, to_tier_id=target_id,
            spend_minor=member.spend_minor, successful_referrals=member.successful_referrals, changed_at=now,
        )  # fmt: skip
        member.tier_id = target_id
        session.add(change)
        session.flush()
        _announce(session, change, customers[member.customer_id], before=before, after=target, now=now)
        changes.append(TierChange(member.customer_id, _name(before), _name(target), now))
    session.flush()
    return changes


def _name(tier: MemberTier | None) -> str | None:
    return tier.name if tier is not None else None


def _announce(
    session: Session,
    change: MemberTierChange,
    customer: Customer,
    *,
    before: MemberTier | None,
    after: MemberTier | None,
    now: datetime,
) -> None:
    upward = after is not None and (before is None or after.position > before.position)
    publish_event(
        session,
        store_id=change.store_id,
        event_type="member.tier_changed",
        data={"customer_external_id": customer.external_id, "from_tier": _name(before), "to_tier": _name(after),
              "direction": "up" if upward else "down", "spend_minor": change.spend_minor,
              "successful_referrals": change.successful_referrals},
        event_id=f"member.tier_changed:{change.id}",
        now=now,
    )  # fmt: skip
    if after is None or not customer.email or customer.erased_at or customer.email_undeliverable_at:
        return
    payload = {
        "name": customer.name or "",
        "tier": after.name,
        "previous_tier": _name(before),
        "upward": upward,
        "discount_percent": after.discount_percent,
    }
    enqueue(
        session,
        store_id=change.store_id,
        message=NewMessage(
            channel=Channel.EMAIL,
            purpose=Purpose.TRANSACTIONAL,
            kind="member_tier_changed",
            recipient=customer.email,
            payload=payload,
            reason=f"their member tier changed from {_name(before)!r} to {after.name!r}",
            customer_id=customer.id,
            locale=customer.locale,
            send_at=now,
            dedupe_key=f"member_tier_changed:{change.id}",
        ),
    )


def react_to_orders(
    session: Session,
    *,
    store_id: str,
    orders: Sequence[OrderIn],
    outcomes: Sequence[UpsertOutcome],
    now: datetime,
) -> None:
    """Re-evaluate the tiers of the customers whose orders changed.

    This runs inside order ingestion: a store without a ladder pays one indexed probe per batch, nothing more.
    """
    has_ladder = session.scalar(
        select(MemberTier.id).where(MemberTier.store_id == store_id, MemberTier.retired_at.is_(None)).limit(1)
    )
    if has_ladder is None:
        return
    references = sorted({ref for order in orders if (ref := order.customer_reference) is not None})
    ids = customer_ids_by_external_id(session, store_id=store_id, external_ids=references)
    if ids:
        reevaluate_tiers(session, store_id=store_id, customer_ids=sorted(ids.values()), now=now)


def reward_multiplier_permille(session: Session, *, store_id: str, customer_id: int) -> int:
    """The member's tier multiplier for rewards: 1000 means times 1.0 (also for customers in no tier)."""
    found = session.scalar(
        select(MemberTier.reward_multiplier_permille)
        .join(Member, Member.tier_id == MemberTier.id)
        .where(
            Member.store_id == store_id, Member.customer_id == customer_id, MemberTier.retired_at.is_(None)
        )
    )
    return NEUTRAL_MULTIPLIER_PERMILLE if found is None else int(found)
