"""The referrals API: programs, and the public link's rate limit."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.api.assertions import assert_problem
from tests.factories.stores import StoreAccess

RULES = {"registration": {"reward": {"form": "credit", "amount": 500}}, "monthly_cap": {"credit_minor": 5000}}


def test_a_program_is_created_changed_listed_and_ended(client: TestClient, store: StoreAccess) -> None:
    # given
    created = client.post("/api/v1/referral-programs", headers=store.writer,
                          json={"name": "Spring", "currency": "USD", "rules": RULES, "hold_days": 7})  # fmt: skip
    assert created.status_code == 201, created.text
    program_id = created.json()["id"]
    # when
    changed = client.patch(f"/api/v1/referral-programs/{program_id}", headers=store.writer,
                           json={"name": "Spring+", "attribution_model": "first_touch"})  # fmt: skip
    ended = client.post(f"/api/v1/referral-programs/{program_id}/end", headers=store.writer)
    again = client.post(f"/api/v1/referral-programs/{program_id}/end", headers=store.writer)
    listed = client.get("/api/v1/referral-programs", headers=store.reader).json()
    # then
    assert (changed.json()["name"], changed.json()["attribution_model"]) == ("Spring+", "first_touch")
    assert changed.json()["rules"] == created.json()["rules"]
    assert ended.json()["ends_at"] is not None
    assert_problem(again, 409, "conflict")
    assert [p["id"] for p in listed["data"]] == [program_id]


def test_rules_that_make_no_sense_are_refused_with_the_field(client: TestClient, store: StoreAccess) -> None:
    # when
    response = client.post("/api/v1/referral-programs", headers=store.writer, json={
        "name": "Broken", "currency": "USD",
        "rules": {"registration": {"reward": {"form": "credit", "amount": 0}}},
    })  # fmt: skip
    # then
    assert_problem(response, 422, "invalid_input")


def test_guessing_codes_is_rate_limited_more_strictly_than_following_links(
    make_app: Callable[..., FastAPI],
) -> None:
    # given
    app = make_app(referral_unknown_code_limit_per_minute=3, referral_click_limit_per_minute=100)
    with TestClient(app) as client:
        # when
        answers = [client.get(f"/r/GUESS{n}", follow_redirects=False).status_code for n in range(5)]
    # then
    assert answers == [302, 302, 302, 429, 429]
