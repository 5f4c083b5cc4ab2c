"""Staff edit a review: a reason is required, every edit is a revision, and the summary follows the rating."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from goodword.reviews.models import ProductRatingSummary
from goodword.reviews.summaries import recount
from tests.api.assertions import assert_problem
from tests.factories import review_rows
from tests.factories.reviews import make_purchase, make_review
from tests.factories.stores import StoreAccess


def _summary(session: Session, store_id: str, product_id: int) -> dict[str, int]:
    row = session.scalars(
        select(ProductRatingSummary)
        .where(ProductRatingSummary.store_id == store_id, ProductRatingSummary.product_id == product_id)
        .execution_options(populate_existing=True)
    ).one()
    return {name: getattr(row, name) for name in recount(session, store_id=store_id, product_id=product_id)}


def test_editing_a_published_reviews_rating_moves_the_summary_and_keeps_the_revision(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given a published five-star review
    purchase = make_purchase(session, store_id=store.store_id)
    review = make_review(session, purchase, rating=5)
    # when staff correct it to three stars with a new body
    response = client.patch(f"/api/v1/reviews/{review.id}",
                            json={"rating": 3, "body": "Good, not great.", "reason": "customer_request"},
                            headers=store.writer)  # fmt: skip
    detail = client.get(f"/api/v1/reviews/{review.id}", headers=store.reader).json()
    # then the review says so, the summary counts a three, and the history keeps both texts
    assert response.status_code == 200, response.text
    assert (response.json()["rating"], response.json()["body"]) == (3, "Good, not great.")
    assert _summary(session, store.store_id, purchase.product_id) == recount(
        session, store_id=store.store_id, product_id=purchase.product_id
    )
    assert _summary(session, store.store_id, purchase.product_id)["count_3"] == 1
    assert [(r["revision"], r["rating"], r["body"], r["reason"]) for r in detail["revisions"]] == [
        (1, 5, "Lovely tea, brews well.", None),
        (2, 3, "Good, not great.", "customer_request"),
    ]
    assert detail["revisions"][1]["edited_by"].startswith("api-key:")


def test_an_edit_can_clear_the_title_and_disclose_an_incentive(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given
    review = make_review(session, make_purchase(session, store_id=store.store_id))
    # when
    response = client.patch(f"/api/v1/reviews/{review.id}",
                            json={"title": None, "incentivized": True, "language": "en", "reason": "disclosure"},
                            headers=store.writer)  # fmt: skip
    # then
    assert response.status_code == 200, response.text
    assert (response.json()["title"], response.json()["incentivized"]) == (None, True)


def test_an_edit_without_a_reason_or_without_changes_is_refused(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given
    review = make_review(session, make_purchase(session, store_id=store.store_id))
    path = f"/api/v1/reviews/{review.id}"
    # when
    no_reason = client.patch(path, json={"rating": 4}, headers=store.writer)
    nothing = client.patch(path, json={"reason": "typo"}, headers=store.writer)
    bad_rating = client.patch(path, json={"rating": 6, "reason": "typo"}, headers=store.writer)
    read_only = client.patch(path, json={"rating": 4, "reason": "typo"}, headers=store.reader)
    # then
    assert_problem(no_reason, 422, "invalid_input")
    assert_problem(nothing, 422, "invalid_input")
    assert_problem(bad_rating, 422, "invalid_input")
    assert read_only.status_code == 403


def test_an_edit_that_changes_nothing_appends_no_revision(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given
    review = make_review(session, make_purchase(session, store_id=store.store_id), rating=5)
    # when
    response = client.patch(
        f"/api/v1/reviews/{review.id}", json={"rating": 5, "reason": "typo"}, headers=store.writer
    )
    detail = client.get(f"/api/v1/reviews/{review.id}", headers=store.reader).json()
    # then
    assert response.status_code == 200, response.text
    assert len(detail["revisions"]) == 1


def test_a_review_stored_without_its_first_revision_keeps_its_original_when_edited(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given a review written straight into the table, as the demo store does, with no revision of its own
    product = review_rows.make_product(session, store_id=store.store_id)
    review = review_rows.make_review(session, product=product, rating=4, body="Bright and grassy.")
    # when staff edit it
    response = client.patch(
        f"/api/v1/reviews/{review.id}", json={"rating": 5, "reason": "typo"}, headers=store.writer
    )
    detail = client.get(f"/api/v1/reviews/{review.id}", headers=store.reader).json()
    # then the original is revision 1 and the edit revision 2
    assert response.status_code == 200, response.text
    assert [(r["revision"], r["rating"], r["edited_by"]) for r in detail["revisions"]] == [
        (1, 4, "original"),
        (2, 5, detail["revisions"][1]["edited_by"]),
    ]
    assert detail["revisions"][1]["edited_by"].startswith("api-key:")
