"""The read queries behind a store's public review pages: what is shown, in which order, page by page."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from goodword.errors import InvalidInput, NotFound
from goodword.reviews.display_types import ReviewSort
from goodword.reviews.models import QuestionStatus, ReplyVisibility, ReviewStatus
from goodword.reviews.public_queries import (
    feed_reviews,
    product_questions,
    product_reviews,
    product_summary,
    store_rating,
)
from tests.factories.review_rows import (
    make_answer,
    make_photo,
    make_product,
    make_question,
    make_reply,
    make_review,
)
from tests.factories.stores import StoreAccess


def test_only_published_reviews_are_shown_newest_first_with_the_products_aggregate(
    session: Session, store: StoreAccess
) -> None:
    # given
    product = make_product(session, store_id=store.store_id)
    older = make_review(session, product=product, rating=4, minutes=1)
    newer = make_review(session, product=product, rating=2, minutes=2)
    for status in (ReviewStatus.PENDING, ReviewStatus.HIDDEN, ReviewStatus.REJECTED):
        make_review(session, product=product, status=status)
    # when
    page = product_reviews(session, store_id=store.store_id, sku=product.sku)
    # then
    assert [review.id for review in page.reviews] == [newer.id, older.id]
    assert page.aggregate.review_count == 2
    assert page.aggregate.average == 3.0
    assert page.aggregate.histogram == (0, 1, 0, 1, 0)
    assert page.next_cursor is None


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (ReviewSort.NEWEST, ["c", "b", "a"]),
        (ReviewSort.MOST_HELPFUL, ["b", "a", "c"]),
        (ReviewSort.HIGHEST, ["a", "c", "b"]),
        (ReviewSort.LOWEST, ["b", "c", "a"]),
    ],
)
def test_reviews_come_in_the_sort_order_asked_for(
    session: Session, store: StoreAccess, sort: ReviewSort, expected: list[str]
) -> None:
    # given
    product = make_product(session, store_id=store.store_id)
    make_review(session, product=product, rating=5, helpful_count=3, title="a", minutes=1)
    make_review(session, product=product, rating=1, helpful_count=9, title="b", minutes=2)
    make_review(session, product=product, rating=3, helpful_count=0, title="c", minutes=3)
    # when
    page = product_reviews(session, store_id=store.store_id, sku=product.sku, sort=sort)
    # then
    assert [review.title for review in page.reviews] == expected


@pytest.mark.parametrize("sort", list(ReviewSort))
def test_following_the_cursor_visits_every_review_once(
    session: Session, store: StoreAccess, sort: ReviewSort
) -> None:
    # given: ties on every sort key, so the id must break them
    product = make_product(session, store_id=store.store_id)
    ids = {make_review(session, product=product, rating=1 + n % 2, minutes=n // 3).id for n in range(11)}
    # when
    seen: list[int] = []
    cursor = None
    while True:
        page = product_reviews(
            session, store_id=store.store_id, sku=product.sku, sort=sort, cursor=cursor, limit=4
        )
        seen += [review.id for review in page.reviews]
        cursor = page.next_cursor
        if cursor is None:
            break
    # then
    assert sorted(seen) == sorted(ids)


def test_filters_narrow_the_page_but_not_the_aggregate(session: Session, store: StoreAccess) -> None:
    # given
    product = make_product(session, store_id=store.store_id)
    make_review(session, product=product, rating=5, language="en")
    with_photo = make_review(session, product=product, rating=5, language="zh")
    make_photo(session, review=with_photo)
    make_review(session, product=product, rating=1, language="zh")
    # when
    five_stars = product_reviews(session, store_id=store.store_id, sku=product.sku, rating=5)
    photos = product_reviews(session, store_id=store.store_id, sku=product.sku, with_photos=True)
    chinese = product_reviews(session, store_id=store.store_id, sku=product.sku, language="zh")
    # then
    assert len(five_stars.reviews) == 2
    assert [review.id for review in photos.reviews] == [with_photo.id]
    assert photos.reviews[0].photos[0].width == 800
    assert len(chinese.reviews) == 2
    assert chinese.aggregate.review_count == 3


def test_a_review_shows_its_newest_public_reply_and_never_a_private_one(
    session: Session, store: StoreAccess
) -> None:
    # given
    product = make_product(session, store_id=store.store_id)
    review = make_review(session, product=product, rating=2)
    make_reply(session, review=review, body="Sorry to hear that.")
    make_reply(session, review=review, body="We sent a replacement.")
    make_reply(session, review=review, body="private note", visibility=ReplyVisibility.PRIVATE)
    # when
    page = product_reviews(session, store_id=store.store_id, sku=product.sku)
    # then
    assert page.reviews[0].reply is not None
    assert page.reviews[0].reply.body == "We sent a replacement."


def test_a_cursor_made_for_another_sort_order_is_refused(session: Session, store: StoreAccess) -> None:
    # given
    product = make_product(session, store_id=store.store_id)
    for _ in range(3):
        make_review(session, product=product)
    page = product_reviews(session, store_id=store.store_id, sku=product.sku, limit=1)
    assert page.next_cursor is not None
    # when / then
    with pytest.raises(InvalidInput):
        product_reviews(
            session,
            store_id=store.store_id,
            sku=product.sku,
            sort=ReviewSort.HIGHEST,
            cursor=page.next_cursor,
        )
    with pytest.raises(InvalidInput):
        product_reviews(session, store_id=store.store_id, sku=product.sku, cursor="not-a-cursor")


def test_a_product_without_reviews_has_no_average(session: Session, store: StoreAccess) -> None:
    # given
    product = make_product(session, store_id=store.store_id)
    # when
    _product, aggregate = product_summary(session, store_id=store.store_id, sku=product.sku)
    # then
    assert (aggregate.review_count, aggregate.average) == (0, None)


def test_another_stores_product_is_not_found(
    session: Session, store: StoreAccess, other_store: StoreAccess
) -> None:
    # given
    product = make_product(session, store_id=store.store_id)
    # when / then
    with pytest.raises(NotFound):
        product_reviews(session, store_id=other_store.store_id, sku=product.sku)


def test_the_store_rating_adds_up_every_product(
    session: Session, store: StoreAccess, other_store: StoreAccess
) -> None:
    # given
    for rating in (5, 4):
        make_review(session, product=make_product(session, store_id=store.store_id), rating=rating)
    make_review(session, product=make_product(session, store_id=other_store.store_id), rating=1)
    # when
    aggregate = store_rating(session, store_id=store.store_id)
    # then
    assert (aggregate.review_count, aggregate.average, aggregate.histogram) == (2, 4.5, (0, 0, 0, 1, 1))


def test_questions_show_published_answers_official_first(session: Session, store: StoreAccess) -> None:
    # given
    product = make_product(session, store_id=store.store_id)
    question = make_question(session, product=product)
    make_question(session, product=product, status=QuestionStatus.UNCONFIRMED)
    make_answer(session, question=question, helpful_count=5, body="customer")
    make_answer(session, question=question, official=True, body="store")
    # when
    page = product_questions(session, store_id=store.store_id, sku=product.sku)
    # then
    assert [q.id for q in page.questions] == [question.id]
    assert [(a.body, a.official) for a in page.questions[0].answers] == [("store", True), ("customer", False)]


def test_the_feed_reads_every_published_review_in_batches(session: Session, store: StoreAccess) -> None:
    # given
    product = make_product(session, store_id=store.store_id)
    ids = [make_review(session, product=product).id for _ in range(5)]
    make_review(session, product=product, status=ReviewStatus.PENDING)
    # when
    found = list(feed_reviews(session, store_id=store.store_id, batch_size=2))
    # then
    assert [review.id for review in found] == ids
    assert found[0].product.sku == product.sku
