"""Keeping `ProductRatingSummary` exactly in step with published reviews, in the caller's transaction.

Every change that moves a review into or out of `published`, or changes the rating of a published one, calls
`apply_rating_changes` with what it moved; nothing else writes these rows. The upsert adds to the counters in
the database (`count = count + delta`), so two transactions publishing reviews of one product never lose a count.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from goodword.db.bulk import insert_for
from goodword.reviews.models import ProductRatingSummary, Review, ReviewStatus

_summaries = cast(Table, ProductRatingSummary.__table__)
RatingChange = tuple[int, int, int]  # (product_id, rating, +1 entering published / -1 leaving)


def apply_rating_changes(
    session: Session, *, store_id: str, changes: Iterable[RatingChange], now: datetime
) -> None:
    """Add each (product, rating, ±1) to the product's summary; products are written in id order."""
    by_product: dict[int, Counter[int]] = defaultdict(Counter)
    for product_id, rating, delta in changes:
        by_product[product_id][rating] += delta
    # Ascending product id: two transactions touching the same products lock their rows in the same order.
    for product_id in sorted(by_product):
        counts = by_product[product_id]
        if not any(counts.values()):
            continue
        row: dict[str, Any] = {
            "store_id": store_id,
            "product_id": product_id,
            "review_count": sum(counts.values()),
            "rating_sum": sum(rating * n for rating, n in counts.items()),
            **{f"count_{star}": counts.get(star, 0) for star in range(1, 6)},
            "updated_at": now,
        }
        statement = insert_for(session, _summaries).values(row)
        added = {
            name: _summaries.c[name] + statement.excluded[name]
            for name in ("review_count", "rating_sum", *(f"count_{star}" for star in range(1, 6)))
        }
        session.execute(
            statement.on_conflict_do_update(
                index_elements=[_summaries.c.store_id, _summaries.c.product_id],
                set_=added | {"updated_at": statement.excluded.updated_at},
            )
        )


def recount(session: Session, *, store_id: str, product_id: int) -> dict[str, int]:
    """The summary as counted from the reviews themselves: for checks and repairs, not for pages."""
    ratings = Counter(
        session.scalars(
            select(Review.rating).where(
                Review.store_id == store_id,
                Review.product_id == product_id,
                Review.status == ReviewStatus.PUBLISHED,
            )
        )
    )
    return {
        "review_count": sum(ratings.values()),
        "rating_sum": sum(rating * n for rating, n in ratings.items()),
        **{f"count_{star}": ratings.get(star, 0) for star in range(1, 6)},
    }
