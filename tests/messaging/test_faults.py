"""Fault tests: `goodword worker` processes against receivers that are down, failing or slow, and killed mid-batch.

Everything here is real: worker subprocesses, a database they share with the test, HTTP and SMTP servers on
loopback. Delivery is at least once, so a killed worker's unacknowledged messages go out again; the receivers
are idempotent (by webhook-id, by Message-ID), and the tests count how many repeats that idempotency absorbed.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from random import Random

import pytest
from sqlalchemy import select, update

from goodword.clock import utc_now
from goodword.db.session import Database
from goodword.messaging.claims import Backoff, DeliveryResult, Outcome, claim_due, record_outcomes
from goodword.messaging.endpoints import create_endpoint
from goodword.messaging.events import publish_event
from goodword.messaging.models import Channel, DeliveryAttempt, MessageStatus, OutboxMessage, Purpose
from goodword.messaging.outbox import NewMessage, enqueue
from goodword.messaging.unsubscribe import FROM_API, unsubscribe
from goodword.stores.customers import upsert_customers
from goodword.stores.inputs import CustomerIn
from goodword.stores.stores import create_store
from tests.messaging.idempotent_receivers import IdempotentReceiver, SlowMailbox, serving
from tests.messaging.smtp_receiver import free_port, smtp_server

logger = logging.getLogger(__name__)

# Generous: a loaded 2-core CI machine starts worker processes slowly; a real failure still ends the wait.
WAIT_SECONDS = 60.0
# Short leases, polls and backoffs keep a killed worker's messages and the retries within a test's patience.
WORKER_ENVIRONMENT = {
    "GOODWORD_WORKER_LEASE_SECONDS": "2",
    "GOODWORD_WORKER_POLL_SECONDS": "0.1",
    "GOODWORD_WORKER_BATCH_SIZE": "20",
    "GOODWORD_WORKER_CONCURRENCY": "4",
    "GOODWORD_OUTBOX_BACKOFF_BASE_SECONDS": "0.2",
    "GOODWORD_OUTBOX_BACKOFF_MAX_SECONDS": "1",
    "GOODWORD_WEBHOOK_TIMEOUT_SECONDS": "0.5",
    # The batch lease grows with the slowest timeout (messaging/transports.py batch_lease); keep it short here.
    "GOODWORD_SMTP_TIMEOUT_SECONDS": "1",
    # Manners that never hold marketing back: no quiet hours, a cap far above what a test sends.
    "GOODWORD_QUIET_HOURS_START": "0",
    "GOODWORD_QUIET_HOURS_END": "0",
    "GOODWORD_MARKETING_CAP_PER_WEEK": "1000",
    "GOODWORD_SMTP_HOST": "127.0.0.1",
    "GOODWORD_SMTP_FROM": "hello@goodword.example",
    "GOODWORD_SECRET_KEY": "a-test-secret-that-signs-links",
}


@dataclass
class WorkerProcesses:
    """`goodword worker` subprocesses, each in a process group of its own so that a kill takes its children."""

    database_url: str
    log_directory: Path
    running: list[subprocess.Popen[bytes]] = field(default_factory=list)
    killed: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self, *, processes: int = 1, **environment: str) -> subprocess.Popen[bytes]:
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("GOODWORD_")}
        log_path = self.log_directory / f"worker-{len(self.running) + len(self.killed)}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "goodword", "worker", "--processes", str(processes)],
                env=inherited
                | WORKER_ENVIRONMENT
                | {"GOODWORD_DATABASE_URL": self.database_url}
                | environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.running.append(process)
        return process

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """SIGKILL the worker and every process it started: no handler runs, no batch is finished."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        self.running.remove(process)
        self.killed.append(process)
        self.wait_until(lambda: _group_survivors(process.pid), timeout=10)

    def kill_all(self) -> None:
        for process in list(self.running):
            try:
                self.kill(process)
            except ProcessLookupError:
                process.wait(timeout=10)
                self.running.remove(process)

    def wait_until(
        self, missing: Callable[[], str | None], *, timeout: float = WAIT_SECONDS, every: float = 0.05
    ) -> None:
        """Poll until `missing()` has nothing to report; fail, saying what was still missing, if it never does."""
        deadline = time.monotonic() + timeout
        while (still_missing := missing()) is not None:
            for process in self.running:
                if process.poll() is not None:
                    pytest.fail(
                        f"a worker exited with {process.returncode} while waiting for {still_missing}"
                    )
            if time.monotonic() > deadline:
                pytest.fail(f"after {timeout:.0f} s still waiting for {still_missing}\n{self.log_tail()}")
            time.sleep(every)

    def log_tail(self, lines: int = 40) -> str:
        tails = []
        for path in sorted(self.log_directory.glob("worker-*.log")):
            tail = path.read_text(errors="replace").splitlines()[-lines:]
            tails.append(f"--- {path.name}\n" + "\n".join(tail))
        return "\n".join(tails)


def _group_survivors(group: int) -> str | None:
    """Which processes of the group still run (Linux; elsewhere the kernel's word for it is taken)."""
    survivors = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, _parent, process_group = stat.read_text().rpartition(")")[2].split()[:3]
        except (OSError, ValueError):
            continue  # it ended while we looked
        # A zombie runs nothing, and PID 1 of a container may never reap the orphans a kill leaves.
        if int(process_group) == group and state not in ("Z", "X"):
            survivors.append(stat.parent.name)
    return f"the end of killed worker processes {survivors}" if survivors else None


@pytest.fixture
def workers(outbox_database: Database, tmp_path: Path) -> Iterator[WorkerProcesses]:
    url = outbox_database.engine.url.render_as_string(hide_password=False)
    workers = WorkerProcesses(url, tmp_path)
    try:
        yield workers
    finally:
        workers.kill_all()


def new_store(database: Database) -> str:
    with database.unit_of_work() as session:
        return create_store(session, name="Tea House").id


def publish_to(database: Database, receiver: IdempotentReceiver, *, store_id: str, events: int) -> list[int]:
    """A new endpoint for `receiver`, and `events` events for it; returns the outbox ids."""
    with database.unit_of_work() as session:
        create_endpoint(session, store_id=store_id, url=receiver.url, event_types=["*"])
    return published(database, store_id=store_id, events=events)[receiver.url]


def published(database: Database, *, store_id: str, events: int) -> dict[str, list[int]]:
    """`events` events for every endpoint of the store; returns each endpoint URL's outbox ids."""
    with database.unit_of_work() as session:
        for number in range(events):
            publish_event(
                session,
                store_id=store_id,
                event_type="webhook.test",
                data={"order": f"A-{number}"},
                event_id=f"order-{number}",
            )
    by_url: dict[str, list[int]] = {}
    for message in outbox(database):
        by_url.setdefault(message.recipient, []).append(message.id)
    return by_url


def outbox(database: Database) -> list[OutboxMessage]:
    with database.unit_of_work(write=False) as session:
        messages = list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        session.expunge_all()
        return messages


def attempts_by_message(database: Database) -> dict[int, list[DeliveryAttempt]]:
    with database.unit_of_work(write=False) as session:
        attempts = list(session.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.attempt)))
        session.expunge_all()
    by_message: dict[int, list[DeliveryAttempt]] = {}
    for attempt in attempts:
        by_message.setdefault(attempt.message_id, []).append(attempt)
    return by_message


def undelivered(database: Database, ids: list[int]) -> str | None:
    """What keeps these messages from all being delivered, or None once they are."""
    wanted = set(ids)
    statuses = Counter(m.status.value for m in outbox(database) if m.id in wanted)
    if statuses[MessageStatus.DELIVERED.value] == len(wanted):
        return None
    return f"all {len(wanted)} messages delivered; statuses now: {dict(statuses)}"


def leased(database: Database) -> list[OutboxMessage]:
    return [m for m in outbox(database) if m.leased_by is not None or m.leased_until is not None]


def test_a_worker_killed_mid_batch_and_restarted_delivers_every_event_once_to_an_idempotent_receiver(
    outbox_database: Database, workers: WorkerProcesses, backend: str
) -> None:
    # given a slow receiver, and 200 events waiting for it
    with serving(IdempotentReceiver(port=free_port(), delay_seconds=0.03)) as receiver:
        store_id = new_store(outbox_database)
        ids = publish_to(outbox_database, receiver, store_id=store_id, events=200)
        # when a worker is killed mid-run, and another is started; on PostgreSQL, where a shop runs several,
        # the killed one has two processes (a spawned child costs seconds here, and SQLite needs only one)
        first = workers.start(processes=2 if backend == "postgresql" else 1)
        # (checked often: the kill should land while a batch is in flight, not in the moment between two)
        workers.wait_until(
            lambda: None if len(receiver.requests) >= 50 else "50 requests at the receiver", every=0.01
        )
        workers.kill(first)
        held_by_the_dead = leased(outbox_database)
        workers.start()
        workers.wait_until(lambda: undelivered(outbox_database, ids))
    # then the kill landed mid-batch, with messages still held under the dead worker's lease
    assert held_by_the_dead, "the kill landed between batches; nothing was in flight"
    # and every event reached the receiver under its own webhook-id, and took effect there once
    expected_ids = {f"event:order-{n}:{m.endpoint_id}" for n, m in enumerate(outbox(outbox_database))}
    assert set(receiver.requests) == expected_ids
    assert len(receiver.effects) == len(ids) == 200
    assert receiver.conflicts == set(), "a repeat carried another body under the same webhook-id"
    # and the outbox records one successful attempt per message, and holds nothing any more
    attempts = attempts_by_message(outbox_database)
    assert all([a.succeeded for a in attempts[i]].count(True) == 1 for i in ids)
    assert leased(outbox_database) == []
    logger.info(
        "SIGKILL: %d requests for %d events, %d repeats; %d messages were leased by the killed worker",
        len(receiver.requests),
        len(ids),
        receiver.duplicates,
        len(held_by_the_dead),
    )


def test_unsubscribed_customers_get_no_marketing_across_a_killed_and_restarted_worker(
    outbox_database: Database, workers: WorkerProcesses
) -> None:
    # given eight consenting customers, 15 marketing emails each, queued turn by turn
    store_id = new_store(outbox_database)
    emails = [f"c{n}@example.com" for n in range(8)]
    with outbox_database.unit_of_work() as session:
        outcomes = upsert_customers(
            session,
            store_id=store_id,
            customers=[
                CustomerIn(external_id=f"c{n}", email=email, marketing_consent=True)
                for n, email in enumerate(emails)
            ],
            source="test",
        )
        customer_ids = {email: outcome.id for email, outcome in zip(emails, outcomes, strict=True)}
        for turn in range(15):
            for email, customer_id in customer_ids.items():
                enqueue(session, store_id=store_id, message=newsletter(email, customer_id, turn))
    # and two of them who unsubscribe before anything is sent, two who will while the worker is dead
    left_early, left_during_outage = emails[:2], emails[2:4]
    stayed = emails[4:]
    unsubscribe_all(outbox_database, store_id, [customer_ids[e] for e in left_early])
    mailbox = SlowMailbox(delay_seconds=0.02)
    with smtp_server(mailbox) as port:
        # when a worker is killed mid-run, two customers unsubscribe, and another worker is started
        first = workers.start(GOODWORD_SMTP_PORT=str(port))
        workers.wait_until(lambda: None if len(mailbox.received) >= 30 else "30 emails in the mailbox")
        workers.kill(first)
        time.sleep(0.2)  # let the SMTP server finish reading what the dead worker had already sent
        received_before_outage_ended = mailbox.message_ids_by_recipient()
        unsubscribe_all(outbox_database, store_id, [customer_ids[e] for e in left_during_outage])
        workers.start(GOODWORD_SMTP_PORT=str(port))
        workers.wait_until(lambda: unsettled(outbox_database))
        received = mailbox.message_ids_by_recipient()
    messages = outbox(outbox_database)
    # then those who left first got nothing at all; their emails are suppressed
    assert [received.get(email) for email in left_early] == [None, None]
    assert {m.status for m in messages if m.recipient in left_early} == {MessageStatus.SUPPRESSED}
    # and those who left during the outage got mail before it, none after
    for email in left_during_outage:
        assert received_before_outage_ended.get(email), f"{email} got nothing before the kill"
        assert received[email] == received_before_outage_ended[email], f"{email} got mail after leaving"
    # and everyone else got each of their 15 emails (repeats, if any, carry the same Message-ID)
    for email in stayed:
        theirs = {m.id for m in messages if m.recipient == email}
        assert set(received[email]) == theirs, f"{email} did not get exactly their emails"
        assert {m.status for m in messages if m.recipient == email} == {MessageStatus.DELIVERED}
    assert leased(outbox_database) == []
    logger.info(
        "SMTP under SIGKILL: %d repeats among those who stayed",
        sum(count - 1 for email in stayed for count in received[email].values()),
    )


def newsletter(email: str, customer_id: int, turn: int) -> NewMessage:
    return NewMessage(
        channel=Channel.EMAIL,
        purpose=Purpose.MARKETING,
        kind="test",
        recipient=email,
        payload={"note": f"newsletter {turn}"},
        reason="the fault tests' newsletter",
        customer_id=customer_id,
    )


def unsubscribe_all(database: Database, store_id: str, customer_ids: list[int]) -> None:
    with database.unit_of_work() as session:
        for customer_id in customer_ids:
            unsubscribe(session, store_id=store_id, source=FROM_API, customer_id=customer_id)


def unsettled(database: Database) -> str | None:
    statuses = Counter(m.status.value for m in outbox(database))
    if statuses[MessageStatus.PENDING.value] == 0:
        return None
    return f"no pending messages; statuses now: {dict(statuses)}"


def test_receivers_that_are_down_failing_or_too_slow_get_everything_once_they_recover(
    outbox_database: Database, workers: WorkerProcesses
) -> None:
    # given three endpoints: one whose receiver is not listening yet, one whose receiver answers its first
    # eight requests with 500, one whose receiver takes longer than the worker's 0.5 s timeout
    down = IdempotentReceiver(port=free_port())
    failing = IdempotentReceiver(port=free_port(), answers=[500] * 8)
    slow = IdempotentReceiver(port=free_port(), delay_seconds=1.5)
    store_id = new_store(outbox_database)
    with outbox_database.unit_of_work() as session:
        for receiver in (down, failing, slow):
            create_endpoint(session, store_id=store_id, url=receiver.url, event_types=["*"])
    ids = published(outbox_database, store_id=store_id, events=5)
    with serving(failing), serving(slow):
        # when the worker has failed twice on every message to the receiver that is down, and once on every
        # message to the slow one, the first starts listening and the second speeds up
        workers.start(GOODWORD_WORKER_CONCURRENCY="8")
        workers.wait_until(
            lambda: (
                failed_fewer_than(outbox_database, ids[down.url], 2)
                or failed_fewer_than(outbox_database, ids[slow.url], 1)
            )
        )
        slow.delay_seconds = 0
        with serving(down):
            workers.wait_until(lambda: undelivered(outbox_database, [i for v in ids.values() for i in v]))
    # then each message's log shows its failures, then one success
    attempts = attempts_by_message(outbox_database)
    for message_ids in ids.values():
        for message_id in message_ids:
            *failures, success = attempts[message_id]
            assert [a.succeeded for a in failures] == [False] * len(failures)
            assert (success.succeeded, success.status_code) == (True, 204)
    for message_id in ids[down.url]:
        failures = attempts[message_id][:-1]
        assert len(failures) >= 2
        assert all("refused" in (a.error or "") for a in failures), [a.error for a in failures]
    assert [a.status_code for i in ids[failing.url] for a in attempts[i]].count(500) == 8
    for message_id in ids[slow.url]:
        failures = attempts[message_id][:-1]
        assert failures
        assert all("timed out" in (a.error or "") for a in failures), [a.error for a in failures]
    # and each receiver took every event into effect once, whatever it was sent twice
    for receiver in (down, failing, slow):
        assert len(receiver.effects) == len(set(receiver.requests)) == 5
        assert receiver.conflicts == set()
    # the slow receiver applied what the worker gave up waiting for: those come again, and it skips them
    assert slow.duplicates >= 5
    assert leased(outbox_database) == []
    logger.info(
        "receiver faults: repeats down=%d failing=%d slow=%d",
        down.duplicates,
        failing.duplicates,
        slow.duplicates,
    )


def failed_fewer_than(database: Database, ids: list[int], failures: int) -> str | None:
    attempts = attempts_by_message(database)
    short = [i for i in ids if [a.succeeded for a in attempts.get(i, [])].count(False) < failures]
    return f"{failures} failed attempts for messages {short}" if short else None


def test_a_batch_that_outlived_its_lease_records_only_what_its_worker_still_holds(
    outbox_database: Database,
) -> None:
    # given two messages claimed by worker A, one of which B claimed again once A's lease on it ran out
    store_id = new_store(outbox_database)
    now = utc_now() + timedelta(seconds=1)
    lease = timedelta(seconds=60)
    with outbox_database.unit_of_work() as session:
        kept_id, lost_id = (
            enqueue(
                session,
                store_id=store_id,
                message=replace(newsletter("c@example.com", 1, n), customer_id=None),
            )
            for n in range(2)
        )
        a_batch = claim_due(session, worker="A", now=now, limit=2, lease=lease)
        session.execute(
            update(OutboxMessage).where(OutboxMessage.id == kept_id).values(leased_until=now + lease * 3)
        )
    with outbox_database.unit_of_work() as session:
        [b_claim] = claim_due(session, worker="B", now=now + lease * 2, limit=2, lease=lease)
    # when B records its delivery, then A records its whole batch
    for worker, batch in (("B", [b_claim]), ("A", a_batch)):
        with outbox_database.unit_of_work() as session:
            outcomes = [Outcome(m, DeliveryResult(True, 250), now, 1) for m in batch]
            record_outcomes(
                session, worker=worker, outcomes=outcomes, now=now, backoff=Backoff(1, 1), rng=Random(1)
            )
    # then each message is delivered with one attempt: A's lost one is B's alone
    attempts = attempts_by_message(outbox_database)
    assert b_claim.id == lost_id
    assert [(a.worker, a.attempt) for a in attempts[lost_id]] == [("B", 1)]
    assert [(a.worker, a.attempt) for a in attempts[kept_id]] == [("A", 1)]
    assert {m.status for m in outbox(outbox_database)} == {MessageStatus.DELIVERED}
