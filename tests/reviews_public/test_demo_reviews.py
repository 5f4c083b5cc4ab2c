"""The demo store's reviews: realistic, counted in the summaries, shown publicly, the same for the same seed."""

from __future__ import annotations

from collections import Counter

from fastapi.testclient import TestClient
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from goodword.demo.plan import plan_demo
from goodword.demo.reviews import load_demo_reviews
from goodword.reviews.models import (
    Answer,
    ProductRatingSummary,
    Question,
    Review,
    ReviewReply,
    ReviewStatus,
)
from goodword.reviews.summaries import recount
from goodword.stores.models import Product
from tests.integration.test_demo import build


def _reviews(session: Session, store_id: str) -> list[Review]:
    return list(session.scalars(select(Review).where(Review.store_id == store_id).order_by(Review.id)))


def test_the_demo_store_has_realistic_reviews_counted_in_its_summaries(session: Session) -> None:
    # when
    summary = build(session)
    # then
    reviews = _reviews(session, summary.store_id)
    ratings = Counter(review.rating for review in reviews)
    assert len(reviews) > 50
    assert (ratings[4] + ratings[5]) / len(reviews) > 0.7
    assert ratings[1] + ratings[2] > 0
    assert {review.language for review in reviews} == {"en", "zh"}
    assert any(review.verified_buyer for review in reviews)
    assert not all(review.verified_buyer for review in reviews)
    assert any(review.status is not ReviewStatus.PUBLISHED for review in reviews)
    assert session.scalar(select(ReviewReply.id).where(ReviewReply.store_id == summary.store_id).limit(1))
    assert (
        session.scalars(select(Answer.official).where(Answer.store_id == summary.store_id)).all().count(True)
        > 0
    )
    for row in session.scalars(
        select(ProductRatingSummary).where(ProductRatingSummary.store_id == summary.store_id)
    ):
        counted = recount(session, store_id=summary.store_id, product_id=row.product_id)
        assert (row.review_count, row.rating_sum) == (counted["review_count"], counted["rating_sum"])


def test_the_demo_reviews_are_the_same_for_the_same_seed_and_written_once(session: Session) -> None:
    # given
    summary = build(session)
    store_id = summary.store_id
    first = [
        (r.product_id, r.rating, r.title, r.body, r.author_name, r.status)
        for r in _reviews(session, store_id)
    ]
    now = plan_demo(seed=7, customers=300).window.end
    # when: run again on a store that has them, then again from nothing
    again = load_demo_reviews(session, store_id=store_id, seed=7, now=now)
    for model in (Answer, Question, ReviewReply, ProductRatingSummary, Review):
        session.execute(delete(model).where(model.store_id == store_id))
    load_demo_reviews(session, store_id=store_id, seed=7, now=now)
    # then
    assert again == 0
    second = [
        (r.product_id, r.rating, r.title, r.body, r.author_name, r.status)
        for r in _reviews(session, store_id)
    ]
    assert second == first


def test_the_demo_reviews_show_on_the_public_endpoint(client: TestClient, session: Session) -> None:
    # given
    summary = build(session)
    sku = session.scalars(
        select(Product.sku)
        .join(ProductRatingSummary, ProductRatingSummary.product_id == Product.id)
        .where(Product.store_id == summary.store_id)
        .order_by(ProductRatingSummary.review_count.desc())
    ).first()
    # when
    response = client.get(f"/public/v1/stores/{summary.store_id}/products/{sku}/reviews")
    questions = client.get(f"/public/v1/stores/{summary.store_id}/products/{sku}/questions")
    # then
    assert response.status_code == 200
    assert response.json()["data"]
    assert any(answer["official"] for q in questions.json()["data"] for answer in q["answers"])
