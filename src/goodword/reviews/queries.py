"""Staff reads: reviews with filters in cursor pages, one review with its whole history, the NPS summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from goodword.errors import NotFound
from goodword.reviews.models import (
    ModerationDecision,
    RecommendationScore,
    Review,
    ReviewPhoto,
    ReviewReply,
    ReviewRevision,
    ReviewStatus,
    Subject,
)
from goodword.reviews.moderation import decisions_for
from goodword.reviews.replies import replies_of
from goodword.stores.models import Product
from goodword.stores.pagination import Page, decode_cursor, encode_cursor


@dataclass(frozen=True)
class ReviewFilter:
    status: ReviewStatus | None = None
    product_sku: str | None = None
    rating: int | None = None
    verified_buyer: bool | None = None


def list_reviews(
    session: Session, *, store_id: str, filters: ReviewFilter, cursor: str | None, limit: int
) -> Page[Review]:
    """Newest first (the moderation queue wants the latest on top), in pages by id."""
    query = select(Review).where(Review.store_id == store_id)
    if filters.status is not None:
        query = query.where(Review.status == filters.status)
    if filters.product_sku is not None:
        product_id = select(Product.id).where(
            Product.store_id == store_id, Product.sku == filters.product_sku
        )
        query = query.where(Review.product_id == product_id.scalar_subquery())
    if filters.rating is not None:
        query = query.where(Review.rating == filters.rating)
    if filters.verified_buyer is not None:
        query = query.where(Review.verified_buyer.is_(filters.verified_buyer))
    if cursor is not None:
        query = query.where(Review.id < decode_cursor(cursor))
    rows = list(session.scalars(query.order_by(Review.id.desc()).limit(limit + 1)))
    if len(rows) <= limit:
        return Page(rows, None)
    return Page(rows[:limit], encode_cursor(rows[limit - 1].id))


@dataclass(frozen=True)
class ReviewDetail:
    review: Review
    product_sku: str
    revisions: list[ReviewRevision]
    decisions: list[ModerationDecision]
    replies: list[ReviewReply]
    photos: list[ReviewPhoto]


def get_review(session: Session, *, store_id: str, review_id: int) -> ReviewDetail:
    """Raises:
    NotFound: the store has no such review.
    """
    found = session.execute(
        select(Review, Product.sku)
        .join(Product, Product.id == Review.product_id)
        .where(Review.store_id == store_id, Review.id == review_id)
    ).one_or_none()
    if found is None:
        raise NotFound(f"no review {review_id}")
    review, sku = found
    revisions = session.scalars(
        select(ReviewRevision)
        .where(ReviewRevision.store_id == store_id, ReviewRevision.review_id == review_id)
        .order_by(ReviewRevision.revision)
    )
    photos = session.scalars(
        select(ReviewPhoto)
        .where(ReviewPhoto.store_id == store_id, ReviewPhoto.review_id == review_id)
        .order_by(ReviewPhoto.position)
    )
    return ReviewDetail(
        review=review,
        product_sku=sku,
        revisions=list(revisions),
        decisions=decisions_for(session, store_id=store_id, subject=Subject.REVIEW, subject_id=review_id),
        replies=replies_of(session, store_id=store_id, review_id=review_id),
        photos=list(photos),
    )


def product_skus(session: Session, *, store_id: str, product_ids: set[int]) -> dict[int, str]:
    rows = session.execute(
        select(Product.id, Product.sku).where(Product.store_id == store_id, Product.id.in_(product_ids))
    )
    return {product_id: sku for product_id, sku in rows}  # noqa: C416 - rows are Row objects


@dataclass(frozen=True)
class NetPromoterScore:
    """NPS = % promoters (9-10) minus % detractors (0-6), from -100 to 100; None without answers."""

    responses: int
    promoters: int
    passives: int
    detractors: int

    @property
    def score(self) -> float | None:
        if not self.responses:
            return None
        return round(100 * (self.promoters - self.detractors) / self.responses, 1)


def net_promoter_score(
    session: Session, *, store_id: str, since: datetime | None = None, until: datetime | None = None
) -> NetPromoterScore:
    query = select(RecommendationScore.score, func.count()).where(RecommendationScore.store_id == store_id)
    if since is not None:
        query = query.where(RecommendationScore.created_at >= since)
    if until is not None:
        query = query.where(RecommendationScore.created_at < until)
    rows = session.execute(query.group_by(RecommendationScore.score))
    counts: dict[int, int] = {row[0]: row[1] for row in rows}
    promoters = sum(n for score, n in counts.items() if score >= 9)
    detractors = sum(n for score, n in counts.items() if score <= 6)
    total = sum(counts.values())
    return NetPromoterScore(total, promoters, total - promoters - detractors, detractors)
