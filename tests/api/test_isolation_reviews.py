"""Two stores, every reviews endpoint: one store's key never reads, changes or reveals another's rows.

`CASES` is keyed by (method, path) like `test_isolation.CASES`; that module checks every documented endpoint has one.
"""

import io
from dataclasses import dataclass

from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from goodword.reviews.models import Review, ReviewReply, ReviewStatus, Vote
from goodword.reviews.settings import DEFAULTS, get_review_settings
from tests.api.assertions import assert_problem
from tests.api.isolation import Check, isolation_cases, not_found
from tests.factories.reviews import make_purchase, make_review
from tests.factories.stores import StoreAccess


@dataclass(frozen=True)
class Seeded:
    owner: StoreAccess
    intruder: StoreAccess
    owner_review_id: int
    owner_sku: str


def _seed(session: Session, owner: StoreAccess, intruder: StoreAccess) -> Seeded:
    found = {}
    for store, label in ((owner, "owner"), (intruder, "intruder")):
        purchase = make_purchase(session, store_id=store.store_id, sku=f"{label}-tea")
        found[label] = make_review(session, purchase, rating=5).id
    return Seeded(owner, intruder, found["owner"], "owner-tea")


def _owner_unchanged(session: Session, seeded: Seeded) -> None:
    session.expire_all()
    review = session.get_one(Review, seeded.owner_review_id)
    assert (review.status, review.rating) == (ReviewStatus.PUBLISHED, 5)
    assert (review.helpful_count, review.photo_count) == (0, 0)
    assert session.scalars(select(ReviewReply).where(ReviewReply.review_id == review.id)).all() == []
    assert session.scalars(select(Vote).where(Vote.subject_id == review.id)).all() == []
    assert get_review_settings(session, store_id=seeded.owner.store_id) == DEFAULTS


def _not_found(method: str, suffix: str, body: object = None) -> Check:
    """404 worded exactly as for a review id no store has."""
    return not_found(
        method, f"/api/v1/reviews/{{seeded.owner_review_id}}{suffix}", f"/api/v1/reviews/999999{suffix}", body
    )


def _review_of_owner_product(client: TestClient, seeded: Seeded) -> None:
    body = {"product_sku": seeded.owner_sku, "rating": 1, "body": "bad", "author_name": "X"}
    response = client.post("/api/v1/reviews", json=body, headers=seeded.intruder.writer)
    assert_problem(response, 422, "invalid_input")


def _own_reviews_only(client: TestClient, seeded: Seeded) -> None:
    response = client.get("/api/v1/reviews", headers=seeded.intruder.reader)
    assert response.status_code == 200, response.text
    assert seeded.owner_review_id not in [r["id"] for r in response.json()["data"]]
    assert len(response.json()["data"]) == 1


def _photo_on_owner_review(client: TestClient, seeded: Seeded) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="PNG")
    response = client.post(f"/api/v1/reviews/{seeded.owner_review_id}/photos",
                           files={"file": ("a.png", buffer.getvalue(), "image/png")}, headers=seeded.intruder.writer)  # fmt: skip
    assert_problem(response, 404, "not_found")


def _own_settings(client: TestClient, seeded: Seeded) -> None:
    changed = client.put(
        "/api/v1/review-settings", json={"requests_enabled": False}, headers=seeded.intruder.writer
    )
    read = client.get("/api/v1/review-settings", headers=seeded.intruder.reader)
    assert changed.status_code == 200, changed.text
    assert read.json()["requests_enabled"] is False


def _own_nps(client: TestClient, seeded: Seeded) -> None:
    response = client.get("/api/v1/nps", headers=seeded.intruder.reader)
    assert response.status_code == 200, response.text
    assert response.json()["responses"] == 0


CASES: dict[tuple[str, str], Check] = {
    ("POST", "/api/v1/reviews"): _review_of_owner_product,
    ("GET", "/api/v1/reviews"): _own_reviews_only,
    ("GET", "/api/v1/reviews/{review_id}"): _not_found("GET", ""),
    ("PATCH", "/api/v1/reviews/{review_id}"): _not_found("PATCH", "", {"rating": 1, "reason": "typo"}),
    ("POST", "/api/v1/reviews/{review_id}/moderate"): _not_found(
        "POST", "/moderate", {"action": "hide", "reason": "spam"}
    ),
    ("POST", "/api/v1/reviews/{review_id}/replies"): _not_found("POST", "/replies", {"body": "hi"}),
    ("POST", "/api/v1/reviews/{review_id}/votes"): _not_found("POST", "/votes", {"helpful": True}),
    ("POST", "/api/v1/reviews/{review_id}/photos"): _photo_on_owner_review,
    ("GET", "/api/v1/review-settings"): _own_settings,
    ("PUT", "/api/v1/review-settings"): _own_settings,
    ("GET", "/api/v1/nps"): _own_nps,
}


@isolation_cases(CASES)
def test_another_stores_key_neither_sees_nor_changes_the_first_stores_reviews(
    client: TestClient,
    session: Session,
    store: StoreAccess,
    other_store: StoreAccess,
    endpoint: tuple[str, str],
) -> None:
    # given
    seeded = _seed(session, store, other_store)
    # when / then
    CASES[endpoint](client, seeded)
    _owner_unchanged(session, seeded)
