"""A customer's rewards in their export, and what erasure keeps and clears."""

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from goodword.rewards.ledger import Cause, RewardKind, balances, issue_reward
from goodword.rewards.profiles import set_profile
from goodword.stores.models import Customer
from tests.factories.rewards import NOW, make_customer
from tests.factories.stores import StoreAccess


def test_the_export_holds_rewards_and_membership_and_erasure_keeps_the_money_but_not_the_birthday(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given a customer with a reward and a birthday
    ann = make_customer(session, store_id=store.store_id, external_id="ann")
    issue_reward(session, store_id=store.store_id, customer_id=ann, kind=RewardKind.POINTS, amount=40, currency=None,
                 cause=Cause("review.published", "1"), memo="thanks for the review", now=NOW)  # fmt: skip
    set_profile(session, store_id=store.store_id, customer=session.get_one(Customer, ann),
                birthday=date(1990, 5, 17), time_zone="Asia/Shanghai", now=NOW)  # fmt: skip
    # when
    exported = client.get("/api/v1/customers/ann/export", headers=store.reader).json()["rewards"]
    erased = client.post("/api/v1/customers/ann/erase", headers=store.writer)
    # then
    assert exported["balances"] == [{"kind": "points", "currency": None, "available": 40, "pending": 0}]
    assert [e["memo"] for e in exported["entries"]] == ["thanks for the review"]
    assert exported["membership"]["birth_date"] == "1990-05-17"
    assert erased.status_code == 200, erased.text
    pseudonym = erased.json()["external_id"]
    after = client.get(f"/api/v1/customers/{pseudonym}/export", headers=store.reader).json()["rewards"]
    assert after["membership"]["birth_date"] is None
    assert after["membership"]["time_zone"] is None
    assert balances(session, store_id=store.store_id, customer_id=ann)[0].available == 40
