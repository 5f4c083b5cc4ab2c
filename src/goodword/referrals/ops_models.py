"""Tables of the referral program's operations: fraud signals, follow-ups, reminders, offer experiments.

Decisions are appended: an assessment and its reasons, a review decision, a follow-up's notes. The rows that
do change (a store's policy, an experiment being stopped, a follow-up being closed) change once, by a guarded
UPDATE, and keep who and when beside the change.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
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


class SignalKind(enum.StrEnum):
    """What a stored signal hash is a hash of (each normalized first, see `normalize`)."""

    EMAIL = "email"
    PHONE = "phone"
    IP = "ip"
    IP_USER_AGENT = "ip_ua"
    DEVICE = "device"
    PAYMENT = "payment"
    ADDRESS = "address"


class ReviewDecision(enum.StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


class Allocation(enum.StrEnum):
    FIXED = "fixed"  # fixed weights, by a deterministic hash of the referrer
    THOMPSON = "thompson"  # Thompson sampling on each variant's conversion, seeded per referrer


class FollowUpSubject(enum.StrEnum):
    INVITATION = "invitation"  # clicked, never registered
    REFERRAL = "referral"  # registered, never bought


class OpsPolicy(StoreScoped, Base):
    """A store's thresholds and windows; a store without a row uses the defaults in `ops_policy`."""

    __tablename__ = "referral_ops_policies"
    __table_args__ = (UniqueConstraint("store_id"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    # The policy as `ops_policy.Policy` validates it; unknown keys are refused on the way in.
    values: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)


class ReferralSignal(StoreScoped, Base):
    """One hashed fact seen when a customer registered through a referral: who else shares it is a question."""

    __tablename__ = "referral_signals"
    __table_args__ = (
        # serves: other registrations with the same signal, and velocity per IP and per device per day
        Index("ix_referral_signals_store_kind_hash", "store_id", "kind", "value_hash", "seen_at"),
        # serves: a referrer's own signals, compared with their friend's
        Index("ix_referral_signals_store_customer", "store_id", "customer_id"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"))
    kind: Mapped[SignalKind] = mapped_column(string_enum(SignalKind, "referral_signal_kind"))
    value_hash: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[datetime]


class FraudAssessment(StoreScoped, Base):
    """The fraud guard's look at one new referral: held or not, under which thresholds."""

    __tablename__ = "referral_fraud_assessments"
    __table_args__ = (
        UniqueConstraint("store_id", "referral_id"),
        # serves: a referrer's registrations in a window (velocity, clusters of accounts made together)
        Index(
            "ix_referral_fraud_assessments_store_referrer", "store_id", "referrer_customer_id", "assessed_at"
        ),
        # serves: the review queue (held referrals, oldest first)
        Index("ix_referral_fraud_assessments_store_held", "store_id", "held", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"))
    referrer_customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    referred_customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    held: Mapped[bool] = mapped_column(Boolean)
    # The thresholds in force, so a decision can be explained after the policy has changed.
    policy: Mapped[dict[str, Any]] = mapped_column(JSON)
    assessed_at: Mapped[datetime]


class FraudFinding(StoreScoped, Base):
    """One reason the fraud guard gave, in words staff can read."""

    __tablename__ = "referral_fraud_findings"
    __table_args__ = (
        # serves: a referral's reasons (review queue, GET fraud-reasons)
        Index("ix_referral_fraud_findings_store_referral", "store_id", "referral_id"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey(
            "referral_fraud_assessments.id", ondelete="CASCADE", name="fk_referral_fraud_findings_assessment"
        )
    )
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime]


class ReviewDecisionRecord(StoreScoped, Base):
    """Staff's decision on a held referral; one per referral, which the unique key enforces."""

    __tablename__ = "referral_review_decisions"
    __table_args__ = (UniqueConstraint("store_id", "referral_id"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"))
    decision: Mapped[ReviewDecision] = mapped_column(string_enum(ReviewDecision, "referral_review_decision"))
    note: Mapped[str | None] = mapped_column(String(1000))
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime]


class OfferExperiment(StoreScoped, Base):
    """A split of a program's referrers between reward variants."""

    __tablename__ = "offer_experiments"
    __table_args__ = (
        # serves: a program's experiments, and the running one
        Index("ix_offer_experiments_store_program", "store_id", "program_id"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("referral_programs.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    allocation: Mapped[Allocation] = mapped_column(string_enum(Allocation, "offer_allocation"))
    seed: Mapped[int] = mapped_column(BigInteger)
    created_by: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime]
    stopped_at: Mapped[datetime | None]
    stopped_by: Mapped[str | None] = mapped_column(String(200))


class OfferVariant(StoreScoped, Base):
    __tablename__ = "offer_variants"
    __table_args__ = (
        UniqueConstraint("experiment_id", "position"),
        # serves: an experiment's variants, in order
        Index("ix_offer_variants_store_experiment", "store_id", "experiment_id"),
        CheckConstraint("weight >= 0", name="weight"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    experiment_id: Mapped[int] = mapped_column(ForeignKey("offer_experiments.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    weight: Mapped[int] = mapped_column(Integer)
    # Overrides of the program's reward rules, the same shape as `ReferralProgram.rules`.
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)


class OfferAssignment(StoreScoped, Base):
    """Which variant a referrer is in; written on first need and never changed."""

    __tablename__ = "offer_assignments"
    __table_args__ = (
        UniqueConstraint(
            "store_id", "experiment_id", "referrer_customer_id", name="uq_offer_assignments_referrer"
        ),
        # serves: a variant's referrers (the report, Thompson sampling's counts)
        Index("ix_offer_assignments_store_variant", "store_id", "variant_id"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    experiment_id: Mapped[int] = mapped_column(ForeignKey("offer_experiments.id", ondelete="CASCADE"))
    variant_id: Mapped[int] = mapped_column(ForeignKey("offer_variants.id", ondelete="CASCADE"))
    referrer_customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    assigned_at: Mapped[datetime]


class FollowUp(StoreScoped, Base):
    """A stalled invitation or referral that a member of staff claimed, to call or write personally."""

    __tablename__ = "referral_follow_ups"
    __table_args__ = (
        UniqueConstraint("store_id", "subject", "subject_id"),
        # serves: the open follow-ups (listing, claimed or not)
        Index("ix_referral_follow_ups_store_closed", "store_id", "closed_at"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    subject: Mapped[FollowUpSubject] = mapped_column(string_enum(FollowUpSubject, "follow_up_subject"))
    subject_id: Mapped[int] = mapped_column(BigInteger)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    claimed_by: Mapped[str] = mapped_column(String(200))
    claimed_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(200))
    outcome: Mapped[str | None] = mapped_column(String(32))


class FollowUpNote(StoreScoped, Base):
    """A note on a follow-up, appended; closing one appends its last note too."""

    __tablename__ = "referral_follow_up_notes"
    __table_args__ = (
        # serves: a follow-up's notes
        Index("ix_referral_follow_up_notes_store_follow_up", "store_id", "follow_up_id"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    follow_up_id: Mapped[int] = mapped_column(ForeignKey("referral_follow_ups.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class Announcement(StoreScoped, Base):
    """A message to a segment of customers, sent through the outbox as marketing."""

    __tablename__ = "referral_announcements"
    __table_args__ = (
        # serves: the store's announcements, newest first
        Index("ix_referral_announcements_store", "store_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    subjects: Mapped[dict[str, Any]] = mapped_column(JSON)  # locale ("en", "zh") → subject line
    bodies: Mapped[dict[str, Any]] = mapped_column(JSON)  # locale → plain text
    segment: Mapped[dict[str, Any]] = mapped_column(JSON)
    recipients: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
