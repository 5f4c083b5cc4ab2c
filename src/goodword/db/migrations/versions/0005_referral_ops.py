"""referral operations: fraud signals, follow-ups, reminders, offer experiments

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 13:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import goodword.db.base

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "referral_announcements",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("subjects", sa.JSON(), nullable=False),
        sa.Column("bodies", sa.JSON(), nullable=False),
        sa.Column("segment", sa.JSON(), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", goodword.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("store_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["stores.id"],
            name=op.f("fk_referral_announcements_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_announcements")),
    )
    with op.batch_alter_table("referral_announcements", schema=None) as batch_op:
        batch_op.create_index("ix_referral_announcements_store", ["store_id", "id"], unique=False)

    op.create_table(
        "referral_ops_policies",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", goodword.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("store_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["stores.id"],
            name=op.f("fk_referral_ops_policies_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_ops_policies")),
        sa.UniqueConstraint("store_id", name=op.f("uq_referral_ops_policies_store_id")),
    )
    op.create_table(
        "offer_experiments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("program_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "allocation",
            sa.Enum("fixed", "thompson", name="offer_allocation", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("started_at", goodword.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("stopped_at", goodword.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("stopped_by", sa.String(length=200), nullable=True),
        sa.Column("store_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["referral_programs.id"],
            name=op.f("fk_offer_experiments_program_id_referral_programs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_offer_experiments_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer_experiments")),
    )
    with op.batch_alter_table("offer_experiments", schema=None) as batch_op:
        batch_op.create_index("ix_offer_experiments_store_program", ["store_id", "program_id"], unique=False)

    op.create_table(
        "referral_follow_ups",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "subject",
            sa.Enum("invitation", "referral", name="follow_up_subject", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("subject_id", sa.BigInteger(), nullable=False),
        sa.Column("customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("claimed_by", sa.String(length=200), nullable=False),
        sa.Column("claimed_at", goodword.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", goodword.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=200), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("store_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_referral_follow_ups_customer_id_customers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["stores.id"],
            name=op.f("fk_referral_follow_ups_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_follow_ups")),
        sa.UniqueConstraint(
            "store_id",
            "subject",
            "subject_id",
            name=op.f("uq_referral_follow_ups_store_id_subject_subject_id"),
        ),
    )
    with op.batch_alter_table("referral_follow_ups", schema=None) as batch_op:
        batch_op.create_index("ix_referral_follow_ups_store_closed", ["store_id", "closed_at"], unique=False)

    op.create_table(
        "offer_variants",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("experiment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("store_id", sa.String(length=32), nullable=False),
        sa.CheckConstraint("weight >= 0", name=op.f("ck_offer_variants_weight")),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["offer_experiments.id"],
            name=op.f("fk_offer_variants_experiment_id_offer_experiments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_offer_variants_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer_variants")),
        sa.UniqueConstraint(
            "experiment_id", "position", name=op.f("uq_offer_variants_experiment_id_position")
        ),
    )
    with op.batch_alter_table("offer_variants", schema=None) as batch_op:
        batch_op.create_index(
            "ix_offer_variants_store_experiment", ["store_id", "experiment_id"], unique=False
        )

    op.create_table(
        "referral_follow_up_notes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("follow_up_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("created_at", goodword.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("store_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["follow_up_id"],
            ["referral_follow_ups.id"],
            name=op.f("fk_referral_follow_up_notes_follow_up_id_referral_follow_ups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["stores.id"],
            name=op.f("fk_referral_follow_up_notes_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_follow_up_notes")),
    )
    with op.batch_alter_table("referral_follow_up_notes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_referral_follow_up_notes_store_follow_up", ["store_id", "follow_up_id"], unique=False
        )

    op.create_table(
        "referral_fraud_assessments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("referral_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "referrer_customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "referred_customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("held", sa.Boolean(), nullable=False),
        sa.Column("policy", sa.JSON(), nullable=False),
        sa.Column("assessed_at", goodword.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("store_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_referral_fraud_assessments_referral_id_referrals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["referred_customer_id"],
            ["customers.id"],
            name=op.f("fk_referral_fraud_assessments_referred_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["referrer_customer_id"],
            ["customers.id"],
            name=op.f("fk_referral_fraud_assessments_referrer_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["stores.id"],
            name=op.f("fk_referral_fraud_assessments_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_fraud_assessments")),
        sa.UniqueConstraint(
            "store_id", "referral_id", name=op.f("uq_referral_fraud_assessments_store_id_referral_id")
        ),
    )
    with op.batch_alter_table("referral_fraud_assessments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_referral_fraud_assessments_store_held", ["store_id", "held", "id"], unique=False
        )
        batch_op.create_index(
            "ix_referral_fraud_assessments_store_referrer",
            ["store_id", "referrer_customer_id", "assessed_at"],
            unique=False,
        )

    op.create_table(
        "referral_review_decisions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("referral_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "decision",
            sa.Enum("approve", "reject", name="referral_review_decision", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("decided_at", goodword.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("store_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_referral_review_decisions_referral_id_referrals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["stores.id"],
            name=op.f("fk_referral_review_decisions_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_review_decisions")),
        sa.UniqueConstraint(
            "store_id", "referral_id", name=op.f("uq_referral_review_decisions_store_id_referral_id")
        ),
    )
    op.create_table(
        "referral_signals",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("referral_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "email",
                "phone",
                "ip",
                "ip_ua",
                "device",
                "payment",
                "address",
                name="referral_signal_kind",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("value_hash", sa.String(length=64), nullable=False),
        sa.Column("seen_at", goodword.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("store_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_referral_signals_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_referral_signals_referral_id_referrals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_referral_signals_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_signals")),
    )
    with op.batch_alter_table("referral_signals", schema=None) as batch_op:
        batch_op.create_index("ix_referral_signals_store_customer", ["store_id", "customer_id"], unique=False)
        batch_op.create_index(
            "ix_referral_signals_store_kind_hash", ["store_id", "kind", "value_hash", "seen_at"], unique=False
        )

    op.create_table(
        "offer_assignments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("experiment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("variant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "referrer_customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("assigned_at", goodword.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("store_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["offer_experiments.id"],
            name=op.f("fk_offer_assignments_experiment_id_offer_experiments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["referrer_customer_id"],
            ["customers.id"],
            name=op.f("fk_offer_assignments_referrer_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_offer_assignments_store_id_stores"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["variant_id"],
            ["offer_variants.id"],
            name=op.f("fk_offer_assignments_variant_id_offer_variants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer_assignments")),
        sa.UniqueConstraint(
            "store_id", "experiment_id", "referrer_customer_id", name="uq_offer_assignments_referrer"
        ),
    )
    with op.batch_alter_table("offer_assignments", schema=None) as batch_op:
        batch_op.create_index("ix_offer_assignments_store_variant", ["store_id", "variant_id"], unique=False)

    op.create_table(
        "referral_fraud_findings",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("assessment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("referral_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.Column("created_at", goodword.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("store_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["referral_fraud_assessments.id"],
            name="fk_referral_fraud_findings_assessment",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_referral_fraud_findings_referral_id_referrals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["stores.id"],
            name=op.f("fk_referral_fraud_findings_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_fraud_findings")),
    )
    with op.batch_alter_table("referral_fraud_findings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_referral_fraud_findings_store_referral", ["store_id", "referral_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("referral_fraud_findings", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_fraud_findings_store_referral")

    op.drop_table("referral_fraud_findings")
    with op.batch_alter_table("offer_assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_offer_assignments_store_variant")

    op.drop_table("offer_assignments")
    with op.batch_alter_table("referral_signals", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_signals_store_kind_hash")
        batch_op.drop_index("ix_referral_signals_store_customer")

    op.drop_table("referral_signals")
    op.drop_table("referral_review_decisions")
    with op.batch_alter_table("referral_fraud_assessments", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_fraud_assessments_store_referrer")
        batch_op.drop_index("ix_referral_fraud_assessments_store_held")

    op.drop_table("referral_fraud_assessments")
    with op.batch_alter_table("referral_follow_up_notes", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_follow_up_notes_store_follow_up")

    op.drop_table("referral_follow_up_notes")
    with op.batch_alter_table("offer_variants", schema=None) as batch_op:
        batch_op.drop_index("ix_offer_variants_store_experiment")

    op.drop_table("offer_variants")
    with op.batch_alter_table("referral_follow_ups", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_follow_ups_store_closed")

    op.drop_table("referral_follow_ups")
    with op.batch_alter_table("offer_experiments", schema=None) as batch_op:
        batch_op.drop_index("ix_offer_experiments_store_program")

    op.drop_table("offer_experiments")
    op.drop_table("referral_ops_policies")
    with op.batch_alter_table("referral_announcements", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_announcements_store")

    op.drop_table("referral_announcements")
