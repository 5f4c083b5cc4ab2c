"""Tables of the messaging domain: the outbox, delivery attempts, webhook endpoints and email bounces."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from goodword.clock import utc_now
from goodword.db.base import Base, BigIntId, StoreScoped, string_enum


class Channel(enum.StrEnum):
    EMAIL = "email"
    SMS = "sms"
    WEBHOOK = "webhook"


class Purpose(enum.StrEnum):
    """Transactional messages answer something the customer did; marketing ones need their consent."""

    TRANSACTIONAL = "transactional"
    MARKETING = "marketing"


class MessageStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its time, or for the next attempt
    DELIVERED = "delivered"
    DEAD = "dead"  # gave up after max_attempts; staff may retry it
    SUPPRESSED = "suppressed"  # not sent, on purpose: no consent, unsubscribed, undeliverable, endpoint gone


class OutboxMessage(StoreScoped, Base):
    """One message to one receiver, written in the same transaction as the change that caused it."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        UniqueConstraint("store_id", "dedupe_key"),
        # serves: the worker's "what is due now" claim, oldest first
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
        # serves: GET /messages filtered by customer, and the frequency cap's count of recent messages
        Index("ix_outbox_messages_store_customer", "store_id", "customer_id"),
        # serves: an endpoint's delivery log
        Index("ix_outbox_messages_store_endpoint", "store_id", "endpoint_id"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    channel: Mapped[Channel] = mapped_column(string_enum(Channel, "message_channel"))
    purpose: Mapped[Purpose] = mapped_column(string_enum(Purpose, "message_purpose"))
    # What the message is: a template name such as "invitation", or an event type for webhooks.
    kind: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    endpoint_id: Mapped[int | None] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="SET NULL"))
    # An email address, an E.164 phone number or a URL, fixed when the message was written.
    recipient: Mapped[str] = mapped_column(String(2000))
    locale: Mapped[str | None] = mapped_column(String(35))
    payload: Mapped[str] = mapped_column(Text)  # JSON: the template's context, or the webhook's body
    reason: Mapped[str] = mapped_column(String(500))  # why it was sent, in words a merchant can read
    # Whoever writes the message may name it; the same name twice in a store is one message.
    dedupe_key: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[MessageStatus] = mapped_column(string_enum(MessageStatus, "message_status"))
    status_reason: Mapped[str | None] = mapped_column(String(500))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer)
    send_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    # A worker holds a message only until its lease ends; a killed worker's messages come back by themselves.
    leased_until: Mapped[datetime | None]
    leased_by: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    finished_at: Mapped[datetime | None]


class DeliveryAttempt(StoreScoped, Base):
    """One try at delivering one message, kept whatever its outcome."""

    __tablename__ = "delivery_attempts"
    __table_args__ = (UniqueConstraint("message_id", "attempt"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox_messages.id", ondelete="CASCADE"))
    attempt: Mapped[int] = mapped_column(Integer)
    worker: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime]
    duration_ms: Mapped[int] = mapped_column(Integer)
    succeeded: Mapped[bool] = mapped_column(Boolean)
    status_code: Mapped[int | None] = mapped_column(Integer)  # HTTP or SMTP reply code, when there was one
    error: Mapped[str | None] = mapped_column(Text)


class WebhookEndpoint(StoreScoped, Base):
    """Where a store wants its events sent, signed per the Standard Webhooks specification."""

    __tablename__ = "webhook_endpoints"
    __table_args__ = (Index("ix_webhook_endpoints_store", "store_id"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str | None] = mapped_column(String(500))
    event_types: Mapped[str] = mapped_column(Text)  # JSON list; ["*"] means every event
    secret: Mapped[str] = mapped_column(String(100))
    # After a rotation the old secret signs too, until this moment, so receivers can switch without a gap.
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret_expires_at: Mapped[datetime | None]
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(String(500))
    failing_since: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    deleted_at: Mapped[datetime | None]


class BounceKind(enum.StrEnum):
    HARD = "hard"
    SOFT = "soft"
    COMPLAINT = "complaint"


class EmailBounce(StoreScoped, Base):
    """A bounce or spam complaint reported for an address; hard ones and complaints stop further mail."""

    __tablename__ = "email_bounces"
    __table_args__ = (Index("ix_email_bounces_store_email", "store_id", "email"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    kind: Mapped[BounceKind] = mapped_column(string_enum(BounceKind, "bounce_kind"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_messages.id", ondelete="SET NULL"))
    detail: Mapped[str | None] = mapped_column(String(1000))
    recorded_at: Mapped[datetime] = mapped_column(default=utc_now)
