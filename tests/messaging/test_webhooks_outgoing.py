"""Outgoing webhooks end to end: API, outbox, worker, a real HTTP receiver on loopback verifying signatures."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from goodword.clock import as_utc, utc_now
from goodword.config import Settings
from goodword.db.session import Database
from goodword.messaging.claims import Backoff
from goodword.messaging.endpoint_health import endpoint_health_hook
from goodword.messaging.endpoints import create_endpoint
from goodword.messaging.events import PublishedEvent, publish_event
from goodword.messaging.manners import Manners
from goodword.messaging.models import Channel, DeliveryAttempt, MessageStatus, OutboxMessage, WebhookEndpoint
from goodword.messaging.webhook_transport import USER_AGENT, WebhookTransport
from goodword.messaging.worker import Worker
from goodword.stores.models import Store
from goodword.web.app import create_app
from tests.factories.stores import StoreAccess, make_store
from tests.messaging.webhook_receiver import WebhookReceiver, running_receiver

TIMEOUT_SECONDS = 0.3


class FakeClock:
    """The worker's clock. It starts a minute ahead of real time, so whatever the test wrote is due."""

    def __init__(self) -> None:
        self.now = utc_now() + timedelta(minutes=1)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with running_receiver() as receiver:
        yield receiver


@pytest.fixture
def transport() -> Iterator[WebhookTransport]:
    # Real time signs: the independent verifier refuses timestamps five minutes off its own clock.
    transport = WebhookTransport(Settings(webhook_timeout_seconds=TIMEOUT_SECONDS, worker_concurrency=4))
    yield transport
    transport.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(outbox_database: Database) -> StoreAccess:
    with outbox_database.unit_of_work() as session:
        access = make_store(session, name="Tea House")
        session.get_one(Store, access.store_id).contact_email = "owner@tea.example.com"
    return access


@pytest.fixture
def api(outbox_database: Database) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(), database=outbox_database)) as client:
        yield client


def run_worker(
    database: Database,
    transport: WebhookTransport,
    clock: FakeClock,
    *,
    disable_after: timedelta = timedelta(hours=72),
) -> int:
    worker = Worker(
        database=database,
        transports={Channel.WEBHOOK: transport},
        manners=Manners(marketing_cap_per_week=2, quiet_hours_start=21, quiet_hours_end=8),
        backoff=Backoff(base_seconds=10, max_seconds=600),
        hooks=[endpoint_health_hook(disable_after)],
        clock=clock,
        concurrency=4,
        seed=1,
    )
    return worker.run_once()


def register(api: TestClient, store: StoreAccess, url: str) -> dict[str, Any]:
    response = api.post(
        "/api/v1/webhook-endpoints", json={"url": url, "event_types": ["*"]}, headers=store.writer
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def publish(database: Database, store: StoreAccess, clock: FakeClock, **options: Any) -> PublishedEvent:
    with database.unit_of_work() as session:
        return publish_event(
            session,
            store_id=store.store_id,
            event_type=options.pop("event_type", "webhook.test"),
            data=options.pop("data", {"order": "A-1001"}),
            now=clock(),
            **options,
        )


def message(database: Database, message_id: int) -> OutboxMessage:
    with database.unit_of_work() as session:
        found = session.get_one(OutboxMessage, message_id)
        session.expunge(found)
        return found


def endpoint(database: Database, endpoint_id: int) -> WebhookEndpoint:
    with database.unit_of_work() as session:
        found = session.get_one(WebhookEndpoint, endpoint_id)
        session.expunge(found)
        return found


def test_an_event_reaches_an_endpoint_registered_by_api_signed_with_its_secret(
    outbox_database: Database,
    api: TestClient,
    store: StoreAccess,
    receiver: WebhookReceiver,
    transport: WebhookTransport,
    clock: FakeClock,
) -> None:
    # given an endpoint registered through the API, whose secret the receiver holds
    created = register(api, store, receiver.url)
    receiver.secrets["current"] = created["secret"]
    # when an event is published and the worker comes by
    event = publish(outbox_database, store, clock, data={"order": "A-1001", "note": "茶"})
    run_worker(outbox_database, transport, clock)
    # then the receiver got it once, verified by the independent verifier
    [received] = receiver.received
    assert received.verified_by == ["current"]
    assert received.headers["webhook-id"] == f"event:{event.event_id}:{created['id']}"
    assert received.headers["content-type"] == "application/json"
    assert received.headers["user-agent"] == USER_AGENT
    body = json.loads(received.body)
    assert (body["type"], body["data"]) == ("webhook.test", {"order": "A-1001", "note": "茶"})
    assert message(outbox_database, event.message_ids[0]).status is MessageStatus.DELIVERED
    # and the delivery log says so
    log = api.get(f"/api/v1/webhook-endpoints/{created['id']}/deliveries", headers=store.reader).json()
    [entry] = log["data"]
    assert (entry["message_id"], entry["event_type"], entry["attempt"]) == (
        event.message_ids[0],
        "webhook.test",
        1,
    )
    assert (entry["succeeded"], entry["status_code"], entry["error"]) == (True, 200, None)


def test_during_a_rotation_receivers_with_the_old_or_the_new_secret_both_verify(
    outbox_database: Database,
    api: TestClient,
    store: StoreAccess,
    receiver: WebhookReceiver,
    transport: WebhookTransport,
    clock: FakeClock,
) -> None:
    # given an endpoint whose secret was rotated just now
    created = register(api, store, receiver.url)
    rotated = api.post(f"/api/v1/webhook-endpoints/{created['id']}/rotate-secret", headers=store.writer)
    assert rotated.status_code == 200, rotated.text
    receiver.secrets.update(old=created["secret"], new=rotated.json()["secret"])
    # when an event goes out during the overlap, and another after it ended
    publish(outbox_database, store, clock)
    run_worker(outbox_database, transport, clock)
    clock.advance(hours=25)
    publish(outbox_database, store, clock)
    run_worker(outbox_database, transport, clock)
    # then both secrets verified the first; only the new one the second
    during, after = receiver.received
    assert during.verified_by == ["old", "new"]
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    assert after.verified_by == ["new"]


def test_the_same_event_published_twice_is_delivered_once(
    outbox_database: Database,
    api: TestClient,
    store: StoreAccess,
    receiver: WebhookReceiver,
    transport: WebhookTransport,
    clock: FakeClock,
) -> None:
    register(api, store, receiver.url)
    first = publish(outbox_database, store, clock, event_id="order-paid-1001")
    second = publish(outbox_database, store, clock, event_id="order-paid-1001")
    run_worker(outbox_database, transport, clock)
    run_worker(outbox_database, transport, clock)
    assert first.message_ids == second.message_ids
    assert len(receiver.received) == 1


def test_a_receiver_that_fails_then_recovers_gets_the_event_later_under_the_same_webhook_id(
    outbox_database: Database,
    api: TestClient,
    store: StoreAccess,
    receiver: WebhookReceiver,
    transport: WebhookTransport,
    clock: FakeClock,
) -> None:
    # given a receiver that answers 500 once
    created = register(api, store, receiver.url)
    receiver.answers = [500]
    event = publish(outbox_database, store, clock)
    # when the worker tries, and again after the backoff
    run_worker(outbox_database, transport, clock)
    failed = message(outbox_database, event.message_ids[0])
    failing_since = endpoint(outbox_database, created["id"]).failing_since
    clock.advance(hours=1)
    run_worker(outbox_database, transport, clock)
    # then it was pending with the error in between, and is delivered now under one webhook-id
    assert (failed.status, failed.attempts, failed.last_error) == (
        MessageStatus.PENDING,
        1,
        "HTTP 500: not today",
    )
    assert failing_since is not None
    first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert message(outbox_database, event.message_ids[0]).status is MessageStatus.DELIVERED
    assert endpoint(outbox_database, created["id"]).failing_since is None


def test_a_receiver_that_is_down_is_retried_later(
    outbox_database: Database, store: StoreAccess, transport: WebhookTransport, clock: FakeClock
) -> None:
    # given an endpoint on a port where nothing listens
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    with outbox_database.unit_of_work() as session:
        create_endpoint(
            session, store_id=store.store_id, url=f"http://127.0.0.1:{closed_port}/", event_types=["*"]
        )
    event = publish(outbox_database, store, clock)
    # when
    run_worker(outbox_database, transport, clock)
    # then
    failed = message(outbox_database, event.message_ids[0])
    assert (failed.status, failed.attempts) == (MessageStatus.PENDING, 1)
    assert "Connection refused" in (failed.last_error or "")
    assert as_utc(failed.next_attempt_at) > clock.now


def test_410_gone_gives_up_at_once_while_other_refusals_and_redirects_are_retried(
    outbox_database: Database,
    api: TestClient,
    store: StoreAccess,
    receiver: WebhookReceiver,
    transport: WebhookTransport,
    clock: FakeClock,
) -> None:
    # given a receiver that answers each new event differently (retries wait out their backoff meanwhile)
    register(api, store, receiver.url)
    outcomes = {}
    for status in (410, 400, 301):
        receiver.answers = [status]
        event = publish(outbox_database, store, clock)
        # when
        run_worker(outbox_database, transport, clock)
        outcomes[status] = message(outbox_database, event.message_ids[0])
    # then
    assert len(receiver.received) == 3
    assert {status: m.status for status, m in outcomes.items()} == {
        410: MessageStatus.DEAD,
        400: MessageStatus.PENDING,
        301: MessageStatus.PENDING,
    }
    assert "redirects are not followed" in (outcomes[301].last_error or "")


def test_an_endpoint_failing_longer_than_disable_after_is_disabled_and_the_store_told(
    outbox_database: Database,
    api: TestClient,
    store: StoreAccess,
    receiver: WebhookReceiver,
    transport: WebhookTransport,
    clock: FakeClock,
) -> None:
    # given a receiver that always fails, and endpoints disabled after an hour of failure
    created = register(api, store, receiver.url)
    receiver.answers = [503] * 10
    publish(outbox_database, store, clock)
    # when the worker fails at once, and again two hours later
    run_worker(outbox_database, transport, clock, disable_after=timedelta(hours=1))
    still_enabled = endpoint(outbox_database, created["id"]).enabled
    clock.advance(hours=2)
    run_worker(outbox_database, transport, clock, disable_after=timedelta(hours=1))
    # then it was enabled after the first failure, and is disabled now, saying why
    assert still_enabled
    disabled = endpoint(outbox_database, created["id"])
    assert not disabled.enabled
    assert "every delivery failed" in (disabled.disabled_reason or "")
    # and the store's contact gets a notice
    with outbox_database.unit_of_work() as session:
        [notice] = session.scalars(select(OutboxMessage).where(OutboxMessage.channel == Channel.EMAIL)).all()
        assert (notice.kind, notice.recipient) == ("notice", "owner@tea.example.com")
        assert json.loads(notice.payload).keys() == {"subject", "body"}
    # and new events no longer go to it
    assert publish(outbox_database, store, clock).message_ids == []


def test_pending_messages_of_a_deleted_endpoint_are_suppressed(
    outbox_database: Database,
    api: TestClient,
    store: StoreAccess,
    receiver: WebhookReceiver,
    transport: WebhookTransport,
    clock: FakeClock,
) -> None:
    created = register(api, store, receiver.url)
    event = publish(outbox_database, store, clock)
    deleted = api.delete(f"/api/v1/webhook-endpoints/{created['id']}", headers=store.writer)
    assert deleted.status_code == 200, deleted.text
    run_worker(outbox_database, transport, clock)
    assert receiver.received == []
    assert message(outbox_database, event.message_ids[0]).status is MessageStatus.SUPPRESSED


def test_a_receiver_slower_than_the_timeout_counts_as_a_failure(
    outbox_database: Database,
    api: TestClient,
    store: StoreAccess,
    receiver: WebhookReceiver,
    transport: WebhookTransport,
    clock: FakeClock,
) -> None:
    register(api, store, receiver.url)
    receiver.delay_seconds = TIMEOUT_SECONDS * 3
    event = publish(outbox_database, store, clock)
    run_worker(outbox_database, transport, clock)
    failed = message(outbox_database, event.message_ids[0])
    assert failed.status is MessageStatus.PENDING
    assert "timed out" in (failed.last_error or "")
    with outbox_database.unit_of_work() as session:
        attempt = session.scalars(select(DeliveryAttempt)).one()
        assert (attempt.succeeded, attempt.status_code) == (False, None)
        assert attempt.duration_ms >= TIMEOUT_SECONDS * 1000 * 0.9
