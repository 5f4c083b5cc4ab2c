"""Tables of the stores domain. Every row but a store's own carries `store_id`."""

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
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from goodword.clock import utc_now
from goodword.db.base import Base, BigIntId, StoreScoped, string_enum


class ApiKeyScope(enum.StrEnum):
    READ = "read"
    WRITE = "write"


class OrderStatus(enum.StrEnum):
    PENDING = "pending"
    PAID = "paid"
    FULFILLED = "fulfilled"
    REFUNDED = "refunded"
    CANCELLED = "cancelled"


class TieSource(enum.StrEnum):
    REFERRAL = "referral"
    DECLARED = "declared"
    IMPORTED = "imported"


class Store(Base):
    __tablename__ = "stores"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Kept in the clear: verifying an HMAC needs the secret itself. `rotate-webhook-secret` replaces it.
    webhook_secret: Mapped[str] = mapped_column(String(100))
    default_currency: Mapped[str] = mapped_column(String(3), default="USD")
    shop_url: Mapped[str | None] = mapped_column(String(2000))
    # Branding and a contact for messages: emails carry the logo and colour; notices go to the contact.
    logo_url: Mapped[str | None] = mapped_column(String(2000))
    brand_color: Mapped[str | None] = mapped_column(String(7))
    contact_email: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class ApiKey(StoreScoped, Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # The public part of the key, used to find the row; the secret part is only ever stored as its SHA-256.
    prefix: Mapped[str] = mapped_column(String(32), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    scope: Mapped[ApiKeyScope] = mapped_column(string_enum(ApiKeyScope, "api_key_scope"))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    revoked_at: Mapped[datetime | None]


class Customer(StoreScoped, Base):
    __tablename__ = "customers"
    __table_args__ = (
        UniqueConstraint("store_id", "external_id"),
        # serves: customer lookup by email (filters, import matching, fraud checks later)
        Index("ix_customers_store_email", "store_id", "email"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(20))
    name: Mapped[str | None] = mapped_column(String(200))
    locale: Mapped[str | None] = mapped_column(String(35))
    time_zone: Mapped[str | None] = mapped_column(String(64))
    marketing_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set when mail to this address bounced hard or was reported as spam; no email goes there again.
    email_undeliverable_at: Mapped[datetime | None]
    # SHA-256 of the last upserted payload: an identical upsert is recognised and changes nothing.
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)
    erased_at: Mapped[datetime | None]


class ConsentEvent(StoreScoped, Base):
    """Every change of a customer's marketing consent, with when and where it came from."""

    __tablename__ = "consent_events"
    __table_args__ = (Index("ix_consent_events_customer", "store_id", "customer_id"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    granted: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(default=utc_now)


class Product(StoreScoped, Base):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("store_id", "sku"), CheckConstraint("price_minor >= 0", name="price"))

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    sku: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(500))
    url: Mapped[str | None] = mapped_column(String(2000))
    image_url: Mapped[str | None] = mapped_column(String(2000))
    price_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)


class Order(StoreScoped, Base):
    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("store_id", "external_id"),
        # serves: a customer's orders (privacy export, first-paid-order attribution later)
        Index("ix_orders_store_customer", "store_id", "customer_id"),
        CheckConstraint("total_minor >= 0", name="total"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(255))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    status: Mapped[OrderStatus] = mapped_column(string_enum(OrderStatus, "order_status"))
    currency: Mapped[str] = mapped_column(String(3))
    subtotal_minor: Mapped[int] = mapped_column(BigInteger)
    discount_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    shipping_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    tax_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    total_minor: Mapped[int] = mapped_column(BigInteger)
    placed_at: Mapped[datetime]
    paid_at: Mapped[datetime | None]
    fulfilled_at: Mapped[datetime | None]
    refunded_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)

    customer: Mapped[Customer | None] = relationship(lazy="joined")
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", order_by="OrderLine.position", cascade="all, delete-orphan"
    )

    @property
    def customer_external_id(self) -> str | None:
        return self.customer.external_id if self.customer is not None else None


class OrderLine(StoreScoped, Base):
    __tablename__ = "order_lines"
    __table_args__ = (
        # serves: an order's lines, and replacing them; leads with store_id so that SQLite, which keeps no
        # statistics, prefers it to the product index below for store-scoped lookups by order
        Index("ix_order_lines_store_order", "store_id", "order_id"),
        # serves: "did this customer buy this product" (verified reviews later)
        Index("ix_order_lines_store_product", "store_id", "product_id"),
        CheckConstraint("quantity > 0", name="quantity"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
    sku: Mapped[str | None] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(500))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_minor: Mapped[int] = mapped_column(BigInteger)
    total_minor: Mapped[int] = mapped_column(BigInteger)

    order: Mapped[Order] = relationship(back_populates="lines")


class CustomerTie(StoreScoped, Base):
    """One customer knows another: `from_customer` told, invited or named `to_customer`."""

    __tablename__ = "customer_ties"
    __table_args__ = (
        UniqueConstraint("store_id", "from_customer_id", "to_customer_id", "source"),
        # serves: ties pointing at a customer (who brought this customer in)
        Index("ix_customer_ties_store_to", "store_id", "to_customer_id"),
        CheckConstraint("from_customer_id <> to_customer_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    from_customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    to_customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    source: Mapped[TieSource] = mapped_column(string_enum(TieSource, "tie_source"))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)

    from_customer: Mapped[Customer] = relationship(foreign_keys=[from_customer_id], lazy="joined")
    to_customer: Mapped[Customer] = relationship(foreign_keys=[to_customer_id], lazy="joined")

    @property
    def from_external_id(self) -> str:
        return self.from_customer.external_id

    @property
    def to_external_id(self) -> str:
        return self.to_customer.external_id


class IdempotencyRecord(StoreScoped, Base):
    """The first answer to a POST carrying an Idempotency-Key, replayed to every retry."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("store_id", "key"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    key: Mapped[str] = mapped_column(String(255))
    request_fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response_body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class InboundWebhookEvent(StoreScoped, Base):
    """An inbound webhook event already applied; its id is never applied twice."""

    __tablename__ = "inbound_webhook_events"
    __table_args__ = (UniqueConstraint("store_id", "event_id"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(255))
    topic: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(default=utc_now)
