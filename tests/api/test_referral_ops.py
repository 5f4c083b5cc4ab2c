"""The referral operations API: review a held referral, run an experiment and read its report."""

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.api.assertions import assert_problem
from tests.factories.referral_ops import make_customer, make_program, refer_and_assess
from tests.factories.stores import StoreAccess


def test_staff_see_a_held_referrals_reasons_and_reject_it_once(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given
    program = make_program(session, store_id=store.store_id)
    referrer = make_customer(session, store_id=store.store_id, email="amy@gmail.com")
    friend = make_customer(session, store_id=store.store_id, email="a.m.y+2@gmail.com")
    referral, _ = refer_and_assess(session, program=program, referrer=referrer, friend=friend)
    # when
    queue = client.get("/api/v1/referral-reviews", headers=store.reader).json()
    decided = client.post(f"/api/v1/referrals/{referral.id}/review", json={"decision": "reject", "note": "same person"},
                          headers=store.writer)  # fmt: skip
    twice = client.post(
        f"/api/v1/referrals/{referral.id}/review", json={"decision": "approve"}, headers=store.writer
    )
    # then
    assert [r["code"] for r in queue["data"][0]["reasons"]] == ["same_email"]
    assert decided.status_code == 200, decided.text
    body = decided.json()
    assert (body["status"], body["decision"]["decision"], body["decision"]["note"]) == (
        "rejected",
        "reject",
        "same person",
    )
    assert body["decision"]["decided_by"].startswith("staff:api-key:")
    assert_problem(twice, 409, "conflict")
    assert client.get("/api/v1/referral-reviews", headers=store.reader).json()["data"] == []


def test_a_read_only_key_cannot_review(client: TestClient, session: Session, store: StoreAccess) -> None:
    response = client.post("/api/v1/referrals/1/review", json={"decision": "approve"}, headers=store.reader)
    assert_problem(response, 403, "read_only_key")


def test_an_experiment_is_created_listed_reported_and_stopped(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given
    program = make_program(session, store_id=store.store_id)
    body = {
        "name": "double",
        "allocation": "thompson",
        "seed": 5,
        "variants": [
            {"name": "control"},
            {"name": "double", "rules": {"registration": {"reward": {"form": "credit", "amount": 1000}}}},
        ],
    }
    # when
    created = client.post(
        f"/api/v1/referral-programs/{program.id}/experiments", json=body, headers=store.writer
    )
    experiment_id = created.json()["id"]
    listed = client.get(f"/api/v1/referral-programs/{program.id}/experiments", headers=store.reader)
    report = client.get(f"/api/v1/experiments/{experiment_id}/report", headers=store.reader)
    stopped = client.post(f"/api/v1/experiments/{experiment_id}/stop", headers=store.writer)
    # then
    assert created.status_code == 201, created.text
    assert [v["name"] for v in created.json()["variants"]] == ["control", "double"]
    assert [e["id"] for e in listed.json()] == [experiment_id]
    assert [v["assigned"] for v in report.json()["variants"]] == [0, 0]
    assert (
        report.json()["variants"][0]["probability_best"] == 0.5
        or report.json()["variants"][0]["probability_best"] > 0.4
    )
    assert stopped.json()["stopped_at"] is not None


def test_bad_variant_rules_are_refused_with_the_field(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    program = make_program(session, store_id=store.store_id)
    body = {
        "name": "x",
        "variants": [{"name": "a"}, {"name": "b", "rules": {"registration": {"reward": {"form": "gold"}}}}],
    }
    response = client.post(
        f"/api/v1/referral-programs/{program.id}/experiments", json=body, headers=store.writer
    )
    assert_problem(response, 422, "invalid_input")
    assert response.json()["errors"][0]["field"].startswith("variants.1.rules.registration")
