"""Tables of the reviews domain. Every row carries `store_id`.

Reading guide for the public side: a review is shown when `status == published`; `ProductRatingSummary` holds
each product's published counts, kept exactly in step with `reviews` in the same transaction, so a product page
never scans reviews to draw its stars. Moderation decisions, review edits and replies are appended rows.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from goodword.clock import utc_now
from goodword.db.base import Base, BigIntId, StoreScoped, string_enum

_FK_ID = BigInteger().with_variant(Integer(), "sqlite")


class ReviewStatus(enum.StrEnum):
    PENDING = "pending"  # waiting in the moderation queue
    PUBLISHED = "published"
    HIDDEN = "hidden"  # was published (or could be), taken down by staff; may come back
    REJECTED = "rejected"


class QuestionStatus(enum.StrEnum):
    UNCONFIRMED = "unconfirmed"  # the asker has not clicked the confirmation link yet
    PENDING = "pending"
    PUBLISHED = "published"
    HIDDEN = "hidden"
    REJECTED = "rejected"


class AnswerStatus(enum.StrEnum):
    PENDING = "pending"
    PUBLISHED = "published"
    HIDDEN = "hidden"
    REJECTED = "rejected"


class RequestChannel(enum.StrEnum):
    EMAIL = "email"
    SMS = "sms"


class ReplyVisibility(enum.StrEnum):
    PUBLIC = "public"  # shown under the review
    PRIVATE = "private"  # sent to the reviewer only, never shown


class Subject(enum.StrEnum):
    """What a moderation decision or a vote is about."""

    REVIEW = "review"
    QUESTION = "question"
    ANSWER = "answer"


class ReviewSettings(StoreScoped, Base):
    """One row per store; a store without one uses the defaults in `reviews.settings.DEFAULTS`."""

    __tablename__ = "review_settings"
    __table_args__ = (UniqueConstraint("store_id"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    requests_enabled: Mapped[bool] = mapped_column(Boolean)
    request_channel: Mapped[RequestChannel] = mapped_column(string_enum(RequestChannel, "request_channel"))
    request_delay_days: Mapped[int] = mapped_column(Integer)
    reminder_enabled: Mapped[bool] = mapped_column(Boolean)
    reminder_delay_days: Mapped[int] = mapped_column(Integer)
    link_valid_days: Mapped[int] = mapped_column(Integer)
    ask_recommendation: Mapped[bool] = mapped_column(Boolean)  # the 0-10 "would you recommend us" (NPS)
    # Auto-publish a review whose rating is at least this (None: every review waits for staff) …
    auto_publish_min_rating: Mapped[int | None] = mapped_column(SmallInteger)
    # … and, when set, only if it is from a verified buyer.
    auto_publish_verified_only: Mapped[bool] = mapped_column(Boolean)
    # The store's program rewards reviews: every review written through a request link is incentivized.
    rewards_reviews: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)


class ReviewRequest(StoreScoped, Base):
    """An invitation to review one order line; its link is signed, expires and works once.

    Written when the order is fulfilled with `send_at` in the future; `send_review_requests` sends what is due
    (one message per order) and `send_review_reminders` the reminders, so a refund or a store turning requests
    off in between is respected.
    """

    __tablename__ = "review_requests"
    __table_args__ = (
        # One request per product per order, like one review: an order whose lines are replaced keeps its request.
        UniqueConstraint("store_id", "order_id", "product_id"),
        # serves: send_review_requests' "which requests are due" (all stores): sent_at IS NULL AND send_at <= now
        Index("ix_review_requests_send_due", "sent_at", "send_at"),
        # serves: send_review_reminders' "which reminders are due" (all stores)
        Index("ix_review_requests_reminder_due", "reminder_due_at"),
        # serves: a store's requests for one order (one email per order, NPS per order)
        Index("ix_review_requests_store_order", "store_id", "order_id"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("order_lines.id", ondelete="SET NULL"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    channel: Mapped[RequestChannel] = mapped_column(string_enum(RequestChannel, "request_channel"))
    send_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    expires_at: Mapped[datetime]
    # Cleared when the reminder is queued or the review arrives; a non-null value is a reminder still owed.
    reminder_due_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    used_at: Mapped[datetime | None]
    review_id: Mapped[int | None] = mapped_column(_FK_ID)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class Review(StoreScoped, Base):
    __tablename__ = "reviews"
    __table_args__ = (
        # One review per customer, product and order (NULLs never collide, so unlinked reviews are free).
        UniqueConstraint("store_id", "customer_id", "product_id", "order_id"),
        # Re-importing a file changes nothing: the source's own id decides.
        UniqueConstraint("store_id", "imported_from", "external_id"),
        # serves: a product's published reviews, newest first (public list, JSON-LD)
        Index("ix_reviews_product_newest", "store_id", "product_id", "status", "published_at", "id"),
        # serves: a product's published reviews, most helpful first
        Index("ix_reviews_product_helpful", "store_id", "product_id", "status", "helpful_count", "id"),
        # serves: a product's published reviews filtered by stars
        Index("ix_reviews_product_rating", "store_id", "product_id", "status", "rating", "id"),
        # serves: the staff list and moderation queue (GET /reviews?status=pending), newest id first
        Index("ix_reviews_store_status", "store_id", "status", "id"),
        # serves: the store-wide published feed (Google feed, store widget) newest first
        Index("ix_reviews_store_published", "store_id", "status", "published_at", "id"),
        # serves: "has this customer already reviewed" and the privacy export
        Index("ix_reviews_store_customer", "store_id", "customer_id"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),
        CheckConstraint("helpful_count >= 0 AND unhelpful_count >= 0", name="votes"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("order_lines.id", ondelete="SET NULL"))
    request_id: Mapped[int | None] = mapped_column(_FK_ID)
    rating: Mapped[int] = mapped_column(SmallInteger)
    title: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))  # "en", "zh" or what the writer said
    author_name: Mapped[str] = mapped_column(String(200))  # as shown publicly
    author_email: Mapped[str | None] = mapped_column(String(320))  # never shown; matching and replies only
    status: Mapped[ReviewStatus] = mapped_column(string_enum(ReviewStatus, "review_status"))
    verified_buyer: Mapped[bool] = mapped_column(Boolean)  # tied to a paid order of this product by them
    incentivized: Mapped[bool] = mapped_column(Boolean)  # a reward was given for it: always disclosed
    imported_from: Mapped[str | None] = mapped_column(String(32))  # "judgeme", "yotpo", "woocommerce", "api"
    external_id: Mapped[str | None] = mapped_column(String(255))  # the source's id of an imported review
    helpful_count: Mapped[int] = mapped_column(Integer, default=0)
    unhelpful_count: Mapped[int] = mapped_column(Integer, default=0)
    photo_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    published_at: Mapped[datetime | None]  # first publication; kept when hidden, so order stays stable
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)


class ReviewRevision(StoreScoped, Base):
    """A review's text as it was: revision 1 is what was first written, each edit appends the next."""

    __tablename__ = "review_revisions"
    __table_args__ = (UniqueConstraint("store_id", "review_id", "revision"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column(Integer)
    rating: Mapped[int] = mapped_column(SmallInteger)
    title: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    edited_by: Mapped[str] = mapped_column(String(200))  # "customer", "import:judgeme", "api-key:12"
    reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class ReviewPhoto(StoreScoped, Base):
    """A photo attached to a review; the files live under `Settings.media_dir/<store_id>/`."""

    __tablename__ = "review_photos"
    __table_args__ = (
        # serves: a review's photos in order (staff view, public list)
        Index("ix_review_photos_store_review", "store_id", "review_id"),
        UniqueConstraint("store_id", "file_key"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    # The file's name under the store's media folder, e.g. "3f2a….jpg"; its thumbnail is "3f2a….thumb.jpg".
    file_key: Mapped[str] = mapped_column(String(100))
    thumbnail_key: Mapped[str] = mapped_column(String(100))
    content_type: Mapped[str] = mapped_column(String(32))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class ReviewReply(StoreScoped, Base):
    """The merchant's reply; the newest public one is shown under the review, private ones are only sent."""

    __tablename__ = "review_replies"
    # serves: a review's replies, newest last
    __table_args__ = (Index("ix_review_replies_store_review", "store_id", "review_id", "id"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    visibility: Mapped[ReplyVisibility] = mapped_column(string_enum(ReplyVisibility, "reply_visibility"))
    body: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(200))  # who wrote it, e.g. "api-key:12"
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class ModerationDecision(StoreScoped, Base):
    """Who moved a review, question or answer from one status to another, when and why. Never changed."""

    __tablename__ = "moderation_decisions"
    # serves: the history of one review (GET /reviews/{id}) or question
    __table_args__ = (Index("ix_moderation_decisions_subject", "store_id", "subject", "subject_id", "id"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    subject: Mapped[Subject] = mapped_column(string_enum(Subject, "moderation_subject"))
    subject_id: Mapped[int] = mapped_column(_FK_ID)
    from_status: Mapped[str | None] = mapped_column(String(16))  # None when the thing was just created
    to_status: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(200))  # "system:auto-publish", "api-key:12", "import:yotpo"
    reason: Mapped[str | None] = mapped_column(
        String(64)
    )  # a stable code: "profanity", "spam_link", "off_topic"
    note: Mapped[str | None] = mapped_column(String(2000))  # free text from staff or the filters' findings
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class ProductRatingSummary(StoreScoped, Base):
    """Published reviews of one product, counted: kept exactly in step with `reviews` in the same transaction.

    The store-wide figure is the sum of a store's rows: `SUM(review_count)`, `SUM(rating_sum)`.
    """

    __tablename__ = "product_rating_summaries"
    __table_args__ = (
        UniqueConstraint("store_id", "product_id"),
        CheckConstraint(
            "review_count = count_1 + count_2 + count_3 + count_4 + count_5", name="counts_add_up"
        ),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    review_count: Mapped[int] = mapped_column(Integer, default=0)
    rating_sum: Mapped[int] = mapped_column(Integer, default=0)
    count_1: Mapped[int] = mapped_column(Integer, default=0)
    count_2: Mapped[int] = mapped_column(Integer, default=0)
    count_3: Mapped[int] = mapped_column(Integer, default=0)
    count_4: Mapped[int] = mapped_column(Integer, default=0)
    count_5: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)


class Question(StoreScoped, Base):
    __tablename__ = "questions"
    __table_args__ = (
        # serves: a product's published questions, newest first (public Q&A)
        Index("ix_questions_product_newest", "store_id", "product_id", "status", "published_at", "id"),
        # serves: the staff list (GET /questions?status=pending)
        Index("ix_questions_store_status", "store_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    author_name: Mapped[str] = mapped_column(String(200))
    author_email: Mapped[str] = mapped_column(String(320))  # never shown; confirmation and the answer notice
    status: Mapped[QuestionStatus] = mapped_column(string_enum(QuestionStatus, "question_status"))
    answer_count: Mapped[int] = mapped_column(Integer, default=0)  # published answers
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    confirmed_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]


class Answer(StoreScoped, Base):
    __tablename__ = "answers"
    __table_args__ = (
        # serves: a question's answers (official first, then most helpful)
        Index("ix_answers_store_question", "store_id", "question_id", "status", "id"),
        CheckConstraint("helpful_count >= 0 AND unhelpful_count >= 0", name="votes"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    author_name: Mapped[str] = mapped_column(String(200))
    official: Mapped[bool] = mapped_column(Boolean)  # written by the merchant
    verified_buyer: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[AnswerStatus] = mapped_column(string_enum(AnswerStatus, "answer_status"))
    helpful_count: Mapped[int] = mapped_column(Integer, default=0)
    unhelpful_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    published_at: Mapped[datetime | None]


class Vote(StoreScoped, Base):
    """One person's helpful / unhelpful vote on a review or an answer; a second vote changes the first.

    `voter` is "customer:<id>" when the storefront knows the customer, else "email:<hmac>" or "ip:<hmac>":
    an HMAC-SHA256 of the address under the server's secret key, so the table never holds addresses.
    """

    __tablename__ = "votes"
    __table_args__ = (UniqueConstraint("store_id", "subject", "subject_id", "voter"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    subject: Mapped[Subject] = mapped_column(string_enum(Subject, "vote_subject"))
    subject_id: Mapped[int] = mapped_column(_FK_ID)
    voter: Mapped[str] = mapped_column(String(100))
    helpful: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)


class RecommendationScore(StoreScoped, Base):
    """An answer to "how likely are you to recommend us" (0-10), one per order: feeds NPS."""

    __tablename__ = "recommendation_scores"
    __table_args__ = (
        UniqueConstraint("store_id", "order_id"),
        # serves: GET /nps over a period
        Index("ix_recommendation_scores_store_created", "store_id", "created_at"),
        CheckConstraint("score BETWEEN 0 AND 10", name="score"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    score: Mapped[int] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
