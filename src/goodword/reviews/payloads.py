"""The shapes reviews and questions take in webhook events and emails."""

from __future__ import annotations

from typing import Any

from goodword.reviews.models import Answer, Question, Review, ReviewReply


def review_data(review: Review, *, product_sku: str) -> dict[str, Any]:
    return {
        "id": review.id,
        "product_sku": product_sku,
        "rating": review.rating,
        "title": review.title,
        "body": review.body,
        "language": review.language,
        "author_name": review.author_name,
        "status": review.status.value,
        "verified_buyer": review.verified_buyer,
        "incentivized": review.incentivized,
        "imported_from": review.imported_from,
        "created_at": review.created_at.isoformat(),
        "published_at": review.published_at.isoformat() if review.published_at else None,
    }


def reply_data(reply: ReviewReply) -> dict[str, Any]:
    return {
        "id": reply.id,
        "review_id": reply.review_id,
        "visibility": reply.visibility.value,
        "body": reply.body,
        "created_at": reply.created_at.isoformat(),
    }


def question_data(question: Question, *, product_sku: str) -> dict[str, Any]:
    return {
        "id": question.id,
        "product_sku": product_sku,
        "body": question.body,
        "author_name": question.author_name,
        "status": question.status.value,
        "created_at": question.created_at.isoformat(),
    }


def answer_data(answer: Answer) -> dict[str, Any]:
    return {
        "id": answer.id,
        "question_id": answer.question_id,
        "body": answer.body,
        "author_name": answer.author_name,
        "official": answer.official,
        "verified_buyer": answer.verified_buyer,
        "created_at": answer.created_at.isoformat(),
    }
