"""Tables of the rewards domain. Every row carries `store_id`.

The ledger is double-entry: a `RewardTransaction` names its cause and owns two or more `RewardPosting`s that
sum to zero; an account's balance is the sum of its postings. Nothing here that counts money is updated or
deleted: releases, cancellations and clawbacks are further transactions that point at the one they settle.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from goodword.clock import utc_now
from goodword.db.base import Base, BigIntId, StoreScoped, string_enum

# The unit of a points account, where a credit account names its ISO 4217 currency.
POINTS_UNIT = "PTS"


class RewardKind(enum.StrEnum):
    """Store credit is counted in minor units of a currency; points are unitless."""

    CREDIT = "credit"
    POINTS = "points"


class AccountPurpose(enum.StrEnum):
    AVAILABLE = "available"  # the customer's spendable balance
    PENDING = "pending"  # the customer's rewards still on hold
    EXPENSE = "expense"  # the store's program expense: where rewards come from
    ADJUSTMENT = "adjustment"  # the store's side of staff adjustments
    REDEEMED = "redeemed"  # where spent balances go
    UNRECOVERED = "unrecovered"  # clawbacks the customer's balance could not cover (spent already)


class TransactionType(enum.StrEnum):
    REWARD = "reward"
    RELEASE = "release"
    REVERSAL = "reversal"
    ADJUSTMENT = "adjustment"
    SPEND = "spend"


class RewardAccount(StoreScoped, Base):
    __tablename__ = "reward_accounts"
    __table_args__ = (
        # `code` is the account's natural key ("customer:42:available:credit:USD", "store:expense:points:PTS"),
        # so finding or creating an account is one INSERT … ON CONFLICT DO NOTHING.
        UniqueConstraint("store_id", "code"),
        # serves: a customer's balances (sum of postings per account of the customer)
        Index("ix_reward_accounts_store_customer", "store_id", "customer_id"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    code: Mapped[str] = mapped_column(String(100))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    purpose: Mapped[AccountPurpose] = mapped_column(string_enum(AccountPurpose, "reward_account_purpose"))
    kind: Mapped[RewardKind] = mapped_column(string_enum(RewardKind, "reward_kind"))
    unit: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class RewardTransaction(StoreScoped, Base):
    """One balanced movement, and why it happened. Its postings carry the amounts."""

    __tablename__ = "reward_transactions"
    __table_args__ = (
        # Idempotency: a cause is applied once per store, whoever races to apply it.
        UniqueConstraint("store_id", "cause_type", "cause_key"),
        # A reward leaves "pending" once: by its release or by its cancellation, never both.
        UniqueConstraint("store_id", "settles_id"),
        # A reward is reversed at most once, whatever the reason.
        UniqueConstraint("store_id", "reverses_id"),
        # serves: a customer's entries, newest pages by id (GET /customers/{id}/rewards)
        Index("ix_reward_transactions_store_customer", "store_id", "customer_id"),
        # serves: the release job's scan for held rewards that are due
        Index("ix_reward_transactions_hold_until", "hold_until"),
        CheckConstraint("amount > 0", name="amount"),
        CheckConstraint("shortfall >= 0", name="shortfall"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    type: Mapped[TransactionType] = mapped_column(string_enum(TransactionType, "reward_transaction_type"))
    cause_type: Mapped[str] = mapped_column(String(64))
    cause_key: Mapped[str] = mapped_column(String(255))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    kind: Mapped[RewardKind] = mapped_column(string_enum(RewardKind, "reward_kind"))
    unit: Mapped[str] = mapped_column(String(3))
    # The size of the movement, always positive; the postings say which way it went.
    amount: Mapped[int] = mapped_column(BigInteger)
    # Rewards only: while in the future the reward is pending; the release job moves it when it is due.
    hold_until: Mapped[datetime | None]
    settles_id: Mapped[int | None] = mapped_column(ForeignKey("reward_transactions.id"))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("reward_transactions.id"))
    # Reversals only: what could not be clawed back because the customer had already spent it.
    shortfall: Mapped[int] = mapped_column(BigInteger, default=0)
    memo: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class RewardPosting(StoreScoped, Base):
    __tablename__ = "reward_postings"
    __table_args__ = (
        # serves: balances (sum by account) and the zero-sum check over a store
        Index("ix_reward_postings_store_account", "store_id", "account_id"),
        # serves: a transaction's postings
        Index("ix_reward_postings_transaction", "transaction_id"),
        CheckConstraint("amount <> 0", name="amount"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("reward_transactions.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("reward_accounts.id", ondelete="CASCADE"))
    amount: Mapped[int] = mapped_column(BigInteger)


class Coupon(StoreScoped, Base):
    __tablename__ = "coupons"
    __table_args__ = (
        UniqueConstraint("store_id", "code"),
        UniqueConstraint("store_id", "cause_type", "cause_key"),
        # serves: a customer's coupons (member page, privacy export)
        Index("ix_coupons_store_customer", "store_id", "customer_id"),
        CheckConstraint("(percent_off IS NULL) <> (amount_off_minor IS NULL)", name="one_discount"),
        CheckConstraint("percent_off IS NULL OR (percent_off BETWEEN 1 AND 100)", name="percent"),
        CheckConstraint("amount_off_minor IS NULL OR amount_off_minor > 0", name="amount"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    code: Mapped[str] = mapped_column(String(32))
    cause_type: Mapped[str] = mapped_column(String(64))
    cause_key: Mapped[str] = mapped_column(String(255))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    percent_off: Mapped[int | None] = mapped_column(Integer)
    amount_off_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    min_order_minor: Mapped[int | None] = mapped_column(BigInteger)
    expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class CouponRedemption(StoreScoped, Base):
    __tablename__ = "coupon_redemptions"
    # Single use is this constraint: of concurrent redemptions, the database lets exactly one in.
    __table_args__ = (UniqueConstraint("store_id", "coupon_id"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    coupon_id: Mapped[int] = mapped_column(ForeignKey("coupons.id", ondelete="CASCADE"))
    order_external_id: Mapped[str] = mapped_column(String(255))
    redeemed_at: Mapped[datetime] = mapped_column(default=utc_now)


class MemberTier(StoreScoped, Base):
    """One rung of a store's ladder. Tiers dropped from the ladder are retired, not deleted: history names them."""

    __tablename__ = "member_tiers"
    __table_args__ = (
        UniqueConstraint("store_id", "name"),
        CheckConstraint("discount_percent BETWEEN 0 AND 100", name="discount"),
        CheckConstraint("reward_multiplier_permille >= 0", name="multiplier"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    # A member reaches the tier by spend or by successful referrals, whichever threshold is set and met.
    min_spend_minor: Mapped[int | None] = mapped_column(BigInteger)
    min_referrals: Mapped[int | None] = mapped_column(Integer)
    discount_percent: Mapped[int] = mapped_column(Integer, default=0)
    reward_multiplier_permille: Mapped[int] = mapped_column(Integer, default=1000)
    birthday_percent_off: Mapped[int | None] = mapped_column(Integer)
    retired_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class Member(StoreScoped, Base):
    """A customer in the member club: current tier, what it was judged on, and the profile (birthday)."""

    __tablename__ = "members"
    __table_args__ = (
        UniqueConstraint("store_id", "customer_id"),
        # serves: the birthday job's scan for today's birthdays
        Index("ix_members_birthday", "birth_month", "birth_day"),
        # serves: coupons issued to a whole tier
        Index("ix_members_store_tier", "store_id", "tier_id"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    tier_id: Mapped[int | None] = mapped_column(ForeignKey("member_tiers.id", ondelete="SET NULL"))
    spend_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    successful_referrals: Mapped[int] = mapped_column(Integer, default=0)
    birth_month: Mapped[int | None] = mapped_column(Integer)
    birth_day: Mapped[int | None] = mapped_column(Integer)
    birth_year: Mapped[int | None] = mapped_column(Integer)
    time_zone: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)


class MemberTierChange(StoreScoped, Base):
    """Appended whenever a member's tier changes: from where, to where, why and when."""

    __tablename__ = "member_tier_changes"
    # serves: a member's tier history
    __table_args__ = (Index("ix_member_tier_changes_store_customer", "store_id", "customer_id"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    from_tier_id: Mapped[int | None] = mapped_column(ForeignKey("member_tiers.id", ondelete="SET NULL"))
    to_tier_id: Mapped[int | None] = mapped_column(ForeignKey("member_tiers.id", ondelete="SET NULL"))
    spend_minor: Mapped[int] = mapped_column(BigInteger)
    successful_referrals: Mapped[int] = mapped_column(Integer)
    changed_at: Mapped[datetime] = mapped_column(default=utc_now)
