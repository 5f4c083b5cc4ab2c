"""What a store's public pages show of its reviews: plain, frozen values the read queries hand to renderers.

The JSON widget data, the schema.org JSON-LD and the Google feed are all drawn from these, so each renderer
is a pure function that can be tested without a database.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class ReviewSort(enum.StrEnum):
    NEWEST = "newest"
    MOST_HELPFUL = "most_helpful"
    HIGHEST = "highest"
    LOWEST = "lowest"


@dataclass(frozen=True)
class RatingAggregate:
    """Published reviews counted: how many, the sum of their stars, and how many gave each of 1 to 5 stars."""

    review_count: int
    rating_sum: int
    histogram: tuple[int, int, int, int, int]

    @property
    def average(self) -> float | None:
        """The mean rating to two decimals; None when there is nothing to average."""
        return round(self.rating_sum / self.review_count, 2) if self.review_count else None


NO_RATINGS = RatingAggregate(0, 0, (0, 0, 0, 0, 0))


@dataclass(frozen=True)
class DisplayProduct:
    sku: str
    title: str
    url: str | None
    image_url: str | None


@dataclass(frozen=True)
class DisplayPhoto:
    file_key: str
    thumbnail_key: str
    width: int
    height: int


@dataclass(frozen=True)
class DisplayReply:
    body: str
    created_at: datetime


@dataclass(frozen=True)
class DisplayReview:
    id: int
    rating: int
    title: str | None
    body: str
    language: str
    author_name: str
    verified_buyer: bool
    incentivized: bool  # a reward was given for it; every output discloses it
    helpful_count: int
    unhelpful_count: int
    published_at: datetime
    photos: tuple[DisplayPhoto, ...]
    reply: DisplayReply | None  # the merchant's newest public reply


@dataclass(frozen=True)
class ReviewPage:
    product: DisplayProduct
    aggregate: RatingAggregate
    reviews: list[DisplayReview]
    next_cursor: str | None


@dataclass(frozen=True)
class DisplayAnswer:
    id: int
    body: str
    author_name: str
    official: bool  # written by the merchant
    verified_buyer: bool
    helpful_count: int
    published_at: datetime


@dataclass(frozen=True)
class DisplayQuestion:
    id: int
    body: str
    language: str
    author_name: str
    published_at: datetime
    answers: tuple[DisplayAnswer, ...]


@dataclass(frozen=True)
class QuestionPage:
    product: DisplayProduct
    questions: list[DisplayQuestion]
    next_cursor: str | None


@dataclass(frozen=True)
class FeedReview:
    """One published review as the Google Product Ratings feed carries it, with its product."""

    id: int
    rating: int
    title: str | None
    body: str
    language: str
    author_name: str
    verified_buyer: bool
    incentivized: bool
    published_at: datetime
    product: DisplayProduct
