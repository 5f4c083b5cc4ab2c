import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from goodword.config import Settings
from goodword.db.session import Database
from goodword.messaging.claims import Backoff, ClaimedMessage, DeliveryResult
from goodword.messaging.manners import Manners
from goodword.messaging.models import Channel, DeliveryAttempt, MessageStatus, OutboxMessage, Purpose
from goodword.messaging.outbox import NewMessage, enqueue, retry_message
from goodword.messaging.transports import batch_lease
from goodword.messaging.worker import Worker
from goodword.stores.customers import upsert_customers
from goodword.stores.inputs import CustomerIn
from goodword.stores.stores import create_store

NOON = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


class RecordingTransport:
    """Stands in for a receiver at the process boundary: records what it was given, answers as told."""

    def __init__(self, answer: Callable[[ClaimedMessage], DeliveryResult] | None = None) -> None:
        self.delivered: list[int] = []
        self.answer = answer or (lambda _message: DeliveryResult(True, 200))
        self._lock = threading.Lock()

    def deliver(self, message: ClaimedMessage) -> DeliveryResult:
        with self._lock:
            self.delivered.append(message.id)
        return self.answer(message)


def make_worker(
    database: Database, transport: RecordingTransport, *, now: datetime = NOON, **options: object
) -> Worker:
    return Worker(
        database=database,
        transports={Channel.WEBHOOK: transport, Channel.EMAIL: transport},
        manners=Manners(marketing_cap_per_week=2, quiet_hours_start=21, quiet_hours_end=8),
        backoff=Backoff(base_seconds=10, max_seconds=600),
        clock=lambda: now,
        seed=1,
        **options,  # type: ignore[arg-type]
    )


def email(
    recipient: str, *, purpose: Purpose = Purpose.TRANSACTIONAL, customer_id: int | None = None
) -> NewMessage:
    return NewMessage(
        channel=Channel.EMAIL,
        purpose=purpose,
        kind="test",
        recipient=recipient,
        payload={"hello": "world"},
        reason="a test asked for it",
        customer_id=customer_id,
        send_at=NOON - timedelta(minutes=1),
    )


def new_store(database: Database) -> str:
    with database.unit_of_work() as session:
        return create_store(session, name="Tea House").id


def status_of(database: Database, message_id: int) -> OutboxMessage:
    with database.unit_of_work() as session:
        message = session.get_one(OutboxMessage, message_id)
        session.expunge(message)
        return message


def test_a_message_written_with_its_cause_is_delivered_once(outbox_database: Database) -> None:
    # given
    store_id = new_store(outbox_database)
    with outbox_database.unit_of_work() as session:
        message_id = enqueue(session, store_id=store_id, message=email("a@example.com"))
    transport = RecordingTransport()
    worker = make_worker(outbox_database, transport)
    # when
    worker.run_once()
    worker.run_once()
    # then
    assert transport.delivered == [message_id]
    assert status_of(outbox_database, message_id).status is MessageStatus.DELIVERED


def test_a_rolled_back_change_sends_nothing(outbox_database: Database) -> None:
    store_id = new_store(outbox_database)
    session = outbox_database.session(write=True)
    with session.begin():
        enqueue(session, store_id=store_id, message=email("a@example.com"))
        session.rollback()
    transport = RecordingTransport()
    make_worker(outbox_database, transport).run_once()
    assert transport.delivered == []


def test_the_same_dedupe_key_is_one_message(outbox_database: Database) -> None:
    store_id = new_store(outbox_database)
    keyed = replace(email("a@example.com"), dedupe_key="welcome:42")
    with outbox_database.unit_of_work() as session:
        first = enqueue(session, store_id=store_id, message=keyed)
        second = enqueue(session, store_id=store_id, message=keyed)
    assert first == second


def test_a_failure_is_retried_later_with_backoff_then_dies(outbox_database: Database) -> None:
    # given a receiver that always fails, and messages allowed three attempts
    store_id = new_store(outbox_database)
    with outbox_database.unit_of_work() as session:
        message_id = enqueue(session, store_id=store_id, message=email("a@example.com"), max_attempts=3)
    transport = RecordingTransport(lambda _m: DeliveryResult(False, 500, "server error"))
    moments = [NOON, NOON, NOON + timedelta(hours=1), NOON + timedelta(hours=2)]
    # when the worker comes by at noon (twice), then an hour later, then two hours later
    for moment in moments:
        make_worker(outbox_database, transport, now=moment).run_once()
    # then the second pass at noon found nothing due: the retry waits out its backoff
    assert len(transport.delivered) == 3
    message = status_of(outbox_database, message_id)
    assert message.status is MessageStatus.DEAD
    assert message.attempts == 3
    assert message.last_error == "server error"
    with outbox_database.unit_of_work() as session:
        attempts = session.scalar(select(func.count()).where(DeliveryAttempt.message_id == message_id))
    assert attempts == 3


def test_staff_can_retry_a_dead_message(outbox_database: Database) -> None:
    store_id = new_store(outbox_database)
    with outbox_database.unit_of_work() as session:
        message_id = enqueue(session, store_id=store_id, message=email("a@example.com"), max_attempts=1)
    make_worker(
        outbox_database, RecordingTransport(lambda _m: DeliveryResult(False, error="down"))
    ).run_once()
    with outbox_database.unit_of_work() as session:
        retry_message(session, store_id=store_id, message_id=message_id, now=NOON)
    healthy = RecordingTransport()
    make_worker(outbox_database, healthy, now=NOON + timedelta(seconds=1)).run_once()
    assert healthy.delivered == [message_id]
    assert status_of(outbox_database, message_id).status is MessageStatus.DELIVERED


def test_marketing_without_consent_is_suppressed_with_its_reason(outbox_database: Database) -> None:
    store_id = new_store(outbox_database)
    with outbox_database.unit_of_work() as session:
        [outcome] = upsert_customers(
            session,
            store_id=store_id,
            customers=[CustomerIn(external_id="c1", email="c1@example.com", marketing_consent=False)],
            source="test",
        )
        message_id = enqueue(
            session,
            store_id=store_id,
            message=email("c1@example.com", purpose=Purpose.MARKETING, customer_id=outcome.id),
        )
    transport = RecordingTransport()
    make_worker(outbox_database, transport).run_once()
    assert transport.delivered == []
    message = status_of(outbox_database, message_id)
    assert message.status is MessageStatus.SUPPRESSED
    assert "not agreed to marketing" in (message.status_reason or "")


def test_marketing_waits_for_the_end_of_quiet_hours(outbox_database: Database) -> None:
    # given a consenting customer in Shanghai, where noon UTC is 20:00 and 13:30 UTC is 21:30
    store_id = new_store(outbox_database)
    with outbox_database.unit_of_work() as session:
        [outcome] = upsert_customers(
            session,
            store_id=store_id,
            customers=[
                CustomerIn(
                    external_id="c1",
                    email="c1@example.com",
                    marketing_consent=True,
                    time_zone="Asia/Shanghai",
                )
            ],
            source="test",
        )
        message_id = enqueue(
            session,
            store_id=store_id,
            message=email("c1@example.com", purpose=Purpose.MARKETING, customer_id=outcome.id),
        )
    transport = RecordingTransport()
    # when the worker comes by at 21:30 Shanghai time
    make_worker(outbox_database, transport, now=NOON + timedelta(minutes=90)).run_once()
    # then the message waits until 08:00 Shanghai time (00:00 UTC)
    assert transport.delivered == []
    assert status_of(outbox_database, message_id).next_attempt_at == datetime(2026, 6, 2, 0, 0, tzinfo=UTC)


def test_two_workers_never_take_the_same_message(outbox_database: Database) -> None:
    # given many due messages
    store_id = new_store(outbox_database)
    with outbox_database.unit_of_work() as session:
        ids = [enqueue(session, store_id=store_id, message=email(f"c{n}@example.com")) for n in range(300)]
    transport = RecordingTransport()
    workers = [make_worker(outbox_database, transport, batch_size=25, name=f"w{n}") for n in range(2)]

    # when both drain the outbox at once
    def drain(worker: Worker) -> None:
        while worker.run_once():
            pass

    threads = [threading.Thread(target=drain, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then every message went exactly once
    assert sorted(transport.delivered) == sorted(ids)


def test_a_batch_lease_outlasts_a_batch_of_timeouts() -> None:
    settings = Settings(
        worker_batch_size=100, worker_concurrency=16, webhook_timeout_seconds=10, worker_lease_seconds=60
    )
    # 7 rounds of 16 deliveries, each of which may wait 15 s for a slow SMTP server
    assert batch_lease(settings) >= timedelta(seconds=7 * 15)
    assert batch_lease(Settings(worker_lease_seconds=600)) == timedelta(seconds=600)
