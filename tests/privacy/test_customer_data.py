"""A customer's data across every domain: the export misses nothing, the erasure reaches everything."""

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from goodword.reviews.models import Review
from goodword.reviews.privacy import ANONYMOUS_AUTHOR
from tests.factories.reviews import make_purchase, make_review
from tests.factories.stores import StoreAccess


def test_an_export_holds_the_customers_reviews_beside_their_orders_and_rewards(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given
    purchase = make_purchase(session, store_id=store.store_id)
    make_review(session, purchase, rating=4, body="Smooth, <b>floral</b> and fresh.")
    # when
    export = client.get(
        f"/api/v1/customers/{purchase.customer_external_id}/export", headers=store.reader
    ).json()
    # then
    assert [(r["sku"], r["rating"], r["body"]) for r in export["reviews"]] == [
        (purchase.product_sku, 4, "Smooth, <b>floral</b> and fresh.")
    ]
    assert [o["external_id"] for o in export["orders"]] == [purchase.order_external_id]
    assert "rewards" in export


def test_erasure_anonymizes_the_customers_reviews_and_keeps_their_words(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given
    purchase = make_purchase(session, store_id=store.store_id, email="mei@example.com")
    review_id = make_review(session, purchase, body="Smooth and fresh.").id
    # when
    response = client.post(f"/api/v1/customers/{purchase.customer_external_id}/erase", headers=store.writer)
    # then
    assert response.status_code == 200, response.text
    session.expire_all()
    review = session.get(Review, review_id)
    assert review is not None
    assert (review.author_name, review.author_email, review.body) == (
        ANONYMOUS_AUTHOR,
        None,
        "Smooth and fresh.",
    )
