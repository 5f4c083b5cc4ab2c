"""Tables of the referrals domain. Every row carries `store_id`.

A customer's `ReferralCode` is stable; a visit through it is a `ReferralClick` that hands the shop a token; a
friend who registers with that token (or a typed code, or an invited email or phone) becomes one `Referral`,
whose every change of status is appended to `ReferralStatusChange`. Each reward a referral earns is one
`ReferralReward` row whose `cause_key` is also the ledger cause's key: the same rule applied twice inserts
nothing the second time.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from goodword.clock import utc_now
from goodword.db.base import Base, BigIntId, StoreScoped, string_enum


class Audience(enum.StrEnum):
    """Who may refer friends in a program."""

    EVERYONE = "everyone"
    BUYERS = "buyers"  # customers with at least one paid order


class AttributionModel(enum.StrEnum):
    FIRST_TOUCH = "first_touch"
    LAST_TOUCH = "last_touch"


class ReferralStatus(enum.StrEnum):
    REGISTERED = "registered"  # attributed; the registration reward (if any) is due
    HELD = "held"  # the fraud guard found reasons; no reward until staff approve
    CONVERTED = "converted"  # the friend's first order was paid
    REJECTED = "rejected"  # staff refused it; earns nothing


class AttributedBy(enum.StrEnum):
    TOKEN = "token"  # noqa: S105 - a kind of reference, not a secret  # the token a click handed the shop (cookie or query parameter)
    CODE = "code"  # a code typed by the friend, for example at checkout
    INVITATION = "invitation"  # the friend's email or phone matched an invitation


class InvitationChannel(enum.StrEnum):
    EMAIL = "email"
    SMS = "sms"


class RewardRule(enum.StrEnum):
    """Which rule of a program earned a reward."""

    REGISTRATION = "registration"
    FIRST_ORDER = "first_order"
    ORDER_SHARE = "order_share"
    MILESTONE = "milestone"
    WELCOME = "welcome"  # the friend's welcome coupon


class RewardForm(enum.StrEnum):
    CREDIT = "credit"
    POINTS = "points"
    COUPON = "coupon"


class ReferralProgram(StoreScoped, Base):
    __tablename__ = "referral_programs"
    __table_args__ = (
        # serves: the programs running for a store at a moment (attribution, codes, listing)
        Index("ix_referral_programs_store_starts", "store_id", "starts_at"),
        CheckConstraint("attribution_window_days > 0", name="window"),
        CheckConstraint("hold_days >= 0", name="hold"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]
    audience: Mapped[Audience] = mapped_column(string_enum(Audience, "referral_audience"))
    terms_en: Mapped[str | None] = mapped_column(Text)
    terms_zh: Mapped[str | None] = mapped_column(Text)
    # The reward rules, as `programs.RewardRules` validates them (an experiment's variant has the same shape).
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)
    currency: Mapped[str] = mapped_column(String(3))
    attribution_window_days: Mapped[int] = mapped_column(Integer, default=30)
    attribution_model: Mapped[AttributionModel] = mapped_column(
        string_enum(AttributionModel, "attribution_model")
    )
    # Rewards for paid orders stay pending this long and are released only if the order stands.
    hold_days: Mapped[int] = mapped_column(Integer, default=14)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)


class ReferralCode(StoreScoped, Base):
    """A customer's stable short code; `/r/{code}` carries no store, so codes are unique across stores."""

    __tablename__ = "referral_codes"
    __table_args__ = (
        UniqueConstraint("code"),
        UniqueConstraint("store_id", "customer_id"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    # A retired code (its customer was erased) redirects to the shop without attribution.
    retired_at: Mapped[datetime | None]


class Invitation(StoreScoped, Base):
    """An invitation Goodword sent for a customer, tracked from sending to the friend's first paid order."""

    __tablename__ = "referral_invitations"
    __table_args__ = (
        UniqueConstraint("token"),
        # serves: a referrer's invitations, newest first; and the per-referrer sending rate limit
        Index("ix_referral_invitations_store_referrer", "store_id", "referrer_customer_id"),
        # serves: attribution of a registration by the invited email
        Index("ix_referral_invitations_store_email", "store_id", "email"),
        # serves: attribution of a registration by the invited phone
        Index("ix_referral_invitations_store_phone", "store_id", "phone"),
        # serves: staff follow-ups (invitations clicked a while ago whose friend has not registered)
        Index("ix_referral_invitations_store_clicked", "store_id", "clicked_at"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    referrer_customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    program_id: Mapped[int | None] = mapped_column(ForeignKey("referral_programs.id", ondelete="SET NULL"))
    channel: Mapped[InvitationChannel] = mapped_column(string_enum(InvitationChannel, "invitation_channel"))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(20))
    friend_name: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(String(1000))
    locale: Mapped[str | None] = mapped_column(String(35))
    # Carried in the invitation's link (`inv=`), so a click through it is tied to this invitation.
    token: Mapped[str] = mapped_column(String(64))
    send_count: Mapped[int] = mapped_column(Integer, default=0)
    last_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    sent_at: Mapped[datetime | None]
    last_sent_at: Mapped[datetime | None]
    clicked_at: Mapped[datetime | None]
    registered_at: Mapped[datetime | None]
    converted_at: Mapped[datetime | None]
    referral_id: Mapped[int | None] = mapped_column(BigInteger)


class ReferralClick(StoreScoped, Base):
    """One visit through a referral link; its token, handed to the shop, attributes what follows."""

    __tablename__ = "referral_clicks"
    __table_args__ = (
        UniqueConstraint("token"),
        # serves: a referrer's clicks (statistics, fraud checks)
        Index("ix_referral_clicks_store_code", "store_id", "code_id"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("referral_codes.id", ondelete="CASCADE"))
    referrer_customer_id: Mapped[int] = mapped_column(BigInteger)
    invitation_id: Mapped[int | None] = mapped_column(BigInteger)
    channel: Mapped[str | None] = mapped_column(String(16))
    token: Mapped[str] = mapped_column(String(64))
    # SHA-256 keyed with the store's secret: enough to compare visits, never the address or agent itself.
    ip_hash: Mapped[str | None] = mapped_column(String(64))
    user_agent_hash: Mapped[str | None] = mapped_column(String(64))
    clicked_at: Mapped[datetime]


class Referral(StoreScoped, Base):
    """A friend attributed to a referrer: one per referred customer per store, whoever got there first."""

    __tablename__ = "referrals"
    __table_args__ = (
        UniqueConstraint("store_id", "referred_customer_id"),
        # serves: a referrer's referrals (listing, milestones, monthly caps), by status
        Index("ix_referrals_store_referrer", "store_id", "referrer_customer_id", "status"),
        # serves: an offer experiment's report (its referrals by variant)
        Index("ix_referrals_store_variant", "store_id", "variant_id"),
        CheckConstraint("referrer_customer_id <> referred_customer_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("referral_programs.id", ondelete="CASCADE"))
    referrer_customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    referred_customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    status: Mapped[ReferralStatus] = mapped_column(string_enum(ReferralStatus, "referral_status"))
    attributed_by: Mapped[AttributedBy] = mapped_column(string_enum(AttributedBy, "referral_attributed_by"))
    channel: Mapped[str | None] = mapped_column(String(16))
    code_id: Mapped[int | None] = mapped_column(BigInteger)
    click_id: Mapped[int | None] = mapped_column(BigInteger)
    invitation_id: Mapped[int | None] = mapped_column(BigInteger)
    # The offer experiment's variant whose rules apply (engineer O's experiments), if any.
    variant_id: Mapped[int | None] = mapped_column(BigInteger)
    # The reward rules that apply, fixed when the referral was made: a later edit of the program changes
    # what new referrals earn, not what this one was promised.
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)
    first_order_id: Mapped[int | None] = mapped_column(BigInteger)
    registered_at: Mapped[datetime]
    converted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)


class ReferralStatusChange(StoreScoped, Base):
    """One change of a referral's status, appended: from, to, why, who and when."""

    __tablename__ = "referral_status_changes"
    __table_args__ = (
        # serves: a referral's history
        Index("ix_referral_status_changes_store_referral", "store_id", "referral_id"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"))
    from_status: Mapped[ReferralStatus | None] = mapped_column(string_enum(ReferralStatus, "referral_status"))
    to_status: Mapped[ReferralStatus] = mapped_column(string_enum(ReferralStatus, "referral_status"))
    reason: Mapped[str] = mapped_column(String(500))
    actor: Mapped[str] = mapped_column(String(200))  # "system", "fraud-guard", "staff:<id>"
    changed_at: Mapped[datetime]


class ReferralReward(StoreScoped, Base):
    """A reward a referral earned under one rule; `cause_key` is unique, so a rule pays once."""

    __tablename__ = "referral_rewards"
    __table_args__ = (
        UniqueConstraint("store_id", "cause_key"),
        # serves: a referral's rewards (clawback on refund, detail view)
        Index("ix_referral_rewards_store_referral", "store_id", "referral_id"),
        # serves: a beneficiary's rewards in a month (caps per referrer per month)
        Index("ix_referral_rewards_store_customer", "store_id", "customer_id", "earned_at"),
        CheckConstraint("amount >= 0", name="amount"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"))
    program_id: Mapped[int] = mapped_column(ForeignKey("referral_programs.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    rule: Mapped[RewardRule] = mapped_column(string_enum(RewardRule, "referral_reward_rule"))
    form: Mapped[RewardForm] = mapped_column(string_enum(RewardForm, "referral_reward_form"))
    # Minor units for credit and coupons' fixed amounts, points for points, percent for percentage coupons.
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    order_id: Mapped[int | None] = mapped_column(BigInteger)
    cause_key: Mapped[str] = mapped_column(String(200))
    earned_at: Mapped[datetime]
    # Set when the order behind it was refunded or cancelled and the ledger entry reversed.
    reversed_at: Mapped[datetime | None]
