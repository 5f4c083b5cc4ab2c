"""reviews: requests, reviews, photos, questions, answers, votes, replies, moderation

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 13:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import goodword.db.base

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "moderation_decisions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "subject",
            sa.Enum("review", "question", "answer", name="moderation_subject", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("subject_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.Column("created_at", goodword.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("store_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["stores.id"],
            name=op.f("fk_moderation_decisions_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_decisions")),
    )
    with op.batch_alter_table("moderation_decisions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_moderation_decisions_subject", ["store_id", "subject", "subject_id", "id"], unique=False
        )

    op.create_table(
        "review_settings",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("requests_enabled", sa.Boolean(), nullable=False),
        sa.Column(
            "request_channel",
            sa.Enum("email", "sms", name="request_channel", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("request_delay_days", sa.Integer(), nullable=False),
        sa.Column("reminder_enabled", sa.Boolean(), nullable=False),
        sa.Column("reminder_delay_days", sa.Integer(), nullable=False),
        sa.Column("link_valid_days", sa.Integer(), nullable=False),
        sa.Column("ask_recommendation", sa.Boolean(), nullable=False),
        sa.Column("auto_publish_min_rating", sa.SmallInteger(), nullable=True),
        sa.Column("auto_publish_verified_only", sa.Boolean(), nullable=False),
        sa.Column("rewards_reviews", sa.Boolean(), nullable=False),
        sa.Column("updated_at", goodword.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("store_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_review_settings_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_settings")),
        sa.UniqueConstraint("store_id", name=op.f("uq_review_settings_store_id")),
    )
    op.create_table(
        "votes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "subject",
            sa.Enum("review", "question", "answer", name="vote_subject", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("subject_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("voter", sa.String(length=100), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("created_at", goodword.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", goodword.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("store_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_votes_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_votes")),
        sa.UniqueConstraint(
            "store_id",
            "subject",
            "subject_id",
            "voter",
            name=op.f("uq_votes_store_id_subject_subject_id_voter"),
        ),
    )
    op.create_table(
        "product_rating_summaries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("product_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("review_count", sa.Integer(), nullable=False),
        sa.Column("rating_sum", sa.Integer(), nullable=False),
        sa.Column("count_1", sa.Integer(), nullable=False),
        sa.Column("count_2", sa.Integer(), nullable=False),
        sa.Column("count_3", sa.Integer(), nullable=False),
        sa.Column("count_4", sa.Integer(), nullable=False),
        sa.Column("count_5", sa.Integer(), nullable=False),
        sa.Column("updated_at", goodword.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("store_id", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "review_count = count_1 + count_2 + count_3 + count_4 + count_5",
            name=op.f("ck_product_rating_summaries_counts_add_up"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_product_rating_summaries_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["stores.id"],
            name=op.f("fk_product_rating_summaries_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_rating_summaries")),
        sa.UniqueConstraint(
            "store_id", "product_id", name=op.f("uq_product_rating_summaries_store_id_product_id")
        ),
    )
    op.create_table(
        "questions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("product_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column("author_email", sa.String(length=320), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "unconfirmed",
                "pending",
                "published",
                "hidden",
                "rejected",
                name="question_status",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("answer_count", sa.Integer(), nullable=False),
        sa.Column("created_at", goodword.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", goodword.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("published_at", goodword.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("store_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_questions_customer_id_customers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_questions_product_id_products"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_questions_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questions")),
    )
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_questions_product_newest",
            ["store_id", "product_id", "status", "published_at", "id"],
            unique=False,
        )
        batch_op.create_index("ix_questions_store_status", ["store_id", "status", "id"], unique=False)

    op.create_table(
        "answers",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("question_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column("official", sa.Boolean(), nullable=False),
        sa.Column("verified_buyer", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "published",
                "hidden",
                "rejected",
                name="answer_status",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("helpful_count", sa.Integer(), nullable=False),
        sa.Column("unhelpful_count", sa.Integer(), nullable=False),
        sa.Column("created_at", goodword.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_at", goodword.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("store_id", sa.String(length=32), nullable=False),
        sa.CheckConstraint("helpful_count >= 0 AND unhelpful_count >= 0", name=op.f("ck_answers_votes")),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_answers_customer_id_customers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
            name=op.f("fk_answers_question_id_questions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_answers_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answers")),
    )
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_answers_store_question", ["store_id", "question_id", "status", "id"], unique=False
        )

    op.create_table(
        "recommendation_scores",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        sa.Column("created_at", goodword.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("store_id", sa.String(length=32), nullable=False),
        sa.CheckConstraint("score BETWEEN 0 AND 10", name=op.f("ck_recommendation_scores_score")),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_recommendation_scores_customer_id_customers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_recommendation_scores_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["stores.id"],
            name=op.f("fk_recommendation_scores_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation_scores")),
        sa.UniqueConstraint("store_id", "order_id", name=op.f("uq_recommendation_scores_store_id_order_id")),
    )
    with op.batch_alter_table("recommendation_scores", schema=None) as batch_op:
        batch_op.create_index(
            "ix_recommendation_scores_store_created", ["store_id", "created_at"], unique=False
        )

    op.create_table(
        "review_requests",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("order_line_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("product_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "channel",
            sa.Enum("email", "sms", name="request_channel", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("send_at", goodword.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", goodword.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("expires_at", goodword.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reminder_due_at", goodword.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", goodword.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("used_at", goodword.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("review_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("created_at", goodword.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("store_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_review_requests_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_review_requests_order_id_orders"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_lines.id"],
            name=op.f("fk_review_requests_order_line_id_order_lines"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_review_requests_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_review_requests_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_requests")),
        sa.UniqueConstraint(
            "store_id", "order_id", "product_id", name=op.f("uq_review_requests_store_id_order_id_product_id")
        ),
    )
    with op.batch_alter_table("review_requests", schema=None) as batch_op:
        batch_op.create_index("ix_review_requests_reminder_due", ["reminder_due_at"], unique=False)
        batch_op.create_index("ix_review_requests_send_due", ["sent_at", "send_at"], unique=False)
        batch_op.create_index("ix_review_requests_store_order", ["store_id", "order_id"], unique=False)

    op.create_table(
        "reviews",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("product_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("order_line_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("request_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column("author_email", sa.String(length=320), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "published",
                "hidden",
                "rejected",
                name="review_status",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("verified_buyer", sa.Boolean(), nullable=False),
        sa.Column("incentivized", sa.Boolean(), nullable=False),
        sa.Column("imported_from", sa.String(length=32), nullable=True),
        sa.Column("external_id", sa.String(length=255), nullable=True),
        sa.Column("helpful_count", sa.Integer(), nullable=False),
        sa.Column("unhelpful_count", sa.Integer(), nullable=False),
        sa.Column("photo_count", sa.Integer(), nullable=False),
        sa.Column("created_at", goodword.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_at", goodword.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", goodword.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("store_id", sa.String(length=32), nullable=False),
        sa.CheckConstraint("helpful_count >= 0 AND unhelpful_count >= 0", name=op.f("ck_reviews_votes")),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_reviews_rating")),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_reviews_customer_id_customers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_reviews_order_id_orders"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_lines.id"],
            name=op.f("fk_reviews_order_line_id_order_lines"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_reviews_product_id_products"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_reviews_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        sa.UniqueConstraint(
            "store_id",
            "customer_id",
            "product_id",
            "order_id",
            name=op.f("uq_reviews_store_id_customer_id_product_id_order_id"),
        ),
        sa.UniqueConstraint(
            "store_id",
            "imported_from",
            "external_id",
            name=op.f("uq_reviews_store_id_imported_from_external_id"),
        ),
    )
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reviews_product_helpful",
            ["store_id", "product_id", "status", "helpful_count", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_reviews_product_newest",
            ["store_id", "product_id", "status", "published_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_reviews_product_rating", ["store_id", "product_id", "status", "rating", "id"], unique=False
        )
        batch_op.create_index("ix_reviews_store_customer", ["store_id", "customer_id"], unique=False)
        batch_op.create_index(
            "ix_reviews_store_published", ["store_id", "status", "published_at", "id"], unique=False
        )
        batch_op.create_index("ix_reviews_store_status", ["store_id", "status", "id"], unique=False)

    op.create_table(
        "review_photos",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("review_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("file_key", sa.String(length=100), nullable=False),
        sa.Column("thumbnail_key", sa.String(length=100), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("created_at", goodword.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("store_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_review_photos_review_id_reviews"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_review_photos_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_photos")),
        sa.UniqueConstraint("store_id", "file_key", name=op.f("uq_review_photos_store_id_file_key")),
    )
    with op.batch_alter_table("review_photos", schema=None) as batch_op:
        batch_op.create_index("ix_review_photos_store_review", ["store_id", "review_id"], unique=False)

    op.create_table(
        "review_replies",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("review_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "visibility",
            sa.Enum("public", "private", name="reply_visibility", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("created_at", goodword.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("store_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_review_replies_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_review_replies_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_replies")),
    )
    with op.batch_alter_table("review_replies", schema=None) as batch_op:
        batch_op.create_index("ix_review_replies_store_review", ["store_id", "review_id", "id"], unique=False)

    op.create_table(
        "review_revisions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("review_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("edited_by", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", goodword.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("store_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_review_revisions_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_review_revisions_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_revisions")),
        sa.UniqueConstraint(
            "store_id", "review_id", "revision", name=op.f("uq_review_revisions_store_id_review_id_revision")
        ),
    )


def downgrade() -> None:
    op.drop_table("review_revisions")
    with op.batch_alter_table("review_replies", schema=None) as batch_op:
        batch_op.drop_index("ix_review_replies_store_review")

    op.drop_table("review_replies")
    with op.batch_alter_table("review_photos", schema=None) as batch_op:
        batch_op.drop_index("ix_review_photos_store_review")

    op.drop_table("review_photos")
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_reviews_store_status")
        batch_op.drop_index("ix_reviews_store_published")
        batch_op.drop_index("ix_reviews_store_customer")
        batch_op.drop_index("ix_reviews_product_rating")
        batch_op.drop_index("ix_reviews_product_newest")
        batch_op.drop_index("ix_reviews_product_helpful")

    op.drop_table("reviews")
    with op.batch_alter_table("review_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_review_requests_store_order")
        batch_op.drop_index("ix_review_requests_send_due")
        batch_op.drop_index("ix_review_requests_reminder_due")

    op.drop_table("review_requests")
    with op.batch_alter_table("recommendation_scores", schema=None) as batch_op:
        batch_op.drop_index("ix_recommendation_scores_store_created")

    op.drop_table("recommendation_scores")
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.drop_index("ix_answers_store_question")

    op.drop_table("answers")
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.drop_index("ix_questions_store_status")
        batch_op.drop_index("ix_questions_product_newest")

    op.drop_table("questions")
    op.drop_table("product_rating_summaries")
    op.drop_table("votes")
    op.drop_table("review_settings")
    with op.batch_alter_table("moderation_decisions", schema=None) as batch_op:
        batch_op.drop_index("ix_moderation_decisions_subject")

    op.drop_table("moderation_decisions")
