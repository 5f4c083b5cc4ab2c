"""Real races on a live server with committed transactions: paid-order webhooks delivered fifty times at once,
friends registering with one code at once, and clicks that must be in the database before their redirect."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import uvicorn
from sqlalchemy import func, select

from goodword import intake
from goodword.config import Settings
from goodword.db.session import Database
from goodword.referrals.codes import ensure_code
from goodword.referrals.models import Referral, ReferralClick, ReferralReward, RewardRule
from goodword.rewards.models import RewardTransaction
from goodword.stores.order_webhooks import sign
from goodword.web.app import create_app
from tests.factories.referrals import make_customer, make_program
from tests.factories.stores import StoreAccess, make_store, order_event_payload, signed_webhook

# Fifty at once, both at the unit of work and through HTTP: more writers than the server has threads (40).
RACERS = 50
HTTP_RACERS = 50


@pytest.fixture(scope="module")
def live(committing_settings: Settings, committing_database: Database) -> Iterator[tuple[str, int]]:
    settings = committing_settings.model_copy(update={"referral_click_limit_per_minute": 10_000})
    app = create_app(settings, database=committing_database)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", lifespan="on", ws="none", access_log=False)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the test server did not start"
        assert thread.is_alive(), "the test server stopped"
        time.sleep(0.01)
    yield "127.0.0.1", listener.getsockname()[1]
    server.should_exit = True
    thread.join(timeout=10)
    listener.close()


def _request(live: tuple[str, int], method: str, path: str, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:  # fmt: skip
    connection = http.client.HTTPConnection(*live, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def _race(live: tuple[str, int], requests: list[tuple[str, str, bytes | None, dict[str, str]]]) -> list[int]:
    start = threading.Barrier(len(requests))

    def one(request: tuple[str, str, bytes | None, dict[str, str]]) -> int:
        start.wait()
        return _request(live, *request)[0]

    with ThreadPoolExecutor(len(requests)) as pool:
        return list(pool.map(one, requests))


@pytest.fixture
def referral_setup(committing_database: Database) -> dict[str, Any]:
    """A store with a first-order bonus, a referrer and a friend referred by code."""
    with committing_database.unit_of_work() as session:
        store = make_store(session, name="Racing Teas")
        make_program(session, store_id=store.store_id,
                     rules={"first_order": {"reward": {"form": "credit", "amount": 1000}}})  # fmt: skip
        referrer = make_customer(session, store_id=store.store_id)
        code = ensure_code(session, store_id=store.store_id, customer_id=referrer.id).code
    return {"store": store, "code": code, "referrer_id": referrer.id}


def _register_friend(live: tuple[str, int], store: StoreAccess, code: str, external_id: str) -> int:
    body = json.dumps({"external_id": external_id, "email": f"{external_id}@example.com",
                       "referral": {"code": code}}).encode()  # fmt: skip
    return _request(live, "POST", "/api/v1/customers", body,
                    {**store.writer, "Content-Type": "application/json"})[0]  # fmt: skip


def _deliver_at_once(database: Database, store: StoreAccess, bodies: list[bytes]) -> list[bool]:
    """Apply webhook bodies from as many threads, each in its own committing unit of work, released together."""
    start = threading.Barrier(len(bodies))

    def one(body: bytes) -> bool:
        start.wait()
        with database.unit_of_work() as session:
            _, applied = intake.receive_order_event(
                session, store_id=store.store_id, body=body, signature=sign(store.webhook_secret, body)
            )
        return applied

    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(one, bodies))


def _bonuses(database: Database, store: StoreAccess) -> tuple[int, int]:
    with database.unit_of_work(write=False) as session:
        rewards = session.scalar(
            select(func.count()).where(ReferralReward.store_id == store.store_id,
                                       ReferralReward.rule == RewardRule.FIRST_ORDER)
        )  # fmt: skip
        ledger = session.scalar(
            select(func.count()).where(RewardTransaction.store_id == store.store_id,
                                       RewardTransaction.cause_type == "referral")
        )  # fmt: skip
    return int(rewards or 0), int(ledger or 0)


def test_fifty_deliveries_of_one_paid_order_webhook_pay_one_bonus(
    live: tuple[str, int], committing_database: Database, referral_setup: dict[str, Any]
) -> None:
    # given
    store: StoreAccess = referral_setup["store"]
    assert _register_friend(live, store, referral_setup["code"], "friend-a") == 201
    event = order_event_payload(event_id="evt-paid-1", customer_external_id="friend-a")
    body, headers = signed_webhook(store, event)
    # when
    applied = _deliver_at_once(committing_database, store, [body] * RACERS)
    http_statuses = _race(live, [("POST", "/api/v1/webhooks/orders", body, headers)] * HTTP_RACERS)
    # then
    assert applied.count(True) == 1
    assert set(http_statuses) == {200}
    assert _bonuses(committing_database, store) == (1, 1)


def test_fifty_different_events_for_one_paid_order_pay_one_bonus(
    live: tuple[str, int], committing_database: Database, referral_setup: dict[str, Any]
) -> None:
    # given
    store: StoreAccess = referral_setup["store"]
    assert _register_friend(live, store, referral_setup["code"], "friend-b") == 201
    base = order_event_payload(customer_external_id="friend-b", external_id="order-b")
    bodies = [signed_webhook(store, {**base, "id": f"evt-b-{n}"})[0] for n in range(RACERS)]
    # when
    applied = _deliver_at_once(committing_database, store, bodies)
    # then
    assert applied.count(True) == RACERS  # every event id is new; the order is the same
    assert _bonuses(committing_database, store) == (1, 1)


def test_concurrent_registrations_with_one_code_are_each_attributed_once(
    live: tuple[str, int], committing_database: Database, referral_setup: dict[str, Any]
) -> None:
    # given
    store: StoreAccess = referral_setup["store"]
    requests = []
    for n in range(HTTP_RACERS):
        external_id = f"racer-{n % 10}"  # 10 friends, each registering twice at once
        body = json.dumps({"external_id": external_id, "email": f"{external_id}@example.com",
                           "referral": {"code": referral_setup["code"]}}).encode()  # fmt: skip
        requests.append(
            ("POST", "/api/v1/customers", body, {**store.writer, "Content-Type": "application/json"})
        )
    # when
    statuses = _race(live, requests)
    # then
    assert set(statuses) <= {200, 201}, statuses
    with committing_database.unit_of_work(write=False) as session:
        rows = session.execute(
            select(Referral.referred_customer_id, Referral.referrer_customer_id).where(
                Referral.store_id == store.store_id
            )
        ).all()
    assert len(rows) == 10
    assert {referrer for _, referrer in rows} == {referral_setup["referrer_id"]}


def test_every_redirected_click_is_in_the_database(
    live: tuple[str, int], committing_database: Database, referral_setup: dict[str, Any]
) -> None:
    # given
    store: StoreAccess = referral_setup["store"]
    path = f"/r/{referral_setup['code']}?gw_ch=whatsapp"
    # when
    answers = []
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda _: _request(live, "GET", path), range(RACERS)))
    # then
    tokens = {parse_qs(urlsplit(headers["location"]).query)["gw_ref"][0] for status, headers, _ in answers
              if status == 302}  # fmt: skip
    assert len(tokens) == RACERS
    with committing_database.unit_of_work(write=False) as session:
        stored = set(
            session.scalars(select(ReferralClick.token).where(ReferralClick.store_id == store.store_id))
        )
        channels = set(
            session.scalars(select(ReferralClick.channel).where(ReferralClick.store_id == store.store_id))
        )
    assert tokens <= stored
    assert channels == {"whatsapp"}
    # and the friend who registers with a token is attributed by it
    token = next(iter(tokens))
    body = json.dumps({"external_id": "clicker", "referral": {"token": token}}).encode()
    assert (
        _request(
            live, "POST", "/api/v1/customers", body, {**store.writer, "Content-Type": "application/json"}
        )[0]
        == 201
    )
    with committing_database.unit_of_work(write=False) as session:
        channel = session.scalar(select(Referral.channel).where(Referral.store_id == store.store_id))
    assert channel == "whatsapp"


def test_an_unknown_code_redirects_without_a_token(live: tuple[str, int]) -> None:
    # when
    status, headers, _ = _request(live, "GET", "/r/NOSUCHCODE")
    # then
    assert status == 302
    assert "gw_ref" not in headers["location"]
    assert "set-cookie" not in headers
