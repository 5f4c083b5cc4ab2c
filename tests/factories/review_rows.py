"""Rows for the public read side of reviews, written straight through the reviews models.

The reviews services own how a review gets published; these tests only need published (and unpublished)
rows to exist, with `ProductRatingSummary` counting the published ones exactly as the services keep it.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodword.reviews.models import (
    Answer,
    AnswerStatus,
    ProductRatingSummary,
    Question,
    QuestionStatus,
    ReplyVisibility,
    Review,
    ReviewPhoto,
    ReviewReply,
    ReviewStatus,
)
from goodword.stores.models import Product

_sequence = itertools.count(1)
START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def make_product(session: Session, *, store_id: str, sku: str | None = None, **overrides: Any) -> Product:
    n = next(_sequence)
    sku = sku or f"TEA-{n}"
    product = Product(
        store_id=store_id,
        sku=sku,
        title=overrides.pop("title", f"Oolong no. {n}"),
        url=overrides.pop("url", f"https://shop.example.com/products/{sku.lower()}"),
        image_url=overrides.pop("image_url", None),
        price_minor=1250,
        currency="USD",
        content_hash="test",
        **overrides,
    )
    session.add(product)
    session.flush()
    return product


def make_review(
    session: Session,
    *,
    product: Product,
    rating: int = 5,
    status: ReviewStatus = ReviewStatus.PUBLISHED,
    minutes: int | None = None,
    **overrides: Any,
) -> Review:
    """A review of `product`; published ones are counted in its summary. `minutes` after START is when it
    was published (each new review a minute later than the last by default)."""
    n = next(_sequence)
    moment = START + timedelta(minutes=n if minutes is None else minutes)
    review = Review(
        store_id=product.store_id,
        product_id=product.id,
        rating=rating,
        title=overrides.pop("title", f"Review {n}"),
        body=overrides.pop("body", f"Lovely tea, review number {n}."),
        language=overrides.pop("language", "en"),
        author_name=overrides.pop("author_name", f"Reviewer {n}"),
        status=status,
        verified_buyer=overrides.pop("verified_buyer", True),
        incentivized=overrides.pop("incentivized", False),
        helpful_count=overrides.pop("helpful_count", 0),
        unhelpful_count=overrides.pop("unhelpful_count", 0),
        photo_count=overrides.pop("photo_count", 0),
        created_at=moment,
        published_at=moment if status is ReviewStatus.PUBLISHED else None,
        updated_at=moment,
        **overrides,
    )
    session.add(review)
    session.flush()
    if status is ReviewStatus.PUBLISHED:
        _count(session, product=product, rating=rating)
    return review


def _count(session: Session, *, product: Product, rating: int) -> None:
    summary = session.scalars(
        select(ProductRatingSummary).where(
            ProductRatingSummary.store_id == product.store_id, ProductRatingSummary.product_id == product.id
        )
    ).one_or_none()
    if summary is None:
        summary = ProductRatingSummary(
            store_id=product.store_id,
            product_id=product.id,
            review_count=0,
            rating_sum=0,
            count_1=0,
            count_2=0,
            count_3=0,
            count_4=0,
            count_5=0,
        )
        session.add(summary)
    summary.review_count += 1
    summary.rating_sum += rating
    setattr(summary, f"count_{rating}", getattr(summary, f"count_{rating}") + 1)
    session.flush()


def make_reply(
    session: Session,
    *,
    review: Review,
    body: str = "Thank you for your kind words!",
    visibility: ReplyVisibility = ReplyVisibility.PUBLIC,
) -> ReviewReply:
    reply = ReviewReply(
        store_id=review.store_id, review_id=review.id, visibility=visibility, body=body, author="test"
    )
    session.add(reply)
    session.flush()
    return reply


def make_photo(session: Session, *, review: Review, position: int = 1) -> ReviewPhoto:
    n = next(_sequence)
    photo = ReviewPhoto(
        store_id=review.store_id,
        review_id=review.id,
        position=position,
        file_key=f"photo{n}.jpg",
        thumbnail_key=f"photo{n}.thumb.jpg",
        content_type="image/jpeg",
        width=800,
        height=600,
        size_bytes=12345,
    )
    session.add(photo)
    review.photo_count += 1
    session.flush()
    return photo


def make_question(
    session: Session,
    *,
    product: Product,
    body: str = "Is this tea good cold-brewed?",
    status: QuestionStatus = QuestionStatus.PUBLISHED,
    minutes: int | None = None,
) -> Question:
    n = next(_sequence)
    moment = START + timedelta(minutes=n if minutes is None else minutes)
    question = Question(
        store_id=product.store_id,
        product_id=product.id,
        body=body,
        language="en",
        author_name=f"Asker {n}",
        author_email=f"asker{n}@example.com",
        status=status,
        created_at=moment,
        confirmed_at=moment,
        published_at=moment if status is QuestionStatus.PUBLISHED else None,
    )
    session.add(question)
    session.flush()
    return question


def make_answer(
    session: Session,
    *,
    question: Question,
    body: str = "Yes, steep it overnight in the fridge.",
    official: bool = False,
    helpful_count: int = 0,
    status: AnswerStatus = AnswerStatus.PUBLISHED,
) -> Answer:
    n = next(_sequence)
    answer = Answer(
        store_id=question.store_id,
        question_id=question.id,
        body=body,
        author_name="Tea House" if official else f"Answerer {n}",
        official=official,
        verified_buyer=not official,
        status=status,
        helpful_count=helpful_count,
        created_at=START + timedelta(minutes=n),
        published_at=START + timedelta(minutes=n) if status is AnswerStatus.PUBLISHED else None,
    )
    session.add(answer)
    if status is AnswerStatus.PUBLISHED:
        question.answer_count += 1
    session.flush()
    return answer
