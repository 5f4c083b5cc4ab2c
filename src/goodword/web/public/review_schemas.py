"""The JSON shapes of public review data, and their rendering to bytes from the domain's display values."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from goodword.reviews.display_types import (
    DisplayAnswer,
    DisplayPhoto,
    DisplayProduct,
    DisplayQuestion,
    DisplayReview,
    QuestionPage,
    RatingAggregate,
    ReviewPage,
    ReviewSort,
)
from goodword.reviews.public_queries import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

# Where review photos are served from, under the server's public base URL: /media/<store>/<file key>.
MEDIA_PATH = "/media/reviews"  # where web/public/review_form.py serves review photos


class ReviewQuery(BaseModel):
    """What a page of reviews asks for. One model rather than six parameters: validated in one step, and
    hashable, so it keys the cache as it is."""

    model_config = ConfigDict(frozen=True)

    sort: ReviewSort = ReviewSort.NEWEST
    rating: int | None = Field(default=None, ge=1, le=5, description="Only reviews with this many stars")
    with_photos: bool = Field(default=False, description="Only reviews with photos")
    language: str | None = Field(default=None, min_length=2, max_length=8, description='e.g. "en", "zh"')
    cursor: str | None = Field(default=None, max_length=300, description="next_cursor of the previous page")
    limit: int = Field(default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class AggregateOut(BaseModel):
    average: float | None = Field(description="Mean of the published ratings, to two decimals; null if none")
    count: int
    histogram: dict[str, int] = Field(description='Reviews per star rating, "1" to "5"')


class ProductOut(BaseModel):
    sku: str
    title: str
    url: str | None
    image_url: str | None


class PhotoOut(BaseModel):
    url: str
    thumbnail_url: str
    width: int
    height: int


class ReplyOut(BaseModel):
    body: str
    created_at: datetime


class ReviewOut(BaseModel):
    id: int
    rating: int
    title: str | None
    body: str
    language: str
    author: str
    verified_buyer: bool
    incentivized: bool = Field(description="A reward was given for this review; show it beside the review")
    helpful_count: int
    unhelpful_count: int
    published_at: datetime
    photos: list[PhotoOut]
    reply: ReplyOut | None = Field(description="The merchant's public reply")


class ReviewPageOut(BaseModel):
    product: ProductOut
    aggregate: AggregateOut
    data: list[ReviewOut]
    next_cursor: str | None


class SummaryOut(BaseModel):
    product: ProductOut
    aggregate: AggregateOut


class AnswerOut(BaseModel):
    id: int
    body: str
    author: str
    official: bool = Field(description="Answered by the store itself")
    verified_buyer: bool
    helpful_count: int
    published_at: datetime


class QuestionOut(BaseModel):
    id: int
    body: str
    language: str
    author: str
    published_at: datetime
    answers: list[AnswerOut]


class QuestionPageOut(BaseModel):
    product: ProductOut
    data: list[QuestionOut]
    next_cursor: str | None


class StoreRatingOut(BaseModel):
    store_id: str
    aggregate: AggregateOut


def aggregate_out(aggregate: RatingAggregate) -> AggregateOut:
    return AggregateOut(
        average=aggregate.average,
        count=aggregate.review_count,
        histogram={str(stars): count for stars, count in enumerate(aggregate.histogram, start=1)},
    )


def product_out(product: DisplayProduct) -> ProductOut:
    return ProductOut(sku=product.sku, title=product.title, url=product.url, image_url=product.image_url)


def review_page_json(page: ReviewPage, *, media_base: str) -> bytes:
    return (
        ReviewPageOut(
            product=product_out(page.product),
            aggregate=aggregate_out(page.aggregate),
            data=[_review_out(review, media_base) for review in page.reviews],
            next_cursor=page.next_cursor,
        )
        .model_dump_json()
        .encode()
    )


def summary_json(product: DisplayProduct, aggregate: RatingAggregate) -> bytes:
    return (
        SummaryOut(product=product_out(product), aggregate=aggregate_out(aggregate))
        .model_dump_json()
        .encode()
    )


def question_page_json(page: QuestionPage) -> bytes:
    return (
        QuestionPageOut(
            product=product_out(page.product),
            data=[_question_out(question) for question in page.questions],
            next_cursor=page.next_cursor,
        )
        .model_dump_json()
        .encode()
    )


def store_rating_json(store_id: str, aggregate: RatingAggregate) -> bytes:
    return StoreRatingOut(store_id=store_id, aggregate=aggregate_out(aggregate)).model_dump_json().encode()


def _review_out(review: DisplayReview, media_base: str) -> ReviewOut:
    return ReviewOut(
        id=review.id,
        rating=review.rating,
        title=review.title,
        body=review.body,
        language=review.language,
        author=review.author_name,
        verified_buyer=review.verified_buyer,
        incentivized=review.incentivized,
        helpful_count=review.helpful_count,
        unhelpful_count=review.unhelpful_count,
        published_at=review.published_at,
        photos=[_photo_out(photo, media_base) for photo in review.photos],
        reply=ReplyOut(body=review.reply.body, created_at=review.reply.created_at) if review.reply else None,
    )


def _photo_out(photo: DisplayPhoto, media_base: str) -> PhotoOut:
    return PhotoOut(
        url=f"{media_base}/{photo.file_key}",
        thumbnail_url=f"{media_base}/{photo.thumbnail_key}",
        width=photo.width,
        height=photo.height,
    )


def _question_out(question: DisplayQuestion) -> QuestionOut:
    return QuestionOut(
        id=question.id,
        body=question.body,
        language=question.language,
        author=question.author_name,
        published_at=question.published_at,
        answers=[_answer_out(answer) for answer in question.answers],
    )


def _answer_out(answer: DisplayAnswer) -> AnswerOut:
    return AnswerOut(
        id=answer.id,
        body=answer.body,
        author=answer.author_name,
        official=answer.official,
        verified_buyer=answer.verified_buyer,
        helpful_count=answer.helpful_count,
        published_at=answer.published_at,
    )
