"""Rewards over HTTP: balances and entries, staff adjustments, coupons, the tier ladder and members."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from goodword.rewards.ledger import Cause, RewardKind, issue_reward
from tests.api.assertions import assert_problem
from tests.factories.rewards import NOW, make_customer
from tests.factories.stores import StoreAccess, order_payload

LADDER = {
    "tiers": [
        {"name": "Member", "min_spend_minor": 0},
        {"name": "Silver", "min_spend_minor": 10_000, "discount_percent": 5},
        {"name": "Gold", "min_spend_minor": 50_000, "min_referrals": 3, "discount_percent": 10},
    ]
}


def test_a_customers_rewards_show_balances_and_entries_in_pages(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given two rewards, one of them held
    ann = make_customer(session, store_id=store.store_id, external_id="ann")
    for n, hold in ((1, None), (2, NOW + timedelta(days=3650))):
        issue_reward(session, store_id=store.store_id, customer_id=ann, kind=RewardKind.CREDIT, amount=500,
                     currency="USD", cause=Cause("referral.converted", str(n)), memo="thanks", hold_until=hold,
                     now=NOW)  # fmt: skip
    # when
    first = client.get("/api/v1/customers/ann/rewards?limit=1", headers=store.reader)
    second = client.get(f"/api/v1/customers/ann/rewards?limit=1&cursor={first.json()['next_cursor']}",
                        headers=store.reader)  # fmt: skip
    # then
    assert first.status_code == 200, first.text
    assert first.json()["balances"] == [
        {"kind": "credit", "currency": "USD", "available": 500, "pending": 500}
    ]
    assert [e["cause_key"] for e in first.json()["entries"] + second.json()["entries"]] == ["1", "2"]
    assert second.json()["next_cursor"] is None


def test_rewards_of_an_unknown_customer_are_404_worded_like_other_404s(
    client: TestClient, store: StoreAccess
) -> None:
    response = client.get("/api/v1/customers/ghost/rewards", headers=store.reader)
    assert_problem(response, 404, "not_found")
    assert response.json()["detail"] == "no customer 'ghost'"


def test_a_staff_adjustment_credits_the_customer_once_per_idempotency_key(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given
    make_customer(session, store_id=store.store_id, external_id="ann")
    body = {"kind": "points", "amount": 120, "reason": "welcome gift", "staff": "mei"}
    headers = {**store.writer, "Idempotency-Key": "adj-1"}
    # when
    first = client.post("/api/v1/customers/ann/rewards/adjustments", json=body, headers=headers)
    retry = client.post("/api/v1/customers/ann/rewards/adjustments", json=body, headers=headers)
    # then
    assert first.status_code == 201, first.text
    assert first.json()["memo"] == "welcome gift (by mei)"
    assert retry.json() == first.json()
    balances = client.get("/api/v1/customers/ann/rewards", headers=store.reader).json()["balances"]
    assert balances == [{"kind": "points", "currency": None, "available": 120, "pending": 0}]


def test_an_adjustment_without_a_reason_is_422_naming_the_field(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given
    make_customer(session, store_id=store.store_id, external_id="ann")
    # when
    response = client.post("/api/v1/customers/ann/rewards/adjustments",
                           json={"kind": "credit", "amount": 100, "currency": "USD", "reason": ""},
                           headers=store.writer)  # fmt: skip
    # then
    assert_problem(response, 422, "invalid_input")
    assert [e["field"] for e in response.json()["errors"]] == ["reason"]


def test_a_debit_beyond_the_balance_is_a_conflict(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given
    make_customer(session, store_id=store.store_id, external_id="ann")
    # when
    response = client.post("/api/v1/customers/ann/rewards/adjustments",
                           json={"kind": "credit", "amount": -100, "currency": "USD", "reason": "oops"},
                           headers=store.writer)  # fmt: skip
    # then
    assert_problem(response, 409, "conflict")


def test_a_coupon_is_issued_read_and_redeemed_once(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given
    make_customer(session, store_id=store.store_id, external_id="ann")
    issued = client.post("/api/v1/coupons", json={"customer_external_id": "ann", "amount_off_minor": 500,
                                                  "currency": "USD", "min_order_minor": 2000}, headers=store.writer)  # fmt: skip
    assert issued.status_code == 201, issued.text
    [coupon] = issued.json()["data"]
    code = coupon["code"]
    # when
    too_small = client.post(f"/api/v1/coupons/{code}/redeem",
                            json={"order_external_id": "o-1", "order_total_minor": 1999, "currency": "USD"},
                            headers=store.writer)  # fmt: skip
    used = client.post(f"/api/v1/coupons/{code.lower()}/redeem",
                       json={"order_external_id": "o-1", "order_total_minor": 2500, "currency": "USD"},
                       headers=store.writer)  # fmt: skip
    again = client.post(f"/api/v1/coupons/{code}/redeem", json={"order_external_id": "o-2",
                        "order_total_minor": 2500, "currency": "USD"}, headers=store.writer)  # fmt: skip
    # then
    assert coupon["customer_external_id"] == "ann"
    assert_problem(too_small, 422, "invalid_input")
    assert [e["field"] for e in too_small.json()["errors"]] == ["order_total_minor"]
    assert used.status_code == 200, used.text
    assert (used.json()["status"], used.json()["order_external_id"]) == ("redeemed", "o-1")
    assert_problem(again, 410, "coupon_used")
    assert code in again.json()["detail"]
    assert client.get(f"/api/v1/coupons/{code}", headers=store.reader).json()["status"] == "redeemed"


def test_an_unknown_coupon_is_404_quoting_the_code(client: TestClient, store: StoreAccess) -> None:
    # when
    response = client.post(
        "/api/v1/coupons/NOPE-NOPE-NOPE/redeem", json={"order_external_id": "o-1"}, headers=store.writer
    )
    # then
    assert_problem(response, 404, "not_found")
    assert response.json()["detail"] == "no coupon 'NOPE-NOPE-NOPE'"


def test_a_coupon_with_both_discounts_is_422_with_field_paths(client: TestClient, store: StoreAccess) -> None:
    response = client.post("/api/v1/coupons", json={"percent_off": 10, "amount_off_minor": 5, "currency": "USD"},
                           headers=store.writer)  # fmt: skip
    assert_problem(response, 422, "invalid_input")
    assert [e["field"] for e in response.json()["errors"]] == ["percent_off"]


def test_the_ladder_is_replaced_and_read_back(client: TestClient, store: StoreAccess) -> None:
    # when
    put = client.put("/api/v1/member-tiers", json=LADDER, headers=store.writer)
    # then
    assert put.status_code == 200, put.text
    read = client.get("/api/v1/member-tiers", headers=store.reader).json()
    assert [t["name"] for t in read["tiers"]] == ["Member", "Silver", "Gold"]
    assert read["tiers"][2]["min_referrals"] == 3


def test_a_ladder_with_falling_thresholds_and_a_repeated_name_is_422(
    client: TestClient, store: StoreAccess
) -> None:
    # given
    ladder = {"tiers": [{"name": "Gold", "min_spend_minor": 500}, {"name": "gold", "min_spend_minor": 100}]}
    # when
    response = client.put("/api/v1/member-tiers", json=ladder, headers=store.writer)
    # then
    assert_problem(response, 422, "invalid_input")
    assert [e["field"] for e in response.json()["errors"]] == ["tiers.1.name", "tiers.1.min_spend_minor"]


def test_a_members_page_shows_tier_progress_and_coupons(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given a ladder and a customer who spent 120.00
    client.put("/api/v1/member-tiers", json=LADDER, headers=store.writer)
    client.post(
        "/api/v1/customers", json={"external_id": "ann", "email": "ann@example.com"}, headers=store.writer
    )
    order = order_payload(customer_external_id="ann", total_minor=12_000)
    assert client.post("/api/v1/orders", json=order, headers=store.writer).status_code == 201
    client.post("/api/v1/coupons", json={"tier": "Silver", "percent_off": 5}, headers=store.writer)
    # when
    response = client.get("/api/v1/members/ann", headers=store.reader)
    # then
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["tier"]["name"] == "Silver"
    assert (body["next_tier"]["name"], body["spend_to_next_minor"], body["referrals_to_next"]) == (
        "Gold",
        38_000,
        3,
    )
    assert [c["percent_off"] for c in body["coupons"]] == [5]
    assert [step["tier"] for step in body["history"]] == ["Silver"]


def test_a_members_profile_takes_a_birthday_and_refuses_an_unknown_time_zone(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given
    make_customer(session, store_id=store.store_id, external_id="ann")
    # when
    ok = client.put("/api/v1/members/ann/profile", json={"birthday": "1990-05-17", "time_zone": "Asia/Shanghai"},
                    headers=store.writer)  # fmt: skip
    bad = client.put("/api/v1/members/ann/profile", json={"time_zone": "Mars/Olympus"}, headers=store.writer)
    ghost = client.put("/api/v1/members/ghost/profile", json={}, headers=store.writer)
    # then
    assert ok.status_code == 200, ok.text
    assert (ok.json()["birthday"], ok.json()["time_zone"]) == ("1990-05-17", "Asia/Shanghai")
    assert_problem(bad, 422, "invalid_input")
    assert [e["field"] for e in bad.json()["errors"]] == ["time_zone"]
    assert_problem(ghost, 404, "not_found")
