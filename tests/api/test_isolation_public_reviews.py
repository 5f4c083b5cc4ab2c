"""Two stores, every public review endpoint: store B's public pages never show store A's reviews.

The public endpoints take no key; the store is in the path. Each store holds a product under the same SKU and
the owner's reviews are all marked "owner", so any leak shows in the intruder's answers. Asking the intruder's
store for a product only the owner has is a 404 worded exactly like one for a product nobody has; an unknown
store is a 404 like any other. `CASES` is keyed like `test_isolation.CASES`, which checks that every
documented endpoint has one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.api.assertions import assert_problem
from tests.api.isolation import isolation_cases, without_ids
from tests.factories.review_rows import make_answer, make_product, make_question, make_review
from tests.factories.stores import StoreAccess

SHARED_SKU = "SKU-SHARED"
OWNER_ONLY_SKU = "SKU-OWNER-ONLY"


@dataclass(frozen=True)
class Stores:
    owner: str
    intruder: str


def _seed(session: Session, owner: StoreAccess, intruder: StoreAccess) -> Stores:
    for store, label in ((owner, "owner"), (intruder, "intruder")):
        product = make_product(session, store_id=store.store_id, sku=SHARED_SKU, title=f"{label} tea")
        make_review(session, product=product, title=f"{label} title", body=f"{label} body", author_name=label)
        question = make_question(session, product=product, body=f"{label} question")
        make_answer(session, question=question, body=f"{label} answer", official=True)
    make_review(session, product=make_product(session, store_id=owner.store_id, sku=OWNER_ONLY_SKU), rating=1)
    return Stores(owner.store_id, intruder.store_id)


def _shows_only_intruder(path: str) -> Callable[[TestClient, Stores], None]:
    def check(client: TestClient, stores: Stores) -> None:
        response = client.get(path.format(store=stores.intruder, sku=SHARED_SKU))
        assert response.status_code == 200, response.text
        assert b"intruder" in response.content, "the intruder should see its own rows"
        assert b"owner" not in response.content
        assert stores.owner.encode() not in response.content

    return check


def _owner_product_is_not_found(path: str) -> Callable[[TestClient, Stores], None]:
    def check(client: TestClient, stores: Stores) -> None:
        theirs = client.get(path.format(store=stores.intruder, sku=OWNER_ONLY_SKU))
        nobodys = client.get(path.format(store=stores.intruder, sku="SKU-GHOST"))
        no_store = client.get(path.format(store="st_ghost", sku=SHARED_SKU))
        for response in (theirs, nobodys, no_store):
            assert_problem(response, 404, "not_found")
        assert without_ids(theirs.json()["detail"]) == without_ids(nobodys.json()["detail"])

    return check


def _store_wide(path: str) -> Callable[[TestClient, Stores], None]:
    def check(client: TestClient, stores: Stores) -> None:
        _shows_only_intruder_store_wide(client, path.format(store=stores.intruder), stores)
        assert_problem(client.get(path.format(store="st_ghost")), 404, "not_found")

    return check


def _shows_only_intruder_store_wide(client: TestClient, path: str, stores: Stores) -> None:
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert b"owner" not in response.content
    assert stores.owner.encode() not in response.content


def _both(*checks: Callable[[TestClient, Stores], None]) -> Callable[[TestClient, Stores], None]:
    def check(client: TestClient, stores: Stores) -> None:
        for each in checks:
            each(client, stores)

    return check


def _rating_counts_only_intruder(client: TestClient, stores: Stores) -> None:
    _store_wide("/public/v1/stores/{store}/rating")(client, stores)
    rating = client.get(f"/public/v1/stores/{stores.intruder}/rating").json()
    assert rating["aggregate"]["count"] == 1  # the owner's one-star review of its own product is not counted


_PRODUCT = "/public/v1/stores/{store}/products/{sku}"
CASES: dict[tuple[str, str], Callable[[TestClient, Stores], None]] = {
    (method, path.replace("{store}", "{store_id}")): check
    for method, path, check in [
        (
            "GET",
            f"{_PRODUCT}/reviews",
            _both(
                _shows_only_intruder(f"{_PRODUCT}/reviews"),
                _owner_product_is_not_found(f"{_PRODUCT}/reviews"),
            ),
        ),
        (
            "GET",
            f"{_PRODUCT}/summary",
            _both(
                _shows_only_intruder(f"{_PRODUCT}/summary"),
                _owner_product_is_not_found(f"{_PRODUCT}/summary"),
            ),
        ),
        (
            "GET",
            f"{_PRODUCT}/questions",
            _both(
                _shows_only_intruder(f"{_PRODUCT}/questions"),
                _owner_product_is_not_found(f"{_PRODUCT}/questions"),
            ),
        ),
        (
            "GET",
            f"{_PRODUCT}/jsonld",
            _both(
                _shows_only_intruder(f"{_PRODUCT}/jsonld"), _owner_product_is_not_found(f"{_PRODUCT}/jsonld")
            ),
        ),
        ("GET", "/public/v1/stores/{store}/rating", _rating_counts_only_intruder),
        (
            "GET",
            "/public/v1/stores/{store}/feeds/google-product-ratings.xml",
            _store_wide("/public/v1/stores/{store}/feeds/google-product-ratings.xml"),
        ),
    ]
}


@isolation_cases(CASES)
def test_one_stores_public_pages_never_show_another_stores_reviews(
    client: TestClient,
    session: Session,
    store: StoreAccess,
    other_store: StoreAccess,
    endpoint: tuple[str, str],
) -> None:
    # given
    stores = _seed(session, store, other_store)
    # when / then
    CASES[endpoint](client, stores)
