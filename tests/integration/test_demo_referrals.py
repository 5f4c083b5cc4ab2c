"""The demo store's referral program: the referrals, rewards and tiers its history implies, and nothing sent."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from goodword.config import Settings
from goodword.db.session import Database
from goodword.demo.build import build_demo_store
from goodword.demo.catalogue import SHOP_URL
from goodword.demo.plan import plan_demo
from goodword.messaging.models import OutboxMessage
from goodword.referrals.models import (
    Referral,
    ReferralClick,
    ReferralCode,
    ReferralProgram,
    ReferralReward,
    ReferralStatus,
    ReferralStatusChange,
    RewardForm,
)
from goodword.referrals.programs import running_programs
from goodword.referrals.rewarding import PAID_STATUSES, reward_referral, successful_referrals
from goodword.rewards.accounts import balances
from goodword.rewards.ledger import release_due_rewards
from goodword.rewards.members import reevaluate_tiers
from goodword.rewards.models import (
    AccountPurpose,
    Coupon,
    Member,
    MemberTier,
    MemberTierChange,
    RewardAccount,
    RewardPosting,
    RewardTransaction,
)
from goodword.stores.models import Customer, CustomerTie, Order, TieSource
from goodword.web.app import create_app
from tests.integration.test_demo import build

END = plan_demo(seed=7, customers=300).window.end
WRITTEN = (
    ReferralProgram, ReferralCode, ReferralClick, Referral, ReferralStatusChange, ReferralReward, Coupon,
    RewardAccount, RewardTransaction, RewardPosting, MemberTier, Member, MemberTierChange,
)  # fmt: skip


def referral_digest(session: Session, store_id: str) -> str:
    """Every row the demo's referral step writes for a store, ids and timestamps included."""
    sha = hashlib.sha256()
    for model in WRITTEN:
        table = model.__table__
        rows = session.execute(select(table).where(table.c.store_id == store_id).order_by(table.c.id))
        for row in rows:
            sha.update(repr(tuple(row)).encode())
    return sha.hexdigest()


def count(session: Session, model: Any, store_id: str) -> int:
    return session.scalar(select(func.count()).select_from(model).where(model.store_id == store_id)) or 0


def test_the_demo_store_runs_a_program_with_english_and_chinese_terms_since_its_first_customer(
    session: Session,
) -> None:
    # when
    summary = build(session)
    # then
    [program] = running_programs(session, store_id=summary.store_id, now=END)
    first_joined = session.scalar(
        select(func.min(Customer.created_at)).where(Customer.store_id == summary.store_id)
    )
    assert program.terms_en
    assert program.terms_zh
    assert first_joined is not None
    assert program.starts_at <= first_joined
    assert program.ends_at is None
    assert count(session, ReferralCode, summary.store_id) == summary.customers


def test_every_referral_tie_has_exactly_one_referral(session: Session) -> None:
    # when
    summary = build(session)
    # then
    ties = session.execute(
        select(CustomerTie.from_customer_id, CustomerTie.to_customer_id).where(
            CustomerTie.store_id == summary.store_id, CustomerTie.source == TieSource.REFERRAL
        )
    ).all()
    referrals = session.execute(
        select(Referral.referrer_customer_id, Referral.referred_customer_id).where(
            Referral.store_id == summary.store_id
        )
    ).all()
    assert len(ties) > 30
    assert sorted(map(tuple, referrals)) == sorted(map(tuple, ties))


def test_converted_referrals_have_their_friends_first_paid_order_after_registering(session: Session) -> None:
    # when
    summary = build(session)
    # then
    referrals = session.scalars(select(Referral).where(Referral.store_id == summary.store_id)).all()
    converted = [r for r in referrals if r.status is ReferralStatus.CONVERTED]
    assert 0 < len(converted) < len(referrals)
    for referral in converted:
        first_paid = session.scalars(
            select(Order)
            .where(
                Order.store_id == summary.store_id,
                Order.customer_id == referral.referred_customer_id,
                Order.status.in_(PAID_STATUSES),
            )
            .order_by(Order.paid_at, Order.id)
        ).first()
        assert first_paid is not None
        assert first_paid.id == referral.first_order_id
        assert referral.registered_at < first_paid.paid_at == referral.converted_at
    history = session.scalars(
        select(ReferralStatusChange.to_status)
        .where(ReferralStatusChange.referral_id == converted[0].id)
        .order_by(ReferralStatusChange.id)
    ).all()
    assert history == [ReferralStatus.REGISTERED, ReferralStatus.CONVERTED]


def test_the_ledger_balances_and_a_referrers_balance_is_the_sum_of_their_postings(session: Session) -> None:
    # given
    summary = build(session)
    store_id = summary.store_id
    # when
    top_referrer = session.execute(
        select(Referral.referrer_customer_id, func.count())
        .where(Referral.store_id == store_id)
        .group_by(Referral.referrer_customer_id)
        .order_by(func.count().desc(), Referral.referrer_customer_id)
    ).first()
    assert top_referrer is not None
    referrer = top_referrer[0]
    [balance] = balances(session, store_id=store_id, customer_id=referrer)
    postings = dict(
        session.execute(
            select(RewardAccount.purpose, func.sum(RewardPosting.amount))
            .join(RewardPosting, RewardPosting.account_id == RewardAccount.id)
            .where(RewardAccount.store_id == store_id, RewardAccount.customer_id == referrer)
            .group_by(RewardAccount.purpose)
        ).all()
    )
    earned = session.scalar(
        select(func.sum(ReferralReward.amount)).where(
            ReferralReward.store_id == store_id,
            ReferralReward.customer_id == referrer,
            ReferralReward.form == RewardForm.CREDIT,
        )
    )
    # then
    total = session.scalar(select(func.sum(RewardPosting.amount)).where(RewardPosting.store_id == store_id))
    assert total == 0
    assert balance.currency == "USD"
    assert balance.available == postings[AccountPurpose.AVAILABLE] > 0
    assert balance.pending == postings.get(AccountPurpose.PENDING, 0)
    assert balance.available + balance.pending == earned


def test_building_the_demo_sends_nothing(session: Session) -> None:
    # when
    summary = build(session)
    # then
    assert count(session, Referral, summary.store_id) > 30
    assert count(session, OutboxMessage, summary.store_id) == 0


def test_the_referral_and_tier_services_find_nothing_left_to_do(session: Session) -> None:
    # given
    summary = build(session)
    store_id = summary.store_id
    before = referral_digest(session, store_id)
    referrals = session.scalars(select(Referral.id).where(Referral.store_id == store_id)).all()
    customers = list(session.scalars(select(Customer.id).where(Customer.store_id == store_id)))
    # when the services run over the demo's history as of its end
    for referral_id in referrals:
        reward_referral(session, store_id=store_id, referral_id=referral_id, now=END)
    released = release_due_rewards(session, now=END)
    counts = successful_referrals(session, store_id=store_id, customer_ids=customers)
    moved = reevaluate_tiers(
        session, store_id=store_id, customer_ids=customers, successful_referrals=counts, now=END
    )
    # then they agree with the demo: nothing owed, nothing to release, nobody to move, nothing to send
    assert (released, moved) == (0, [])
    assert referral_digest(session, store_id) == before
    assert count(session, OutboxMessage, store_id) == 0


def test_members_climb_the_ladder_by_spend_and_referrals(session: Session) -> None:
    # when
    summary = build(session)
    # then
    tiers = dict(
        session.execute(
            select(MemberTier.name, func.count(Member.id))
            .join(Member, Member.tier_id == MemberTier.id)
            .where(MemberTier.store_id == summary.store_id)
            .group_by(MemberTier.name)
        ).all()
    )
    assert sum(tiers.values()) == summary.customers
    assert tiers["Member"] > tiers["Silver"] > tiers.get("Gold", 0)
    steps = session.scalars(
        select(MemberTierChange.customer_id).where(MemberTierChange.store_id == summary.store_id)
    ).all()
    assert len(steps) > summary.customers  # everyone joined the club; some climbed since


def test_building_again_changes_nothing(session: Session) -> None:
    # given
    first = build(session)
    before = referral_digest(session, first.store_id)
    # when
    again = build(session)
    # then
    assert again.reused
    assert referral_digest(session, first.store_id) == before


def test_the_same_seed_gives_the_same_referrals_rewards_and_tiers(session: Session) -> None:
    # given
    def content() -> list[Any]:
        referred = aliased(Customer)
        referrer = aliased(Customer)
        rows = session.execute(
            select(referrer.external_id, referred.external_id, Referral.status, Referral.attributed_by,
                   Referral.channel, Referral.converted_at, ReferralReward.rule, ReferralReward.amount,
                   ReferralReward.earned_at)
            .join(referrer, referrer.id == Referral.referrer_customer_id)
            .join(referred, referred.id == Referral.referred_customer_id)
            .join(ReferralReward, ReferralReward.referral_id == Referral.id)
            .order_by(referred.external_id, ReferralReward.rule)
        ).all()  # fmt: skip
        tiers = session.execute(
            select(Customer.external_id, MemberTier.name, Member.spend_minor)
            .join(Member, Member.customer_id == Customer.id)
            .join(MemberTier, MemberTier.id == Member.tier_id)
            .order_by(Customer.external_id)
        ).all()
        return [*map(tuple, rows), *map(tuple, tiers)]

    savepoint = session.begin_nested()
    build(session)
    first = content()
    savepoint.rollback()
    # when
    build(session)
    # then
    assert content() == first


def test_a_newcomer_sees_referrals_balances_and_tiers_and_follows_a_customers_link(
    committing_settings: Settings, committing_database: Database
) -> None:
    # given a demo store built for real
    summary = build_demo_store(committing_database.unit_of_work, seed=11, customers=150)
    with committing_database.unit_of_work(write=False) as session:
        referrer_id, external_id, code = session.execute(
            select(Customer.id, Customer.external_id, ReferralCode.code)
            .join(ReferralCode, ReferralCode.customer_id == Customer.id)
            .join(Referral, Referral.referrer_customer_id == Customer.id)
            .where(Referral.store_id == summary.store_id, Referral.status == ReferralStatus.CONVERTED)
            .order_by(Referral.id)
            .limit(1)
        ).one()
    reader = {"Authorization": f"Bearer {summary.read_key}"}
    with TestClient(create_app(committing_settings, database=committing_database)) as client:
        # when
        link = client.get(f"/r/{code}?gw_ch=wechat", follow_redirects=False)
        referrals = client.get(f"/api/v1/referrals?referrer={external_id}", headers=reader)
        rewards = client.get(f"/api/v1/customers/{external_id}/rewards", headers=reader)
        member = client.get(f"/api/v1/members/{external_id}", headers=reader)
    # then
    assert link.status_code == 302
    assert link.headers["location"].startswith(SHOP_URL)
    token = parse_qs(urlsplit(link.headers["location"]).query)["gw_ref"][0]
    with committing_database.unit_of_work(write=False) as session:
        click = session.scalars(select(ReferralClick).where(ReferralClick.token == token)).one()
    assert (click.store_id, click.referrer_customer_id) == (summary.store_id, referrer_id)
    assert click.channel == "wechat"
    assert referrals.status_code == 200
    assert any(r["status"] == "converted" for r in referrals.json()["data"])
    assert rewards.json()["balances"][0]["available"] > 0
    assert member.json()["tier"]["name"] in {"Member", "Silver", "Gold", "VIP"}
