"""Demo reviews and questions: some fulfilled order lines get a review a few days after delivery.

Ratings lean positive as real shops' do (about 84% four or five stars, some ones and twos); Chinese-speaking
customers mostly write in Chinese; the shop replies publicly to most unhappy reviews and a few happy ones; a
few reviews wait in moderation or were hidden; popular products carry questions with the shop's answers.
Everything is drawn from the seed and the store's rows in a fixed order, so the same seed gives the same reviews.
The product summaries are kept by the reviews domain's own `apply_rating_changes`.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, exists, select
from sqlalchemy.orm import Session

from goodword.demo.review_texts import (
    DETAILS,
    MIXED,
    NEGATIVE,
    OPENINGS,
    POSITIVE,
    QUESTIONS,
    REPLIES,
    TITLES,
)
from goodword.reviews.models import (
    Answer,
    AnswerStatus,
    Question,
    QuestionStatus,
    ReplyVisibility,
    Review,
    ReviewReply,
    ReviewStatus,
)
from goodword.reviews.summaries import apply_rating_changes
from goodword.stores.models import Customer, Order, OrderLine, OrderStatus, Product

REVIEW_SHARE = 0.12  # of fulfilled order lines
RATINGS = (1, 2, 3, 4, 5)
RATING_WEIGHTS = (0.05, 0.04, 0.07, 0.22, 0.62)
STORE_AUTHOR = "Goodword Demo Tea House"
QUESTIONED_PRODUCTS = 12


def load_demo_reviews(session: Session, *, store_id: str, seed: int, now: datetime) -> int:
    """Write the demo store's reviews, replies, questions and answers unless it has reviews already.

    Returns how many reviews were written (0 when the store had some).
    """
    if session.scalar(select(exists().where(Review.store_id == store_id))):
        return 0
    rng = random.Random(f"goodword-demo-reviews-{seed}")
    products = {row.id: row.title.split(",")[0] for row in session.execute(_products(store_id))}
    reviews = [
        _review(rng, store_id, line, products[line.product_id], now)
        for line in session.execute(_fulfilled_lines(store_id))
        if line.product_id in products and rng.random() < REVIEW_SHARE
    ]
    session.add_all(reviews)
    session.flush()
    session.add_all(
        _reply(rng, review, now) for review in reviews if review.published_at and _wants_reply(rng, review)
    )
    published = [r for r in reviews if r.status is ReviewStatus.PUBLISHED]
    apply_rating_changes(
        session, store_id=store_id, changes=[(r.product_id, r.rating, 1) for r in published], now=now
    )
    popular = Counter(review.product_id for review in published).most_common(QUESTIONED_PRODUCTS)
    for product_id, _count in popular:
        _questions(session, rng, store_id=store_id, product_id=product_id, now=now)
    session.flush()
    return len(reviews)


def _products(store_id: str) -> Any:
    return select(Product.id, Product.title).where(Product.store_id == store_id).order_by(Product.id)


def _fulfilled_lines(store_id: str) -> Any:
    return (
        select(
            Order.id.label("order_id"),
            Order.customer_id,
            Order.fulfilled_at,
            OrderLine.id.label("line_id"),
            OrderLine.product_id,
            Customer.name,
            Customer.locale,
        )
        .join(OrderLine, OrderLine.order_id == Order.id)
        .join(Customer, Customer.id == Order.customer_id)
        .where(
            Order.store_id == store_id,
            OrderLine.store_id == store_id,
            Order.status == OrderStatus.FULFILLED,
            OrderLine.position == 0,  # one review per order, of its first line
        )
        .order_by(Order.id)
    )


def _review(rng: random.Random, store_id: str, line: Row[Any], product: str, now: datetime) -> Review:
    rating = rng.choices(RATINGS, RATING_WEIGHTS)[0]
    mood = POSITIVE if rating >= 4 else MIXED if rating == 3 else NEGATIVE
    chinese = (line.locale or "").startswith("zh") and rng.random() < 0.8
    language = "zh" if chinese else "en"
    separator = "" if chinese else " "
    body = separator.join(
        [rng.choice(OPENINGS[language, mood]).format(product=product), rng.choice(DETAILS[language, mood])]
    )
    written = min(line.fulfilled_at + timedelta(days=rng.uniform(2, 20)), now - timedelta(hours=1))
    fate = rng.random()
    status = (
        ReviewStatus.PENDING
        if fate < 0.05
        else ReviewStatus.HIDDEN
        if fate < 0.07
        else ReviewStatus.PUBLISHED
    )
    # Most reviews come through the request link after delivery (verified); some were left on the shop's
    # page without one, so they are not tied to the order.
    linked = rng.random() < 0.85
    return Review(
        store_id=store_id,
        product_id=line.product_id,
        customer_id=line.customer_id if linked else None,
        order_id=line.order_id if linked else None,
        order_line_id=line.line_id if linked else None,
        rating=rating,
        title=rng.choice(TITLES[language, mood]),
        body=body,
        language=language,
        author_name=_shown_name(line.name or ""),
        status=status,
        verified_buyer=linked,
        incentivized=linked and rng.random() < 0.08,
        helpful_count=int(rng.expovariate(0.4)) if status is ReviewStatus.PUBLISHED else 0,
        unhelpful_count=int(rng.expovariate(2.0)) if status is ReviewStatus.PUBLISHED else 0,
        photo_count=0,
        created_at=written,
        published_at=None
        if status is ReviewStatus.PENDING
        else written + timedelta(minutes=rng.randint(5, 600)),
        updated_at=written,
    )


def _shown_name(name: str) -> str:
    """ "Mei Lin" → "Mei L."; "王芳" → "王*": a first name and an initial, as review widgets show people."""
    given, _, family = name.partition(" ")
    if family:
        return f"{given} {family[0]}."
    return name[:1] + "*" * (len(name) - 1) if name else "Anonymous"


def _wants_reply(rng: random.Random, review: Review) -> bool:
    return rng.random() < (0.85 if review.rating <= 2 else 0.4 if review.rating == 3 else 0.1)


def _reply(rng: random.Random, review: Review, now: datetime) -> ReviewReply:
    mood = POSITIVE if review.rating >= 4 else MIXED if review.rating == 3 else NEGATIVE
    assert review.published_at is not None
    return ReviewReply(
        store_id=review.store_id,
        review_id=review.id,
        visibility=ReplyVisibility.PUBLIC,
        body=rng.choice(REPLIES[review.language, mood]),
        author="demo",
        created_at=min(review.published_at + timedelta(hours=rng.uniform(2, 48)), now),
    )


def _questions(
    session: Session, rng: random.Random, *, store_id: str, product_id: int, now: datetime
) -> None:
    for language, asked, official, other in rng.sample(QUESTIONS, 2):
        moment = now - timedelta(days=rng.uniform(10, 300))
        question = Question(
            store_id=store_id,
            product_id=product_id,
            body=asked,
            language=language,
            author_name="顾客" if language == "zh" else rng.choice(["Sam", "Priya", "Jonas", "Ana"]),
            author_email="asker@demo-tea.example.com",
            status=QuestionStatus.PUBLISHED,
            answer_count=2 if other else 1,
            created_at=moment,
            confirmed_at=moment + timedelta(minutes=3),
            published_at=moment + timedelta(hours=2),
        )
        session.add(question)
        session.flush()
        answers = [(official, True, STORE_AUTHOR)] + ([(other, False, "Verified buyer")] if other else [])
        for n, (body, is_official, author) in enumerate(answers, start=1):
            session.add(
                Answer(
                    store_id=store_id,
                    question_id=question.id,
                    body=body,
                    author_name=author,
                    official=is_official,
                    verified_buyer=not is_official,
                    status=AnswerStatus.PUBLISHED,
                    helpful_count=rng.randint(0, 6),
                    created_at=moment + timedelta(days=n),
                    published_at=moment + timedelta(days=n),
                )
            )
