"""Applying a referral's reward rules through the rewards ledger: issue, hold, claw back, convert.

`reward_referral` looks at the referral and the friend's orders as they are now and applies every rule that is
due, so it can be called after any change (registration, an order's status, staff approving a held referral)
and as often as anyone likes: each reward is one `ReferralReward` row whose `cause_key` is unique per store and
is also the ledger transaction's cause, so a rule applied twice inserts nothing the second time, even when
fifty deliveries of one webhook race.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import cast

from sqlalchemy import Table, func, select, update
from sqlalchemy.orm import Session

from goodword.db.bulk import insert_for
from goodword.errors import NotFound
from goodword.messaging.events import publish_event
from goodword.referrals import notices
from goodword.referrals.history import change_status
from goodword.referrals.models import (
    Invitation,
    Referral,
    ReferralCode,
    ReferralProgram,
    ReferralReward,
    ReferralStatus,
    RewardForm,
    RewardRule,
)
from goodword.referrals.programs import Reward, RewardRules, parse_rules
from goodword.rewards import coupons, members
from goodword.rewards.ledger import Cause, RewardKind, issue_reward, reverse_reward
from goodword.stores.models import Order, OrderStatus

_rewards = cast(Table, ReferralReward.__table__)
PAID_STATUSES = (OrderStatus.PAID, OrderStatus.FULFILLED)
UNDONE_STATUSES = (OrderStatus.REFUNDED, OrderStatus.CANCELLED)
CAUSE_TYPE = "referral"
CLAWBACK_CAUSE_TYPE = "referral.clawback"
REWARDABLE = (ReferralStatus.REGISTERED, ReferralStatus.CONVERTED)


@dataclass(frozen=True, slots=True)
class _Due:
    """One reward a rule makes due now."""

    rule: RewardRule
    customer_id: int
    reward: Reward
    cause_key: str
    order_id: int | None = None
    hold_until: datetime | None = None
    capped: bool = True  # counts against (and is cut by) the referrer's monthly cap


def reward_referral(session: Session, *, store_id: str, referral_id: int, now: datetime) -> None:
    """Apply every rule due for this referral in its current state; idempotent.

    Registration reward and the friend's welcome coupon once the referral stands; the first-paid-order bonus,
    order shares (held for the program's hold period) and conversion once orders are paid; milestones when
    conversions reach them; clawbacks of order rewards whose order was refunded or cancelled. A held or
    rejected referral earns nothing new (clawbacks still apply).

    Raises:
        NotFound: the store has no such referral.
    """
    referral = session.scalars(
        select(Referral)
        .where(Referral.store_id == store_id, Referral.id == referral_id)
        # Racing deliveries of one order queue here; everything below reads what the previous one wrote.
        .with_for_update()
    ).one_or_none()
    if referral is None:
        raise NotFound(f"no referral {referral_id}")
    orders = list(
        session.scalars(
            select(Order)
            .where(Order.store_id == store_id, Order.customer_id == referral.referred_customer_id)
            .order_by(Order.placed_at, Order.id)
        )
    )
    _claw_back(session, referral=referral, orders=orders, now=now)
    if referral.status not in REWARDABLE:
        return
    program = session.get_one(ReferralProgram, referral.program_id)
    rules = parse_rules(referral.rules)
    paid = [order for order in orders if order.status in PAID_STATUSES]
    converted_now = _convert(session, referral=referral, first_paid=paid[0] if paid else None, now=now)
    due = _registration_rewards(referral, rules)
    due += _order_rewards(referral, rules, paid, hold=timedelta(days=program.hold_days), now=now)
    if rules.milestones and referral.status is ReferralStatus.CONVERTED:
        due += _milestones(session, referral=referral, rules=rules)
    if due:
        _lock_referrer(session, store_id=store_id, customer_id=referral.referrer_customer_id)
        multiplier = members.reward_multiplier_permille(
            session, store_id=store_id, customer_id=referral.referrer_customer_id
        )
        for item in due:
            _apply(session, referral=referral, program=program, rules=rules, due=item,
                   multiplier=multiplier, now=now)  # fmt: skip
    if converted_now:
        _after_conversion(session, referral=referral, now=now)


def _registration_rewards(referral: Referral, rules: RewardRules) -> list[_Due]:
    due = []
    if rules.registration is not None:
        due.append(
            _Due(
                RewardRule.REGISTRATION,
                referral.referrer_customer_id,
                rules.registration.reward,
                f"{referral.id}:registration",
            )
        )
    if rules.welcome is not None:
        welcome = rules.welcome
        coupon = Reward(
            form="coupon",
            amount=welcome.amount_off_minor or 0,
            percent_off=welcome.percent_off,
            coupon_days=welcome.valid_days,
        )
        due.append(
            _Due(
                RewardRule.WELCOME,
                referral.referred_customer_id,
                coupon,
                f"{referral.id}:welcome",
                capped=False,
            )
        )
    return due


def _order_rewards(
    referral: Referral, rules: RewardRules, paid: list[Order], *, hold: timedelta, now: datetime
) -> list[_Due]:
    due = []
    first = rules.first_order
    if first is not None:
        qualifying = [
            o for o in paid if first.min_order_minor is None or o.total_minor >= first.min_order_minor
        ]
        if qualifying:
            order = qualifying[0]
            due.append(
                _Due(
                    RewardRule.FIRST_ORDER,
                    referral.referrer_customer_id,
                    first.reward,
                    f"{referral.id}:first_order",
                    order_id=order.id,
                    hold_until=_hold(order, hold, now),
                )
            )
    share = rules.order_share
    if share is not None:
        until = referral.registered_at + timedelta(days=share.period_days)
        room = share.cap  # per referral; earlier orders take from it first
        for order in paid:
            if referral.registered_at <= (order.paid_at or order.placed_at) < until:
                amount = min(order.total_minor * share.basis_points // 10_000, room)
                room -= amount
                if amount > 0:
                    due.append(
                        _Due(
                            RewardRule.ORDER_SHARE,
                            referral.referrer_customer_id,
                            Reward(form=share.form, amount=amount),
                            f"{referral.id}:order_share:{order.id}",
                            order_id=order.id,
                            hold_until=_hold(order, hold, now),
                        )
                    )
    return due


def _hold(order: Order, hold: timedelta, now: datetime) -> datetime | None:
    return (order.paid_at or now) + hold if hold else None


def _milestones(session: Session, *, referral: Referral, rules: RewardRules) -> list[_Due]:
    successes = successful_referrals(
        session, store_id=referral.store_id, customer_ids=[referral.referrer_customer_id]
    ).get(referral.referrer_customer_id, 0)
    return [
        _Due(RewardRule.MILESTONE, referral.referrer_customer_id, milestone.reward,
             f"referrer:{referral.referrer_customer_id}:program:{referral.program_id}:milestone:"
             f"{milestone.referrals}")
        for milestone in rules.milestones
        if successes >= milestone.referrals
    ]  # fmt: skip


def successful_referrals(session: Session, *, store_id: str, customer_ids: list[int]) -> dict[int, int]:
    """Converted referrals per referrer."""
    rows = session.execute(
        select(Referral.referrer_customer_id, func.count())
        .where(
            Referral.store_id == store_id,
            Referral.referrer_customer_id.in_(customer_ids),
            Referral.status == ReferralStatus.CONVERTED,
        )
        .group_by(Referral.referrer_customer_id)
    )
    return {int(customer_id): int(count) for customer_id, count in rows}


def _lock_referrer(session: Session, *, store_id: str, customer_id: int) -> None:
    """Serialize one referrer's rewards (monthly caps, milestones) across concurrent referrals: the code row
    stands in for the referrer. (SQLite writers are serialized already; FOR UPDATE is dropped there.)"""
    session.execute(
        select(ReferralCode.id)
        .where(ReferralCode.store_id == store_id, ReferralCode.customer_id == customer_id)
        .with_for_update()
    ).all()


def _apply(
    session: Session,
    *,
    referral: Referral,
    program: ReferralProgram,
    rules: RewardRules,
    due: _Due,
    multiplier: int,
    now: datetime,
) -> None:
    reward = due.reward
    amount = reward.amount
    if due.customer_id == referral.referrer_customer_id and reward.form != "coupon":
        amount = amount * multiplier // 1000
    if due.capped and reward.form != "coupon":
        amount = min(
            amount, _room_under_cap(session, referral=referral, rules=rules, form=reward.form, now=now)
        )
    if reward.form == "coupon" and reward.percent_off is not None:
        amount = reward.percent_off
    currency = program.currency if reward.form != "points" else None
    inserted = session.execute(
        insert_for(session, _rewards)
        .values(
            store_id=referral.store_id, referral_id=referral.id, program_id=program.id,
            customer_id=due.customer_id, rule=due.rule, form=RewardForm(reward.form), amount=amount,
            currency=currency, order_id=due.order_id, cause_key=due.cause_key, earned_at=now,
        )
        .on_conflict_do_nothing()
        .returning(_rewards.c.id)
    ).scalar_one_or_none()  # fmt: skip
    if inserted is None or amount == 0:
        return  # applied before; or capped to nothing, which is recorded so a later month does not pay it
    cause = Cause(CAUSE_TYPE, due.cause_key)
    memo = f"referral {referral.id}: {due.rule.value} reward of program {program.id}"
    if reward.form == "coupon":
        welcome = rules.welcome if due.rule is RewardRule.WELCOME else None
        min_order = welcome.min_order_minor if welcome is not None else None
        fixed = reward.percent_off is None
        coupons.issue_coupon(
            session,
            store_id=referral.store_id,
            customer_id=due.customer_id,
            percent_off=reward.percent_off,
            amount_off_minor=amount if fixed else None,
            currency=currency if fixed or min_order is not None else None,
            cause=cause,
            expires_at=now + timedelta(days=reward.coupon_days),
            min_order_minor=min_order,
            now=now,
        )
        return
    issue_reward(
        session,
        store_id=referral.store_id,
        customer_id=due.customer_id,
        kind=RewardKind.CREDIT if reward.form == "credit" else RewardKind.POINTS,
        amount=amount,
        currency=currency,
        cause=cause,
        memo=memo,
        hold_until=due.hold_until,
        now=now,
    )


def _room_under_cap(
    session: Session, *, referral: Referral, rules: RewardRules, form: str, now: datetime
) -> int:
    cap = rules.monthly_cap
    limit = None if cap is None else cap.credit_minor if form == "credit" else cap.points
    if limit is None:
        return 2**62
    month = datetime(now.year, now.month, 1, tzinfo=UTC)
    earned = session.execute(
        select(func.coalesce(func.sum(ReferralReward.amount), 0)).where(
            ReferralReward.store_id == referral.store_id,
            ReferralReward.customer_id == referral.referrer_customer_id,
            ReferralReward.earned_at >= month,
            ReferralReward.program_id == referral.program_id,
            ReferralReward.form == RewardForm(form),
            ReferralReward.reversed_at.is_(None),
        )
    ).scalar_one()
    return max(limit - int(earned), 0)


def _convert(session: Session, *, referral: Referral, first_paid: Order | None, now: datetime) -> bool:
    if first_paid is None or referral.status is not ReferralStatus.REGISTERED:
        return False
    referral.first_order_id = first_paid.id
    referral.converted_at = now
    change_status(
        session,
        referral=referral,
        to=ReferralStatus.CONVERTED,
        reason=f"the friend's order {first_paid.external_id!r} was paid",
        actor="system",
        now=now,
    )
    if referral.invitation_id is not None:
        session.execute(
            update(Invitation)
            .where(Invitation.store_id == referral.store_id, Invitation.id == referral.invitation_id)
            .values(converted_at=now)
            .execution_options(synchronize_session=False)
        )
    return True


def _after_conversion(session: Session, *, referral: Referral, now: datetime) -> None:
    publish_event(
        session,
        store_id=referral.store_id,
        event_type="referral.converted",
        data=notices.referral_data(session, referral),
        event_id=f"referral.converted:{referral.id}",
        now=now,
    )
    notices.notify_referrer(session, referral=referral, kind=notices.FRIEND_CONVERTED, now=now)
    counts = successful_referrals(
        session, store_id=referral.store_id, customer_ids=[referral.referrer_customer_id]
    )
    members.reevaluate_tiers(
        session,
        store_id=referral.store_id,
        customer_ids=[referral.referrer_customer_id],
        successful_referrals=counts,
        now=now,
    )


def _claw_back(session: Session, *, referral: Referral, orders: list[Order], now: datetime) -> None:
    undone = {order.id: order for order in orders if order.status in UNDONE_STATUSES}
    if not undone:
        return
    live = session.scalars(
        select(ReferralReward).where(
            ReferralReward.store_id == referral.store_id,
            ReferralReward.referral_id == referral.id,
            ReferralReward.order_id.in_(undone),
            ReferralReward.reversed_at.is_(None),
        )
    )
    for reward in live:
        order = undone[cast(int, reward.order_id)]
        reward.reversed_at = now
        if reward.amount == 0:
            continue
        reverse_reward(
            session,
            store_id=referral.store_id,
            cause=Cause(CAUSE_TYPE, reward.cause_key),
            reason=Cause(CLAWBACK_CAUSE_TYPE, reward.cause_key),
            memo=f"order {order.external_id!r} was {order.status.value}",
            now=now,
        )
    session.flush()
