"""Published reviews and questions as a store's public pages show them: read-only, store-scoped, keyset pages.

Nothing here writes. A product page costs a fixed handful of indexed queries whatever the product's size:
the product with its `ProductRatingSummary` row (the stars, never a count over reviews), one index range scan
for the page, and one look-up each for the page's replies and photos.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Executable, Row, and_, bindparam, func, select, tuple_
from sqlalchemy.orm import InstrumentedAttribute, Session

from goodword.errors import NotFound
from goodword.reviews.display_cursors import decode_cursor, encode_cursor
from goodword.reviews.display_types import (
    NO_RATINGS,
    DisplayAnswer,
    DisplayPhoto,
    DisplayProduct,
    DisplayQuestion,
    DisplayReply,
    DisplayReview,
    FeedReview,
    QuestionPage,
    RatingAggregate,
    ReviewPage,
    ReviewSort,
)
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
from goodword.stores.stores import get_store

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
FEED_BATCH_SIZE = 1_000

# Each order is (key, id), descending but for `lowest`, so that a page is one range scan of the index named.
_REVIEW_ORDERS: dict[ReviewSort, tuple[InstrumentedAttribute[Any], bool]] = {
    ReviewSort.NEWEST: (Review.published_at, True),  # ix_reviews_product_newest
    ReviewSort.MOST_HELPFUL: (Review.helpful_count, True),  # ix_reviews_product_helpful
    ReviewSort.HIGHEST: (Review.rating, True),  # ix_reviews_product_rating
    ReviewSort.LOWEST: (Review.rating, False),  # ix_reviews_product_rating, read forwards
}
_SUMMARY_COLUMNS = (
    ProductRatingSummary.review_count,
    ProductRatingSummary.rating_sum,
    ProductRatingSummary.count_1,
    ProductRatingSummary.count_2,
    ProductRatingSummary.count_3,
    ProductRatingSummary.count_4,
    ProductRatingSummary.count_5,
)
_REVIEW_COLUMNS = (
    Review.id,
    Review.rating,
    Review.title,
    Review.body,
    Review.language,
    Review.author_name,
    Review.verified_buyer,
    Review.incentivized,
    Review.helpful_count,
    Review.unhelpful_count,
    Review.published_at,
    Review.photo_count,
)


@functools.cache
def _page_statement(
    sort: ReviewSort, by_rating: bool, with_photos: bool, by_language: bool, after: bool
) -> Executable:
    """The page query for one shape of request, built once: only its parameters change between requests.

    Executed on the session's connection, not through the ORM: these are plain column rows, and building and
    compiling the statement afresh cost more than the database's work for a page.
    """
    key_column, descending = _REVIEW_ORDERS[sort]
    query = select(*_REVIEW_COLUMNS).where(
        Review.store_id == bindparam("store_id"),
        Review.product_id == bindparam("product_id"),
        Review.status == ReviewStatus.PUBLISHED,
    )
    if by_rating:
        query = query.where(Review.rating == bindparam("rating"))
    if with_photos:
        query = query.where(Review.photo_count > 0)
    if by_language:
        query = query.where(Review.language == bindparam("language"))
    if after:
        bound: tuple[Any, Any] = (bindparam("after_key", type_=key_column.type), bindparam("after_id"))
        query = query.where(_after(key_column, Review.id, bound, descending=descending))
    order = (key_column.desc(), Review.id.desc()) if descending else (key_column.asc(), Review.id.asc())
    return query.order_by(*order).limit(bindparam("limit"))


def product_summary(session: Session, *, store_id: str, sku: str) -> tuple[DisplayProduct, RatingAggregate]:
    """The product and its published reviews counted (average, count, 1-5 histogram).

    Raises:
        NotFound: the store has no product with this SKU (or there is no such store).
    """
    _product_id, product, aggregate = _product_with_summary(session, store_id=store_id, sku=sku)
    return product, aggregate


def product_reviews(
    session: Session,
    *,
    store_id: str,
    sku: str,
    sort: ReviewSort = ReviewSort.NEWEST,
    rating: int | None = None,
    with_photos: bool = False,
    language: str | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
) -> ReviewPage:
    """A page of the product's published reviews in `sort` order, filtered, with the product's aggregate.

    Raises:
        NotFound: the store has no product with this SKU (or there is no such store).
        InvalidInput: the cursor was not made for this sort order.
    """
    limit = min(limit, MAX_PAGE_SIZE)
    product_id, product, aggregate = _product_with_summary(session, store_id=store_id, sku=sku)
    key_column = _REVIEW_ORDERS[sort][0]
    parameters: dict[str, Any] = {
        "store_id": store_id,
        "product_id": product_id,
        "rating": rating,
        "language": language,
        "limit": limit + 1,
    }
    if cursor is not None:
        parameters["after_key"], parameters["after_id"] = decode_cursor(
            cursor, order=sort.value, dated=sort is ReviewSort.NEWEST
        )
    statement = _page_statement(
        sort, rating is not None, with_photos, language is not None, cursor is not None
    )
    rows: list[Row[Any]] = list(session.connection().execute(statement, parameters))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_cursor(sort.value, getattr(last, key_column.key), last.id)
    replies = _public_replies(session, store_id=store_id, review_ids=[row.id for row in rows])
    photos = _photos(session, store_id=store_id, review_ids=[row.id for row in rows if row.photo_count])
    reviews = [_display_review(row, photos.get(row.id, ()), replies.get(row.id)) for row in rows]
    return ReviewPage(product=product, aggregate=aggregate, reviews=reviews, next_cursor=next_cursor)


def product_questions(
    session: Session, *, store_id: str, sku: str, cursor: str | None = None, limit: int = DEFAULT_PAGE_SIZE
) -> QuestionPage:
    """A page of the product's published questions, newest first, each with its published answers.

    Answers come official first, then most helpful first.

    Raises:
        NotFound: the store has no product with this SKU (or there is no such store).
        InvalidInput: the cursor was not made by this endpoint.
    """
    limit = min(limit, MAX_PAGE_SIZE)
    product_id, product, _aggregate = _product_with_summary(session, store_id=store_id, sku=sku)
    # serves from ix_questions_product_newest
    query = select(
        Question.id, Question.body, Question.language, Question.author_name, Question.published_at
    ).where(
        Question.store_id == store_id,
        Question.product_id == product_id,
        Question.status == QuestionStatus.PUBLISHED,
    )
    if cursor is not None:
        after = decode_cursor(cursor, order="questions", dated=True)
        query = query.where(_after(Question.published_at, Question.id, after, descending=True))
    query = query.order_by(Question.published_at.desc(), Question.id.desc())
    rows = list(session.execute(query.limit(limit + 1)))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor("questions", rows[-1].published_at, rows[-1].id)
    answers = _published_answers(session, store_id=store_id, question_ids=[row.id for row in rows])
    questions = [
        DisplayQuestion(
            id=row.id,
            body=row.body,
            language=row.language,
            author_name=row.author_name,
            published_at=row.published_at,
            answers=tuple(answers.get(row.id, ())),
        )
        for row in rows
    ]
    return QuestionPage(product=product, questions=questions, next_cursor=next_cursor)


def store_rating(session: Session, *, store_id: str) -> RatingAggregate:
    """Every published review of the store counted, summed from its products' summaries.

    Raises:
        NotFound: there is no such store.
    """
    get_store(session, store_id=store_id)
    row = session.execute(
        select(*(func.coalesce(func.sum(column), 0) for column in _SUMMARY_COLUMNS)).where(
            ProductRatingSummary.store_id == store_id
        )
    ).one()
    return _aggregate(tuple(int(value) for value in row))


def store_name(session: Session, *, store_id: str) -> str:
    """Raises:
    NotFound: there is no such store.
    """
    return get_store(session, store_id=store_id).name


def feed_reviews(
    session: Session, *, store_id: str, batch_size: int = FEED_BATCH_SIZE
) -> Iterator[FeedReview]:
    """Every published review of the store with its product, oldest id first, read a batch at a time."""
    last_id = 0
    while True:
        # serves from ix_reviews_store_status (store_id, status, id)
        rows = session.execute(
            select(
                *_REVIEW_COLUMNS,
                Product.sku,
                Product.title.label("product_title"),
                Product.url,
                Product.image_url,
            )
            .join(Product, Product.id == Review.product_id)
            .where(
                Review.store_id == store_id,
                Review.status == ReviewStatus.PUBLISHED,
                Review.id > last_id,
            )
            .order_by(Review.id)
            .limit(batch_size)
        ).all()
        for row in rows:
            yield FeedReview(
                id=row.id,
                rating=row.rating,
                title=row.title,
                body=row.body,
                language=row.language,
                author_name=row.author_name,
                verified_buyer=row.verified_buyer,
                incentivized=row.incentivized,
                published_at=row.published_at,
                product=DisplayProduct(row.sku, row.product_title, row.url, row.image_url),
            )
        if len(rows) < batch_size:
            return
        last_id = rows[-1].id


_PRODUCT_WITH_SUMMARY = (
    select(Product.id, Product.sku, Product.title, Product.url, Product.image_url, *_SUMMARY_COLUMNS)
    .outerjoin(
        ProductRatingSummary,
        and_(
            ProductRatingSummary.store_id == bindparam("store_id"),
            ProductRatingSummary.product_id == Product.id,
        ),
    )
    .where(Product.store_id == bindparam("store_id"), Product.sku == bindparam("sku"))
)


def _product_with_summary(
    session: Session, *, store_id: str, sku: str
) -> tuple[int, DisplayProduct, RatingAggregate]:
    row = (
        session.connection().execute(_PRODUCT_WITH_SUMMARY, {"store_id": store_id, "sku": sku}).one_or_none()
    )
    if row is None:
        raise NotFound(f"no product with sku {sku!r}")
    product = DisplayProduct(sku=row.sku, title=row.title, url=row.url, image_url=row.image_url)
    counts = tuple(row[5:])
    aggregate = NO_RATINGS if counts[0] is None else _aggregate(counts)
    return row.id, product, aggregate


def _aggregate(counts: tuple[Any, ...]) -> RatingAggregate:
    review_count, rating_sum, one, two, three, four, five = counts
    return RatingAggregate(review_count, rating_sum, (one, two, three, four, five))


def _after(
    key: InstrumentedAttribute[Any],
    id_column: InstrumentedAttribute[Any],
    after: tuple[Any, Any],
    *,
    descending: bool,
) -> ColumnElement[bool]:
    # A row-value comparison, which both SQLite and PostgreSQL turn into one range on the (…, key, id) index.
    pair = tuple_(key, id_column)
    return pair < tuple_(*after) if descending else pair > tuple_(*after)


_PUBLIC_REPLIES = (
    select(ReviewReply.review_id, ReviewReply.body, ReviewReply.created_at)
    .where(
        ReviewReply.store_id == bindparam("store_id"),
        ReviewReply.review_id.in_(bindparam("review_ids", expanding=True)),
        ReviewReply.visibility == ReplyVisibility.PUBLIC,
    )
    .order_by(ReviewReply.id)
)


def _public_replies(session: Session, *, store_id: str, review_ids: Sequence[int]) -> dict[int, DisplayReply]:
    if not review_ids:
        return {}
    rows = session.connection().execute(_PUBLIC_REPLIES, {"store_id": store_id, "review_ids": review_ids})
    # Later rows overwrite earlier ones: the newest public reply is the one shown.
    return {row.review_id: DisplayReply(body=row.body, created_at=row.created_at) for row in rows}


def _photos(session: Session, *, store_id: str, review_ids: Sequence[int]) -> dict[int, list[DisplayPhoto]]:
    if not review_ids:
        return {}
    found: dict[int, list[DisplayPhoto]] = {}
    rows = session.execute(
        select(
            ReviewPhoto.review_id,
            ReviewPhoto.file_key,
            ReviewPhoto.thumbnail_key,
            ReviewPhoto.width,
            ReviewPhoto.height,
        )
        .where(ReviewPhoto.store_id == store_id, ReviewPhoto.review_id.in_(review_ids))
        .order_by(ReviewPhoto.review_id, ReviewPhoto.position, ReviewPhoto.id)
    )
    for row in rows:
        found.setdefault(row.review_id, []).append(
            DisplayPhoto(row.file_key, row.thumbnail_key, row.width, row.height)
        )
    return found


def _published_answers(
    session: Session, *, store_id: str, question_ids: Sequence[int]
) -> dict[int, list[DisplayAnswer]]:
    if not question_ids:
        return {}
    found: dict[int, list[DisplayAnswer]] = {}
    rows = session.execute(
        select(
            Answer.id,
            Answer.question_id,
            Answer.body,
            Answer.author_name,
            Answer.official,
            Answer.verified_buyer,
            Answer.helpful_count,
            Answer.published_at,
            Answer.created_at,
        )
        .where(
            Answer.store_id == store_id,
            Answer.question_id.in_(question_ids),
            Answer.status == AnswerStatus.PUBLISHED,
        )
        .order_by(Answer.official.desc(), Answer.helpful_count.desc(), Answer.id)
    )
    for row in rows:
        found.setdefault(row.question_id, []).append(
            DisplayAnswer(
                id=row.id,
                body=row.body,
                author_name=row.author_name,
                official=row.official,
                verified_buyer=row.verified_buyer,
                helpful_count=row.helpful_count,
                published_at=row.published_at or row.created_at,
            )
        )
    return found


def _display_review(
    row: Row[Any], photos: Sequence[DisplayPhoto], reply: DisplayReply | None
) -> DisplayReview:
    return DisplayReview(
        id=row.id,
        rating=row.rating,
        title=row.title,
        body=row.body,
        language=row.language,
        author_name=row.author_name,
        verified_buyer=row.verified_buyer,
        incentivized=row.incentivized,
        helpful_count=row.helpful_count,
        unhelpful_count=row.unhelpful_count,
        published_at=row.published_at,
        photos=tuple(photos),
        reply=reply,
    )
