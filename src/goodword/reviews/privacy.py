"""A customer's reviews, questions and answers, for the rights of access and erasure.

Erasure anonymizes: the author's name becomes "Former customer" and their addresses go, while the words stay
published under that name (they describe a product, and the rating summary and other buyers' votes rest on
them). Votes cast as the customer are deleted; their counts on the reviews stay, being no one's data.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from goodword.reviews.models import Answer, Question, RecommendationScore, Review, Vote
from goodword.stores.models import Customer, Product

ANONYMOUS_AUTHOR = "Former customer"


def export_customer(session: Session, *, store_id: str, customer: Customer) -> dict[str, Any]:
    """The customer's reviews, questions, answers and recommendation scores as JSON-ready data."""
    reviews = session.execute(
        select(Review, Product.sku)
        .join(Product, Product.id == Review.product_id)
        .where(Review.store_id == store_id, _written_by(Review, customer))
        .order_by(Review.id)
    ).all()
    questions = session.execute(
        select(Question, Product.sku)
        .join(Product, Product.id == Question.product_id)
        .where(Question.store_id == store_id, _written_by(Question, customer))
        .order_by(Question.id)
    ).all()
    answers = session.scalars(
        select(Answer)
        .where(Answer.store_id == store_id, Answer.customer_id == customer.id)
        .order_by(Answer.id)
    )
    scores = session.scalars(
        select(RecommendationScore)
        .where(RecommendationScore.store_id == store_id, RecommendationScore.customer_id == customer.id)
        .order_by(RecommendationScore.id)
    )
    return {
        "reviews": [
            {
                "id": review.id,
                "sku": sku,
                "rating": review.rating,
                "title": review.title,
                "body": review.body,
                "author_name": review.author_name,
                "status": review.status.value,
                "verified_buyer": review.verified_buyer,
                "created_at": review.created_at.isoformat(),
            }
            for review, sku in reviews
        ],
        "questions": [
            {
                "id": q.id,
                "sku": sku,
                "body": q.body,
                "status": q.status.value,
                "created_at": q.created_at.isoformat(),
            }
            for q, sku in questions
        ],
        "answers": [
            {"id": a.id, "question_id": a.question_id, "body": a.body, "created_at": a.created_at.isoformat()}
            for a in answers
        ],
        "recommendation_scores": [{"score": s.score, "created_at": s.created_at.isoformat()} for s in scores],
    }


def erase_customer(session: Session, *, store_id: str, customer: Customer) -> None:
    """Anonymize what the customer wrote and delete their votes; call it before their email is erased."""
    for table in (Review, Question):
        session.execute(
            update(table)
            .where(table.store_id == store_id, _written_by(table, customer))
            .values(author_name=ANONYMOUS_AUTHOR, author_email=None if table is Review else "")
        )
    session.execute(
        update(Answer)
        .where(Answer.store_id == store_id, Answer.customer_id == customer.id)
        .values(author_name=ANONYMOUS_AUTHOR)
    )
    session.execute(delete(Vote).where(Vote.store_id == store_id, Vote.voter == f"customer:{customer.id}"))


def _written_by(table: type[Review] | type[Question], customer: Customer) -> Any:
    # Questions asked from the storefront carry only an email until the asker is known as a customer.
    if customer.email is None:
        return table.customer_id == customer.id
    return or_(table.customer_id == customer.id, table.author_email == customer.email)
