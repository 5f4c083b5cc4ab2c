"""The review form behind a request link: it renders nothing a shop or a link could inject, and its posts work."""

from datetime import timedelta
from urllib.parse import quote

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from goodword.clock import utc_now
from goodword.reviews.models import Review
from goodword.stores.models import Product, Store
from tests.factories.reviews import Purchase, make_purchase, request_of, token_for
from tests.factories.stores import StoreAccess

DEV_SECRET = "dev-only-secret-change-me"  # the test app's Settings default
PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _hostile_shop(session: Session, store: StoreAccess) -> Purchase:
    """A purchase whose product title and store name are script payloads, with an unexpired request."""
    purchase = make_purchase(
        session, store_id=store.store_id, now=utc_now(), fulfilled_at=utc_now() - timedelta(days=1)
    )
    session.get_one(Product, purchase.product_id).title = PAYLOAD
    session.get_one(Store, store.store_id).name = PAYLOAD
    session.flush()
    return purchase


def test_the_form_page_never_carries_a_payload_from_the_product_or_store_unescaped(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given a shop whose product title and name are script payloads
    purchase = _hostile_shop(session, store)
    # when the customer opens their link
    page = client.get(f"/review/{token_for(request_of(session, purchase), DEV_SECRET)}")
    # then the form is there and no tag from the payload is
    assert page.status_code == 200, page.text
    assert '<form method="post">' in page.text
    assert "<script>" not in page.text
    assert "<img" not in page.text
    assert page.headers["cache-control"] == "no-store"


def test_a_payload_in_the_link_itself_is_escaped_on_the_error_page(client: TestClient) -> None:
    # when a link is forged with markup in it
    page = client.get("/review/" + quote('"><img src=x onerror=alert(1)>', safe=""))
    # then the HTML page says the link is not valid, quoting it escaped
    assert (page.status_code, page.headers["content-type"]) == (404, "text/html; charset=utf-8")
    assert "<img" not in page.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.text


def test_posting_the_form_writes_the_review_once(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given an open request
    purchase = _hostile_shop(session, store)
    path = f"/review/{token_for(request_of(session, purchase), DEV_SECRET)}"
    form = {"rating": "4", "title": PAYLOAD, "body": "Floral. " + PAYLOAD, "recommend_score": "9"}
    # when the customer sends the form, then sends it again
    sent = client.post(path, data=form)
    again = client.post(path, data=form)
    # then the review is written once, kept verbatim (escaped when shown), and the replay is refused
    assert (sent.status_code, "Thank you" in sent.text) == (200, True)
    assert "<script>" not in sent.text
    review = session.scalars(select(Review).where(Review.store_id == store.store_id)).one()
    assert (review.rating, review.title, review.verified_buyer) == (4, PAYLOAD, True)
    assert again.status_code == 410


def test_a_form_with_an_impossible_rating_is_sent_back(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given
    purchase = _hostile_shop(session, store)
    path = f"/review/{token_for(request_of(session, purchase), DEV_SECRET)}"
    # when
    page = client.post(path, data={"rating": "9", "body": "<b>bold</b>"})
    # then nothing is written and the page asks to check the review
    assert page.status_code == 422
    assert "Please check your review" in page.text
    assert session.scalars(select(Review).where(Review.store_id == store.store_id)).all() == []
