"""Factories for the reviews domain: a shop with a product, a buyer and a fulfilled order; reviews in it."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodword import intake
from goodword.reviews.links import REVIEW_REQUEST, make_token
from goodword.reviews.models import Review, ReviewRequest
from goodword.reviews.submission import NewReview, create_review
from goodword.stores.inputs import CustomerIn, OrderIn, ProductIn
from goodword.stores.models import Customer
from goodword.stores.products import upsert_products

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SECRET = "a-test-secret-that-signs-links"
_sequence = itertools.count(1)


@dataclass(frozen=True)
class Purchase:
    store_id: str
    product_id: int
    product_sku: str
    customer_id: int
    customer_external_id: str
    order_id: int
    order_external_id: str


def make_product(
    session: Session, *, store_id: str, sku: str | None = None, title: str = "Oolong tea"
) -> int:
    sku = sku or f"SKU-{next(_sequence)}"
    [outcome] = upsert_products(session, store_id=store_id, products=[ProductIn(sku=sku, title=title)])
    return outcome.id


def make_purchase(
    session: Session,
    *,
    store_id: str,
    status: str = "fulfilled",
    fulfilled_at: datetime = NOW - timedelta(days=1),
    now: datetime = NOW,
    sku: str | None = None,
    email: str | None = None,
    locale: str = "en",
) -> Purchase:
    """A product, a customer and their order of it, through intake (so review requests react as live)."""
    n = next(_sequence)
    sku = sku or f"TEA-{n}"
    product_id = make_product(session, store_id=store_id, sku=sku, title=f"Oolong tea no. {n}")
    customer = CustomerIn(
        external_id=f"buyer-{n}", email=email or f"buyer{n}@example.com", name=f"Mei Buyer{n}", locale=locale
    )
    order = OrderIn.model_validate(
        {
            "external_id": f"order-{n}",
            "customer": customer.model_dump(exclude_none=True),
            "status": status,
            "currency": "USD",
            "total_minor": 1250,
            "placed_at": fulfilled_at - timedelta(days=2),
            "paid_at": fulfilled_at - timedelta(days=2),
            "fulfilled_at": fulfilled_at if status == "fulfilled" else None,
            "lines": [{"sku": sku, "title": "Oolong", "quantity": 1, "unit_price_minor": 1250}],
        }
    )
    [outcome] = intake.upsert_orders(session, store_id=store_id, orders=[order], source="test", now=now)
    customer_id = session.scalars(
        select(Customer.id).where(Customer.store_id == store_id, Customer.external_id == customer.external_id)
    ).one()
    return Purchase(
        store_id, product_id, sku, customer_id, customer.external_id, outcome.id, order.external_id
    )


def request_of(session: Session, purchase: Purchase) -> ReviewRequest:
    return session.scalars(
        select(ReviewRequest).where(
            ReviewRequest.store_id == purchase.store_id, ReviewRequest.order_id == purchase.order_id
        )
    ).one()


def token_for(request: ReviewRequest, secret: str = SECRET) -> str:
    return make_token(secret, purpose=REVIEW_REQUEST, store_id=request.store_id, row_id=request.id)


def make_review(
    session: Session,
    purchase: Purchase,
    *,
    rating: int = 5,
    body: str = "Lovely tea, brews well.",
    verified_buyer: bool = True,
    now: datetime = NOW,
) -> Review:
    return create_review(
        session,
        review=NewReview(
            store_id=purchase.store_id,
            product_id=purchase.product_id,
            rating=rating,
            title="Good",
            body=body,
            language=None,
            author_name="Mei",
            author_email=None,
            customer_id=purchase.customer_id,
            order_id=purchase.order_id,
            order_line_id=None,
            request_id=None,
            verified_buyer=verified_buyer,
            incentivized=False,
            imported_from=None,
            external_id=None,
            created_at=now,
        ),
        actor="test",
        now=now,
    )
