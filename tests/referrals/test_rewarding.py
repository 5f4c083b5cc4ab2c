"""Every reward rule, hold, release and clawback, applied through the rewards ledger."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from goodword.referrals import attribution
from goodword.referrals.fraud import FraudReason
from goodword.referrals.models import ReferralReward, ReferralStatus, RewardRule
from goodword.referrals.rewarding import reward_referral
from goodword.rewards.ledger import Balance, RewardKind, balances, release_due_rewards
from goodword.rewards.models import Coupon
from tests.factories.referrals import START, make_customer, make_program, order, refer, referral_of
from tests.factories.stores import StoreAccess

CREDIT = {"form": "credit", "amount": 500}


def credit(session: Session, store: StoreAccess, customer_id: int) -> tuple[int, int]:
    """(available, pending) store credit in USD."""
    found = [b for b in balances(session, store_id=store.store_id, customer_id=customer_id)
             if b.kind is RewardKind.CREDIT]  # fmt: skip
    return (found[0].available, found[0].pending) if found else (0, 0)


def points(session: Session, store: StoreAccess, customer_id: int) -> Balance | None:
    found = [b for b in balances(session, store_id=store.store_id, customer_id=customer_id)
             if b.kind is RewardKind.POINTS]  # fmt: skip
    return found[0] if found else None


def test_registration_rewards_the_referrer_at_once(session: Session, store: StoreAccess) -> None:
    # given
    make_program(session, store_id=store.store_id, rules={"registration": {"reward": CREDIT}})
    referrer = make_customer(session, store_id=store.store_id)
    # when
    friend = refer(session, store_id=store.store_id, referrer=referrer)
    # then
    referral = referral_of(session, store_id=store.store_id, friend=friend)
    assert referral.status is ReferralStatus.REGISTERED
    assert credit(session, store, referrer.id) == (500, 0)


def test_applying_the_rules_again_changes_nothing(session: Session, store: StoreAccess) -> None:
    # given
    make_program(session, store_id=store.store_id, rules={"registration": {"reward": CREDIT}})
    referrer = make_customer(session, store_id=store.store_id)
    friend = refer(session, store_id=store.store_id, referrer=referrer)
    referral = referral_of(session, store_id=store.store_id, friend=friend)
    # when
    for _ in range(3):
        reward_referral(session, store_id=store.store_id, referral_id=referral.id, now=START)
    # then
    assert credit(session, store, referrer.id) == (500, 0)


def test_first_paid_order_bonus_is_held_then_released(session: Session, store: StoreAccess) -> None:
    # given
    make_program(
        session,
        store_id=store.store_id,
        rules={"first_order": {"reward": {"form": "credit", "amount": 1000}}},
    )
    referrer = make_customer(session, store_id=store.store_id)
    friend = refer(session, store_id=store.store_id, referrer=referrer)
    # when
    order(session, store_id=store.store_id, customer=friend, now=START + timedelta(hours=1))
    # then
    referral = referral_of(session, store_id=store.store_id, friend=friend)
    assert referral.status is ReferralStatus.CONVERTED
    assert credit(session, store, referrer.id) == (0, 1000)
    # when the hold (14 days) runs out
    release_due_rewards(session, now=START + timedelta(days=15))
    # then
    assert credit(session, store, referrer.id) == (1000, 0)


def test_a_refund_after_release_claws_the_bonus_back(session: Session, store: StoreAccess) -> None:
    # given
    make_program(
        session,
        store_id=store.store_id,
        rules={"first_order": {"reward": {"form": "credit", "amount": 1000}}},
    )
    referrer = make_customer(session, store_id=store.store_id)
    friend = refer(session, store_id=store.store_id, referrer=referrer)
    external_id = order(session, store_id=store.store_id, customer=friend)
    release_due_rewards(session, now=START + timedelta(days=15))
    # when
    order(session, store_id=store.store_id, customer=friend, external_id=external_id, status="refunded",
          now=START + timedelta(days=20))  # fmt: skip
    # then
    assert credit(session, store, referrer.id) == (0, 0)
    reward = session.scalars(select(ReferralReward).where(ReferralReward.store_id == store.store_id)).one()
    assert reward.reversed_at is not None


def test_a_cancellation_during_the_hold_means_the_bonus_is_never_released(
    session: Session, store: StoreAccess
) -> None:
    # given
    make_program(
        session,
        store_id=store.store_id,
        rules={"first_order": {"reward": {"form": "credit", "amount": 1000}}},
    )
    referrer = make_customer(session, store_id=store.store_id)
    friend = refer(session, store_id=store.store_id, referrer=referrer)
    external_id = order(session, store_id=store.store_id, customer=friend)
    # when
    order(session, store_id=store.store_id, customer=friend, external_id=external_id, status="cancelled",
          now=START + timedelta(days=2))  # fmt: skip
    release_due_rewards(session, now=START + timedelta(days=15))
    # then
    assert credit(session, store, referrer.id) == (0, 0)


def test_a_clawback_of_spent_credit_does_not_take_the_balance_below_zero(
    session: Session, store: StoreAccess
) -> None:
    # given: the bonus was released and spent
    from goodword.rewards.ledger import Cause, spend_balance

    make_program(
        session,
        store_id=store.store_id,
        rules={"first_order": {"reward": {"form": "credit", "amount": 1000}}},
    )
    referrer = make_customer(session, store_id=store.store_id)
    friend = refer(session, store_id=store.store_id, referrer=referrer)
    external_id = order(session, store_id=store.store_id, customer=friend)
    release_due_rewards(session, now=START + timedelta(days=15))
    spend_balance(session, store_id=store.store_id, customer_id=referrer.id, kind=RewardKind.CREDIT,
                  amount=800, currency="USD", cause=Cause("test.spend", "1"), memo="spent")  # fmt: skip
    # when
    order(session, store_id=store.store_id, customer=friend, external_id=external_id, status="refunded",
          now=START + timedelta(days=20))  # fmt: skip
    # then
    assert credit(session, store, referrer.id) == (0, 0)


def test_the_first_order_bonus_needs_the_minimum_order_value(session: Session, store: StoreAccess) -> None:
    # given
    rules = {"first_order": {"reward": {"form": "credit", "amount": 1000}, "min_order_minor": 4000}}
    make_program(session, store_id=store.store_id, rules=rules)
    referrer = make_customer(session, store_id=store.store_id)
    friend = refer(session, store_id=store.store_id, referrer=referrer)
    # when
    order(session, store_id=store.store_id, customer=friend, total_minor=3000)
    # then
    assert credit(session, store, referrer.id) == (0, 0)
    # when a larger order follows
    order(session, store_id=store.store_id, customer=friend, total_minor=4500)
    # then
    assert credit(session, store, referrer.id) == (0, 1000)


def test_order_share_pays_a_percentage_within_the_period_up_to_the_cap(
    session: Session, store: StoreAccess
) -> None:
    # given: 10% of orders for 30 days, at most 700
    rules = {"order_share": {"basis_points": 1000, "period_days": 30, "cap": 700}}
    make_program(session, store_id=store.store_id, rules=rules, hold_days=0)
    referrer = make_customer(session, store_id=store.store_id)
    friend = refer(session, store_id=store.store_id, referrer=referrer)
    # when
    order(session, store_id=store.store_id, customer=friend, total_minor=5000, now=START + timedelta(days=1))
    order(session, store_id=store.store_id, customer=friend, total_minor=5000, now=START + timedelta(days=2))
    order(session, store_id=store.store_id, customer=friend, total_minor=5000, now=START + timedelta(days=40))
    # then: 500 + 200 (the cap), and nothing after the period
    assert credit(session, store, referrer.id) == (700, 0)


def test_the_friend_gets_a_single_use_welcome_coupon(session: Session, store: StoreAccess) -> None:
    # given
    rules = {"welcome": {"percent_off": 15, "min_order_minor": 2000, "valid_days": 30}}
    make_program(session, store_id=store.store_id, rules=rules)
    referrer = make_customer(session, store_id=store.store_id)
    # when
    friend = refer(session, store_id=store.store_id, referrer=referrer)
    # then
    coupon = session.scalars(select(Coupon).where(Coupon.store_id == store.store_id)).one()
    assert (coupon.customer_id, coupon.percent_off, coupon.min_order_minor) == (friend.id, 15, 2000)
    assert coupon.expires_at == START + timedelta(days=30)


def test_a_coupon_reward_for_the_referrer(session: Session, store: StoreAccess) -> None:
    # given
    rules = {"registration": {"reward": {"form": "coupon", "amount": 800, "coupon_days": 60}}}
    make_program(session, store_id=store.store_id, rules=rules)
    referrer = make_customer(session, store_id=store.store_id)
    # when
    refer(session, store_id=store.store_id, referrer=referrer)
    # then
    coupon = session.scalars(select(Coupon).where(Coupon.store_id == store.store_id)).one()
    assert (coupon.customer_id, coupon.amount_off_minor, coupon.currency) == (referrer.id, 800, "USD")


def test_points_rewards(session: Session, store: StoreAccess) -> None:
    # given
    make_program(
        session,
        store_id=store.store_id,
        rules={"registration": {"reward": {"form": "points", "amount": 200}}},
    )
    referrer = make_customer(session, store_id=store.store_id)
    # when
    refer(session, store_id=store.store_id, referrer=referrer)
    # then
    balance = points(session, store, referrer.id)
    assert balance is not None
    assert balance.available == 200


def test_a_milestone_pays_once_when_conversions_reach_it(session: Session, store: StoreAccess) -> None:
    # given: a bonus at 2 successful referrals
    rules = {"milestones": [{"referrals": 2, "reward": {"form": "points", "amount": 1000}}]}
    make_program(session, store_id=store.store_id, rules=rules)
    referrer = make_customer(session, store_id=store.store_id)
    friends = [refer(session, store_id=store.store_id, referrer=referrer) for _ in range(3)]
    # when
    order(session, store_id=store.store_id, customer=friends[0])
    assert points(session, store, referrer.id) is None
    order(session, store_id=store.store_id, customer=friends[1])
    order(session, store_id=store.store_id, customer=friends[2])
    # then
    balance = points(session, store, referrer.id)
    assert balance is not None
    assert balance.available == 1000


def test_the_monthly_cap_limits_a_referrers_earnings(session: Session, store: StoreAccess) -> None:
    # given: 500 per registration, at most 1200 a month
    rules = {"registration": {"reward": CREDIT}, "monthly_cap": {"credit_minor": 1200}}
    make_program(session, store_id=store.store_id, rules=rules)
    referrer = make_customer(session, store_id=store.store_id)
    # when
    friends = [refer(session, store_id=store.store_id, referrer=referrer) for _ in range(4)]
    # then
    assert credit(session, store, referrer.id) == (1200, 0)
    # when the capped referrals are looked at again next month, they do not pay late
    for friend in friends:
        referral = referral_of(session, store_id=store.store_id, friend=friend)
        reward_referral(
            session, store_id=store.store_id, referral_id=referral.id, now=START + timedelta(days=40)
        )
    assert credit(session, store, referrer.id) == (1200, 0)


def test_a_referral_the_fraud_guard_holds_earns_nothing_until_approved(
    session: Session, store: StoreAccess, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: the guard (engineer O's) finds a reason
    def suspicious(*_: object, **__: object) -> list[FraudReason]:
        return [FraudReason("same_device", "the friend used the referrer's device")]

    monkeypatch.setattr(attribution.fraud, "assess_referral", suspicious)
    make_program(session, store_id=store.store_id, rules={"registration": {"reward": CREDIT}})
    referrer = make_customer(session, store_id=store.store_id)
    # when
    friend = refer(session, store_id=store.store_id, referrer=referrer)
    order(session, store_id=store.store_id, customer=friend)
    # then
    referral = referral_of(session, store_id=store.store_id, friend=friend)
    assert referral.status is ReferralStatus.HELD
    assert credit(session, store, referrer.id) == (0, 0)
    # when staff approve (as O's review does): status back, then the rules
    from goodword.referrals.history import change_status

    change_status(session, referral=referral, to=ReferralStatus.REGISTERED, reason="approved", actor="staff:1",
                  now=START + timedelta(days=1))  # fmt: skip
    reward_referral(session, store_id=store.store_id, referral_id=referral.id, now=START + timedelta(days=1))
    # then
    assert credit(session, store, referrer.id) == (500, 0)
    assert referral_of(session, store_id=store.store_id, friend=friend).status is ReferralStatus.CONVERTED


def test_rewards_record_their_rule(session: Session, store: StoreAccess) -> None:
    # given
    rules = {"registration": {"reward": CREDIT}, "first_order": {"reward": CREDIT}}
    make_program(session, store_id=store.store_id, rules=rules)
    referrer = make_customer(session, store_id=store.store_id)
    friend = refer(session, store_id=store.store_id, referrer=referrer)
    # when
    order(session, store_id=store.store_id, customer=friend)
    # then
    rewards = session.scalars(select(ReferralReward).where(ReferralReward.store_id == store.store_id)).all()
    assert sorted(r.rule for r in rewards) == [RewardRule.FIRST_ORDER, RewardRule.REGISTRATION]
