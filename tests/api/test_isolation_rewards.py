"""Two stores, every rewards endpoint: one store's key never reads, changes or reveals another's rows.

`CASES` is keyed by (method, path) like `test_isolation.CASES`; that module checks every documented endpoint has one.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from goodword.rewards import coupons, ledger, members
from goodword.rewards.ledger import Cause, RewardKind
from goodword.rewards.members import TierIn
from tests.api.assertions import assert_problem
from tests.api.isolation import isolation_cases, not_found
from tests.factories.rewards import NOW, make_customer
from tests.factories.stores import StoreAccess


@dataclass(frozen=True)
class Seeded:
    """Each store holds a customer, a reward, a coupon and a ladder; the owner's are named `owner…`."""

    owner: StoreAccess
    intruder: StoreAccess
    owner_customer_id: int
    owner_coupon: str


def _seed(session: Session, owner: StoreAccess, intruder: StoreAccess) -> Seeded:
    found: dict[str, tuple[int, str]] = {}
    for store, label in ((owner, "owner"), (intruder, "intruder")):
        customer_id = make_customer(session, store_id=store.store_id, external_id=f"{label}-1")
        ledger.issue_reward(session, store_id=store.store_id, customer_id=customer_id, kind=RewardKind.CREDIT,
                            amount=700, currency="USD", cause=Cause("seed", label), memo=f"{label} reward", now=NOW)  # fmt: skip
        coupon = coupons.issue_coupon(session, store_id=store.store_id, customer_id=customer_id, percent_off=10,
                                      amount_off_minor=None, currency=None, cause=Cause("seed", label),
                                      expires_at=None, now=NOW)  # fmt: skip
        ladder = [
            TierIn(name=f"{label}-member", min_spend_minor=0),
            TierIn(name=f"{label}-gold", min_spend_minor=100),
        ]
        members.replace_tiers(session, store_id=store.store_id, tiers=ladder, now=NOW)
        found[label] = (customer_id, coupon.code)
    return Seeded(owner, intruder, found["owner"][0], found["owner"][1])


def _owner_unchanged(session: Session, seeded: Seeded) -> None:
    session.expire_all()
    owner = seeded.owner.store_id
    [balance] = ledger.balances(session, store_id=owner, customer_id=seeded.owner_customer_id)
    assert (balance.available, balance.pending) == (700, 0)
    assert coupons.get_coupon(session, store_id=owner, code=seeded.owner_coupon).redemption is None
    assert [t.name for t in members.list_tiers(session, store_id=owner)] == ["owner-member", "owner-gold"]


def _own_ladder(client: TestClient, seeded: Seeded) -> None:
    response = client.get("/api/v1/member-tiers", headers=seeded.intruder.reader)
    assert response.status_code == 200, response.text
    assert [t["name"] for t in response.json()["tiers"]] == ["intruder-member", "intruder-gold"]


def _replace_own_ladder(client: TestClient, seeded: Seeded) -> None:
    ladder = {"tiers": [{"name": "owner-member", "min_spend_minor": 0}]}
    response = client.put("/api/v1/member-tiers", json=ladder, headers=seeded.intruder.writer)
    assert response.status_code == 200, response.text


def _coupon_for_owner_customer_or_tier(client: TestClient, seeded: Seeded) -> None:
    to_customer = client.post("/api/v1/coupons", json={"customer_external_id": "owner-1", "percent_off": 50},
                              headers=seeded.intruder.writer)  # fmt: skip
    to_tier = client.post("/api/v1/coupons", json={"tier": "owner-gold", "percent_off": 50},
                          headers=seeded.intruder.writer)  # fmt: skip
    assert_problem(to_customer, 404, "not_found")
    assert_problem(to_tier, 422, "invalid_input")
    assert [e["field"] for e in to_tier.json()["errors"]] == ["tier"]


ADJUSTMENT = {"kind": "credit", "amount": -700, "currency": "USD", "reason": "take it"}
CASES: dict[tuple[str, str], Callable[..., Any]] = {
    ("GET", "/api/v1/customers/{external_id}/rewards"): not_found(
        "GET", "/api/v1/customers/owner-1/rewards", "/api/v1/customers/ghost-1/rewards"
    ),
    ("POST", "/api/v1/customers/{external_id}/rewards/adjustments"): not_found(
        "POST",
        "/api/v1/customers/owner-1/rewards/adjustments",
        "/api/v1/customers/ghost-1/rewards/adjustments",
        ADJUSTMENT,
    ),
    ("POST", "/api/v1/coupons"): _coupon_for_owner_customer_or_tier,
    ("GET", "/api/v1/coupons/{code}"): not_found(
        "GET", "/api/v1/coupons/{seeded.owner_coupon}", "/api/v1/coupons/GHST-GHST-GHST"
    ),
    ("POST", "/api/v1/coupons/{code}/redeem"): not_found(
        "POST",
        "/api/v1/coupons/{seeded.owner_coupon}/redeem",
        "/api/v1/coupons/GHST-GHST-GHST/redeem",
        {"order_external_id": "o"},
    ),
    ("GET", "/api/v1/member-tiers"): _own_ladder,
    ("PUT", "/api/v1/member-tiers"): _replace_own_ladder,
    ("GET", "/api/v1/members/{external_id}"): not_found(
        "GET", "/api/v1/members/owner-1", "/api/v1/members/ghost-1"
    ),
    ("PUT", "/api/v1/members/{external_id}/profile"): not_found(
        "PUT",
        "/api/v1/members/owner-1/profile",
        "/api/v1/members/ghost-1/profile",
        {"birthday": "1990-01-01"},
    ),
}


@isolation_cases(CASES)
def test_another_stores_key_neither_sees_nor_changes_the_first_stores_rewards(
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
