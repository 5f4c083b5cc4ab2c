"""The reviews API: links that expire and work once, what counts as verified, moderation, votes, photos."""

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy.orm import Session

from goodword.clock import utc_now
from goodword.reviews.models import ProductRatingSummary, ReviewRequest
from goodword.reviews.summaries import recount
from tests.api.assertions import assert_problem
from tests.factories.reviews import make_purchase, make_review, request_of, token_for
from tests.factories.stores import StoreAccess

DEV_SECRET = "dev-only-secret-change-me"  # the test app's Settings default


def _png(size: tuple[int, int] = (64, 48), **save: Any) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, format="PNG", **save)
    return buffer.getvalue()


def test_an_expired_link_is_refused_with_410(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given a request whose link expired yesterday
    purchase = make_purchase(
        session, store_id=store.store_id, now=utc_now(), fulfilled_at=utc_now() - timedelta(days=1)
    )
    request = request_of(session, purchase)
    request.expires_at = utc_now() - timedelta(days=1)
    session.flush()
    # when the customer uses it
    response = client.post(
        "/api/v1/reviews", json={"token": token_for(request, DEV_SECRET), "rating": 5, "body": "x"}
    )
    # then
    assert_problem(response, 410, "link_expired")


def test_a_forged_link_is_refused(client: TestClient, session: Session, store: StoreAccess) -> None:
    # given a request and a token signed with another key
    request = request_of(
        session,
        make_purchase(
            session, store_id=store.store_id, now=utc_now(), fulfilled_at=utc_now() - timedelta(days=1)
        ),
    )
    # when
    response = client.post(
        "/api/v1/reviews", json={"token": token_for(request, "guess"), "rating": 5, "body": "x"}
    )
    # then
    assert_problem(response, 404, "invalid_link")


def test_a_staff_review_for_a_product_the_customer_never_bought_is_not_verified(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given a customer who bought one tea, and another tea they never bought
    bought = make_purchase(session, store_id=store.store_id)
    other = make_purchase(session, store_id=store.store_id)
    body = {"product_sku": other.product_sku, "rating": 5, "body": "Best tea!", "author_name": "Mei",
            "customer_external_id": bought.customer_external_id}  # fmt: skip
    # when staff send the review in
    response = client.post("/api/v1/reviews", json=body, headers=store.writer)
    # then it is accepted, unverified, and waits for moderation
    assert response.status_code == 201, response.text
    assert (response.json()["verified_buyer"], response.json()["status"]) == (False, "pending")


def test_a_staff_review_without_a_key_is_unauthorized(client: TestClient) -> None:
    response = client.post(
        "/api/v1/reviews", json={"product_sku": "A", "rating": 5, "body": "b", "author_name": "c"}
    )
    assert_problem(response, 401, "missing_api_key")


def test_moderation_keeps_the_rating_summary_exact(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given a published five-star review
    purchase = make_purchase(session, store_id=store.store_id)
    review = make_review(session, purchase, rating=5)
    # when staff hide it without a reason, then with one
    refused = client.post(
        f"/api/v1/reviews/{review.id}/moderate", json={"action": "hide"}, headers=store.writer
    )
    hidden = client.post(f"/api/v1/reviews/{review.id}/moderate", json={"action": "hide", "reason": "off_topic"},
                         headers=store.writer)  # fmt: skip
    # then the first is refused, and the summary counts nothing once the review is hidden
    assert_problem(refused, 422, "invalid_input")
    assert hidden.json()["status"] == "hidden"
    session.expire_all()
    summary = session.query(ProductRatingSummary).filter_by(product_id=purchase.product_id).one()
    assert (summary.review_count, summary.count_5) == (0, 0)
    assert recount(session, store_id=store.store_id, product_id=purchase.product_id)["review_count"] == 0


def test_profanity_holds_a_review_for_a_person(session: Session, store: StoreAccess) -> None:
    purchase = make_purchase(session, store_id=store.store_id)
    review = make_review(session, purchase, rating=5, body="This tea is shit")
    assert review.status.value == "pending"


def test_one_vote_per_person_and_a_second_changes_it(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given a published review
    review = make_review(session, make_purchase(session, store_id=store.store_id))
    # when one email votes helpful twice, then unhelpful
    votes = [
        client.post(
            f"/api/v1/reviews/{review.id}/votes", json={"helpful": helpful, "email": "v@example.com"}
        ).json()
        for helpful in (True, True, False)
    ]
    # then it counts as one vote, changed
    assert [(v["helpful_count"], v["unhelpful_count"]) for v in votes] == [(1, 0), (1, 0), (0, 1)]


def test_votes_are_rate_limited_per_address(make_app: Any, session: Session, store: StoreAccess) -> None:
    review = make_review(session, make_purchase(session, store_id=store.store_id))
    with TestClient(make_app(vote_limit_per_minute=2)) as client:
        answers = [client.post(f"/api/v1/reviews/{review.id}/votes", json={"helpful": True}).status_code
                   for _ in range(3)]  # fmt: skip
    assert answers == [200, 200, 429]


def test_a_photo_is_stored_without_its_metadata_with_a_thumbnail(
    make_app: Any, session: Session, store: StoreAccess, tmp_path: Path
) -> None:
    # given a review and a JPEG carrying EXIF (a camera's GPS position, say)
    review = make_review(session, make_purchase(session, store_id=store.store_id))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), "teal").save(buffer, format="JPEG", exif=exif)
    # when staff upload it under a misleading name
    with TestClient(make_app(media_dir=tmp_path)) as client:
        response = client.post(f"/api/v1/reviews/{review.id}/photos",
                               files={"file": ("cat.gif", buffer.getvalue(), "image/gif")}, headers=store.writer)  # fmt: skip
        photo = response.json()
        served = client.get(f"/media/reviews/{store.store_id}/{photo['thumbnail_key']}")
    # then it is a JPEG without EXIF, with a thumbnail the public can fetch
    assert response.status_code == 201, response.text
    with Image.open(tmp_path / store.store_id / photo["file_key"]) as stored:
        assert (stored.format, dict(stored.getexif())) == ("JPEG", {})
    assert served.status_code == 200
    assert Image.open(io.BytesIO(served.content)).size == (400, 300)


def test_bad_images_are_refused_with_a_clear_code(
    make_app: Any, session: Session, store: StoreAccess, tmp_path: Path
) -> None:
    review = make_review(session, make_purchase(session, store_id=store.store_id))
    cases = {
        "unsupported_image": b"GIF89a not what we take",
        "image_unreadable": _png()[:60],
        "image_too_large": _png() + b"\0" * 200_000,
        "image_too_many_pixels": _png(size=(5000, 5000)),
    }
    with TestClient(
        make_app(media_dir=tmp_path, review_photo_max_bytes=150_000, review_photo_max_pixels=1_000_000)
    ) as client:
        for code, data in cases.items():
            response = client.post(f"/api/v1/reviews/{review.id}/photos", files={"file": ("x.png", data)},
                                   headers=store.writer)  # fmt: skip
            assert_problem(response, 422, code)


def test_a_review_link_writes_one_review_then_is_used(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given a request
    request = request_of(
        session,
        make_purchase(
            session, store_id=store.store_id, now=utc_now(), fulfilled_at=utc_now() - timedelta(days=1)
        ),
    )
    token = token_for(request, DEV_SECRET)
    # when the customer writes a review in Chinese, without saying so
    written = client.post("/api/v1/reviews", json={"token": token, "rating": 5, "body": "茶很香 回甘明显"})
    # then the language is detected, the request is used, and a replay is refused
    assert written.json()["language"] == "zh"
    session.expire_all()
    assert session.get_one(ReviewRequest, request.id).used_at is not None
    assert_problem(
        client.post("/api/v1/reviews", json={"token": token, "rating": 1, "body": "x"}), 410, "link_used"
    )
