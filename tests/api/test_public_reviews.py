"""The keyless review endpoints a store's pages call: shape, caching, CORS, rate limits and errors."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy.orm import Session

from goodword.stores.models import Product
from tests.api.assertions import assert_problem
from tests.factories.review_rows import make_answer, make_photo, make_product, make_question, make_review
from tests.factories.reviews import make_purchase
from tests.factories.reviews import make_review as make_purchased_review
from tests.factories.stores import StoreAccess


def _product_path(store: StoreAccess, sku: str) -> str:
    return f"/public/v1/stores/{store.store_id}/products/{sku}"


def test_a_product_page_gets_its_reviews_and_aggregate_without_a_key(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given
    product = make_product(session, store_id=store.store_id)
    make_review(session, product=product, rating=5, incentivized=True)
    photographed = make_review(session, product=product, rating=3)
    photo = make_photo(session, review=photographed)
    # when
    response = client.get(f"{_product_path(store, product.sku)}/reviews")
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["aggregate"] == {
        "average": 4.0,
        "count": 2,
        "histogram": {"1": 0, "2": 0, "3": 1, "4": 0, "5": 1},
    }
    assert [(r["rating"], r["incentivized"]) for r in body["data"]] == [(3, False), (5, True)]
    assert body["data"][0]["photos"][0]["url"].endswith(f"/media/reviews/{store.store_id}/{photo.file_key}")
    assert body["product"]["sku"] == product.sku
    assert body["next_cursor"] is None


def test_answers_are_public_cacheable_and_open_to_any_origin(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given
    product = make_product(session, store_id=store.store_id)
    make_review(session, product=product)
    # when
    response = client.get(
        f"{_product_path(store, product.sku)}/summary", headers={"Origin": "https://x.example"}
    )
    # then
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["cache-control"] == "public, max-age=60"
    assert response.headers["etag"].startswith('"')
    assert response.headers["x-content-type-options"] == "nosniff"


def test_a_client_holding_the_current_answer_gets_304(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given
    product = make_product(session, store_id=store.store_id)
    make_review(session, product=product)
    path = f"{_product_path(store, product.sku)}/reviews"
    etag = client.get(path).headers["etag"]
    # when
    again = client.get(path, headers={"If-None-Match": f'W/"other", {etag}'})
    # then
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag


def test_the_cors_preflight_allows_a_get_with_if_none_match(client: TestClient, store: StoreAccess) -> None:
    # when
    response = client.options(
        f"{_product_path(store, 'ANY')}/reviews",
        headers={
            "Origin": "https://shop.example.com",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )
    # then
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    assert "GET" in response.headers["access-control-allow-methods"]
    assert "If-None-Match" in response.headers["access-control-allow-headers"]


def test_an_unknown_product_or_store_is_a_404_problem_a_widget_can_read(
    client: TestClient, store: StoreAccess
) -> None:
    # when
    product = client.get(f"{_product_path(store, 'NO-SUCH-SKU')}/reviews")
    unknown_store = client.get("/public/v1/stores/st_nobody/rating")
    feed = client.get("/public/v1/stores/st_nobody/feeds/google-product-ratings.xml")
    # then
    for response in (product, unknown_store, feed):
        assert_problem(response, 404, "not_found")
        assert response.headers["access-control-allow-origin"] == "*"


def test_a_bad_query_is_a_422_problem(client: TestClient, session: Session, store: StoreAccess) -> None:
    # given
    product = make_product(session, store_id=store.store_id)
    # when
    bad_cursor = client.get(f"{_product_path(store, product.sku)}/reviews?cursor=nonsense")
    bad_rating = client.get(f"{_product_path(store, product.sku)}/reviews?rating=6")
    # then
    assert_problem(bad_cursor, 422, "invalid_input")
    assert_problem(bad_rating, 422, "invalid_input")
    assert bad_rating.headers["access-control-allow-origin"] == "*"


def test_a_client_over_its_allowance_is_told_when_to_come_back(
    make_app: Callable[..., FastAPI], session: Session, store: StoreAccess
) -> None:
    # given
    product = make_product(session, store_id=store.store_id)
    app = make_app(public_reviews_reads_per_minute=2)
    path = f"{_product_path(store, product.sku)}/summary"
    with TestClient(app, raise_server_exceptions=False) as client:
        # when
        answers = [client.get(path) for _ in range(3)]
    # then
    assert [a.status_code for a in answers[:2]] == [200, 200]
    assert_problem(answers[2], 429, "rate_limited")
    assert int(answers[2].headers["retry-after"]) >= 1
    assert answers[2].headers["access-control-allow-origin"] == "*"


def test_an_answer_is_reused_until_it_expires(
    make_app: Callable[..., FastAPI], session: Session, store: StoreAccess
) -> None:
    # given
    product = make_product(session, store_id=store.store_id)
    make_review(session, product=product, rating=5)
    path = f"{_product_path(store, product.sku)}/summary"
    cached = make_app(public_reviews_cache_seconds=300)
    uncached = make_app(public_reviews_cache_seconds=0)
    with TestClient(cached) as first, TestClient(uncached) as second:
        first.get(path)
        second.get(path)
        # when
        make_review(session, product=product, rating=1)
        # then
        assert first.get(path).json()["aggregate"]["count"] == 1
        assert second.get(path).json()["aggregate"]["count"] == 2
        assert second.get(path).headers["cache-control"] == "public, max-age=0"


def test_questions_come_with_their_answers_and_official_ones_marked(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given
    product = make_product(session, store_id=store.store_id)
    question = make_question(session, product=product, body="Caffeine?")
    make_answer(session, question=question, official=True, body="About 30 mg a cup.")
    # when
    response = client.get(f"{_product_path(store, product.sku)}/questions")
    # then
    [shown] = response.json()["data"]
    assert shown["body"] == "Caffeine?"
    assert [(a["body"], a["official"]) for a in shown["answers"]] == [("About 30 mg a cup.", True)]


def test_the_store_rating_counts_every_product(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given
    for rating in (5, 3):
        make_review(session, product=make_product(session, store_id=store.store_id), rating=rating)
    # when
    response = client.get(f"/public/v1/stores/{store.store_id}/rating")
    # then
    assert response.json()["aggregate"]["average"] == 4.0
    assert response.json()["aggregate"]["count"] == 2


def test_jsonld_describes_the_product_with_its_rating(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given
    product = make_product(session, store_id=store.store_id, title="Da Hong Pao")
    make_review(session, product=product, rating=4, body="Roasty.")
    # when
    document = client.get(f"{_product_path(store, product.sku)}/jsonld").json()
    # then
    assert document["@type"] == "Product"
    assert document["aggregateRating"]["ratingValue"] == 4.0
    assert document["aggregateRating"]["reviewCount"] == 1
    assert document["review"][0]["reviewBody"] == "Roasty."


def test_the_google_feed_lists_published_reviews_and_discloses_incentives(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given
    product = make_product(session, store_id=store.store_id)
    make_review(session, product=product, incentivized=True, verified_buyer=False)
    # when
    response = client.get(f"/public/v1/stores/{store.store_id}/feeds/google-product-ratings.xml")
    # then
    assert response.headers["content-type"] == "application/xml"
    root = ET.fromstring(response.content)  # noqa: S314 - our own output, not untrusted input
    assert root.findtext("version") == "2.4"
    assert root.findtext("publisher/name") == "Tea House"
    [review] = root.iter("review")
    assert review.findtext("is_incentivized_review") == "true"
    assert review.findtext("is_verified_purchase") == "false"
    assert review.find("ratings/overall").attrib == {"min": "1", "max": "5"}  # type: ignore[union-attr]
    assert review.findtext("products/product/product_ids/skus/sku") == product.sku


def test_a_photo_in_a_public_page_is_served_at_its_url(
    make_app: Callable[..., FastAPI], session: Session, store: StoreAccess, tmp_path: Path
) -> None:
    # given a verified buyer's five-star review (published on arrival) with a photo uploaded by staff
    review = make_purchased_review(session, make_purchase(session, store_id=store.store_id))
    picture = io.BytesIO()
    Image.new("RGB", (640, 480), "olive").save(picture, format="PNG")
    with TestClient(make_app(media_dir=tmp_path, public_reviews_cache_seconds=0)) as client:
        uploaded = client.post(
            f"/api/v1/reviews/{review.id}/photos",
            files={"file": ("cup.png", picture.getvalue())},
            headers=store.writer,
        )
        assert uploaded.status_code == 201, uploaded.text
        sku = session.get_one(Product, review.product_id).sku
        # when a widget reads the page and follows the photo's link
        page = client.get(_product_path(store, sku) + "/reviews").json()
        [photo] = page["data"][0]["photos"]
        served = client.get(urlsplit(photo["url"]).path)
    # then
    assert served.status_code == 200, photo
    assert Image.open(io.BytesIO(served.content)).size == (640, 480)
