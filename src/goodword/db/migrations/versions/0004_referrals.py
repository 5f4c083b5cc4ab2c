"""referrals: programs, codes, invitations, clicks, referrals

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 13:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import goodword.db.base

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "referral_programs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("starts_at", goodword.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", goodword.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "audience",
            sa.Enum("everyone", "buyers", name="referral_audience", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("terms_en", sa.Text(), nullable=True),
        sa.Column("terms_zh", sa.Text(), nullable=True),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("attribution_window_days", sa.Integer(), nullable=False),
        sa.Column(
            "attribution_model",
            sa.Enum("first_touch", "last_touch", name="attribution_model", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("hold_days", sa.Integer(), nullable=False),
        sa.Column("created_at", goodword.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", goodword.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("store_id", sa.String(length=32), nullable=False),
        sa.CheckConstraint("attribution_window_days > 0", name=op.f("ck_referral_programs_window")),
        sa.CheckConstraint("hold_days >= 0", name=op.f("ck_referral_programs_hold")),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_referral_programs_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_programs")),
    )
    with op.batch_alter_table("referral_programs", schema=None) as batch_op:
        batch_op.create_index("ix_referral_programs_store_starts", ["store_id", "starts_at"], unique=False)

    op.create_table(
        "referral_codes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("created_at", goodword.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("retired_at", goodword.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("store_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_referral_codes_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_referral_codes_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_codes")),
        sa.UniqueConstraint("code", name=op.f("uq_referral_codes_code")),
        sa.UniqueConstraint("store_id", "customer_id", name=op.f("uq_referral_codes_store_id_customer_id")),
    )
    op.create_table(
        "referral_invitations",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "referrer_customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("program_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "channel",
            sa.Enum("email", "sms", name="invitation_channel", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("friend_name", sa.String(length=200), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("locale", sa.String(length=35), nullable=True),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("send_count", sa.Integer(), nullable=False),
        sa.Column("last_message_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", goodword.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", goodword.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_sent_at", goodword.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("clicked_at", goodword.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("registered_at", goodword.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("converted_at", goodword.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("referral_id", sa.BigInteger(), nullable=True),
        sa.Column("store_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["referral_programs.id"],
            name=op.f("fk_referral_invitations_program_id_referral_programs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["referrer_customer_id"],
            ["customers.id"],
            name=op.f("fk_referral_invitations_referrer_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["stores.id"],
            name=op.f("fk_referral_invitations_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_invitations")),
        sa.UniqueConstraint("token", name=op.f("uq_referral_invitations_token")),
    )
    with op.batch_alter_table("referral_invitations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_referral_invitations_store_clicked", ["store_id", "clicked_at"], unique=False
        )
        batch_op.create_index("ix_referral_invitations_store_email", ["store_id", "email"], unique=False)
        batch_op.create_index("ix_referral_invitations_store_phone", ["store_id", "phone"], unique=False)
        batch_op.create_index(
            "ix_referral_invitations_store_referrer", ["store_id", "referrer_customer_id"], unique=False
        )

    op.create_table(
        "referrals",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("program_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "referrer_customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "referred_customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "status",
            sa.Enum(
                "registered",
                "held",
                "converted",
                "rejected",
                name="referral_status",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "attributed_by",
            sa.Enum(
                "token", "code", "invitation", name="referral_attributed_by", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("code_id", sa.BigInteger(), nullable=True),
        sa.Column("click_id", sa.BigInteger(), nullable=True),
        sa.Column("invitation_id", sa.BigInteger(), nullable=True),
        sa.Column("variant_id", sa.BigInteger(), nullable=True),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("first_order_id", sa.BigInteger(), nullable=True),
        sa.Column("registered_at", goodword.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("converted_at", goodword.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", goodword.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", goodword.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("store_id", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "referrer_customer_id <> referred_customer_id", name=op.f("ck_referrals_not_self")
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["referral_programs.id"],
            name=op.f("fk_referrals_program_id_referral_programs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["referred_customer_id"],
            ["customers.id"],
            name=op.f("fk_referrals_referred_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["referrer_customer_id"],
            ["customers.id"],
            name=op.f("fk_referrals_referrer_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_referrals_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
        sa.UniqueConstraint(
            "store_id", "referred_customer_id", name=op.f("uq_referrals_store_id_referred_customer_id")
        ),
    )
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_referrals_store_referrer", ["store_id", "referrer_customer_id", "status"], unique=False
        )
        batch_op.create_index("ix_referrals_store_variant", ["store_id", "variant_id"], unique=False)

    op.create_table(
        "referral_clicks",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("code_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("referrer_customer_id", sa.BigInteger(), nullable=False),
        sa.Column("invitation_id", sa.BigInteger(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("ip_hash", sa.String(length=64), nullable=True),
        sa.Column("user_agent_hash", sa.String(length=64), nullable=True),
        sa.Column("clicked_at", goodword.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("store_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["code_id"],
            ["referral_codes.id"],
            name=op.f("fk_referral_clicks_code_id_referral_codes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_referral_clicks_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_clicks")),
        sa.UniqueConstraint("token", name=op.f("uq_referral_clicks_token")),
    )
    with op.batch_alter_table("referral_clicks", schema=None) as batch_op:
        batch_op.create_index("ix_referral_clicks_store_code", ["store_id", "code_id"], unique=False)

    op.create_table(
        "referral_rewards",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("referral_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("program_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "rule",
            sa.Enum(
                "registration",
                "first_order",
                "order_share",
                "milestone",
                "welcome",
                name="referral_reward_rule",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "form",
            sa.Enum("credit", "points", "coupon", name="referral_reward_form", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("order_id", sa.BigInteger(), nullable=True),
        sa.Column("cause_key", sa.String(length=200), nullable=False),
        sa.Column("earned_at", goodword.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reversed_at", goodword.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("store_id", sa.String(length=32), nullable=False),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_referral_rewards_amount")),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_referral_rewards_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["referral_programs.id"],
            name=op.f("fk_referral_rewards_program_id_referral_programs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_referral_rewards_referral_id_referrals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_referral_rewards_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_rewards")),
        sa.UniqueConstraint("store_id", "cause_key", name=op.f("uq_referral_rewards_store_id_cause_key")),
    )
    with op.batch_alter_table("referral_rewards", schema=None) as batch_op:
        batch_op.create_index(
            "ix_referral_rewards_store_customer", ["store_id", "customer_id", "earned_at"], unique=False
        )
        batch_op.create_index("ix_referral_rewards_store_referral", ["store_id", "referral_id"], unique=False)

    op.create_table(
        "referral_status_changes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("referral_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "from_status",
            sa.Enum(
                "registered",
                "held",
                "converted",
                "rejected",
                name="referral_status",
                native_enum=False,
                length=16,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_status",
            sa.Enum(
                "registered",
                "held",
                "converted",
                "rejected",
                name="referral_status",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("changed_at", goodword.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("store_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_referral_status_changes_referral_id_referrals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["stores.id"],
            name=op.f("fk_referral_status_changes_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_status_changes")),
    )
    with op.batch_alter_table("referral_status_changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_referral_status_changes_store_referral", ["store_id", "referral_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("referral_status_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_status_changes_store_referral")

    op.drop_table("referral_status_changes")
    with op.batch_alter_table("referral_rewards", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_rewards_store_referral")
        batch_op.drop_index("ix_referral_rewards_store_customer")

    op.drop_table("referral_rewards")
    with op.batch_alter_table("referral_clicks", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_clicks_store_code")

    op.drop_table("referral_clicks")
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index("ix_referrals_store_variant")
        batch_op.drop_index("ix_referrals_store_referrer")

    op.drop_table("referrals")
    with op.batch_alter_table("referral_invitations", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_invitations_store_clicked")
        batch_op.drop_index("ix_referral_invitations_store_referrer")
        batch_op.drop_index("ix_referral_invitations_store_phone")
        batch_op.drop_index("ix_referral_invitations_store_email")

    op.drop_table("referral_invitations")
    op.drop_table("referral_codes")
    with op.batch_alter_table("referral_programs", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_programs_store_starts")

    op.drop_table("referral_programs")
