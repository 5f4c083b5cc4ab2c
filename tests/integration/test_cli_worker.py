"""`goodword worker` and the worker `goodword serve` embeds deliver due messages, and stop gracefully."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from goodword.cli.worker import embedded_worker
from goodword.config import Settings
from goodword.db.migrate import upgrade_to_head
from goodword.db.session import Database
from goodword.messaging.models import MessageStatus
from goodword.messaging.outbox import get_message
from goodword.stores.stores import create_store
from tests.conftest import fresh_database_url
from tests.factories.messaging import make_message
from tests.messaging.http_receiver import Receiver, http_receiver

SMS_TOKEN = "gateway-secret"


@pytest.fixture
def database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    with fresh_database_url(backend, tmp_path) as url:
        database = Database(Settings(database_url=url))
        upgrade_to_head(database.engine)
        database.dispose()
        yield url


def enqueue_sms(url: str, count: int) -> tuple[str, list[int]]:
    database = Database(Settings(database_url=url))
    with database.unit_of_work() as session:
        store_id = create_store(session, name="Tea House").id
        ids = [make_message(session, store_id=store_id, recipient=f"+1415555{n:04d}") for n in range(count)]
    database.dispose()
    return store_id, ids


def statuses(url: str, store_id: str, ids: list[int]) -> list[MessageStatus]:
    database = Database(Settings(database_url=url))
    with database.unit_of_work(write=False) as session:
        found = [get_message(session, store_id=store_id, message_id=i).status for i in ids]
    database.dispose()
    return found


def wait_for(condition: Callable[[], bool], *, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def gateway_env(gateway: Receiver, url: str) -> dict[str, str]:
    return {
        "GOODWORD_DATABASE_URL": url,
        "GOODWORD_SMS_GATEWAY": "webhook",
        "GOODWORD_SMS_URL": gateway.url + "/sms",
        "GOODWORD_SMS_TOKEN": SMS_TOKEN,
        "GOODWORD_WORKER_POLL_SECONDS": "0.05",
    }


def test_worker_processes_deliver_due_messages_and_stop_on_sigterm(database_url: str) -> None:
    # given five due SMS messages and a gateway on loopback
    store_id, ids = enqueue_sms(database_url, 5)
    with http_receiver() as gateway:
        # when two worker processes run until every message has reached the gateway, then get SIGTERM
        worker = subprocess.Popen(
            [sys.executable, "-m", "goodword", "worker", "--processes", "2"],
            env={**os.environ, **gateway_env(gateway, database_url)},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            arrived = wait_for(lambda: len(gateway.requests) >= len(ids), seconds=8)
            delivered = wait_for(
                lambda: statuses(database_url, store_id, ids) == [MessageStatus.DELIVERED] * len(ids),
                seconds=2,
            )
            worker.send_signal(signal.SIGTERM)
            output, _ = worker.communicate(timeout=10)
        finally:
            if worker.poll() is None:
                worker.kill()
    # then each message went once, and the workers exited cleanly
    assert arrived, output.decode()
    assert delivered, output.decode()
    assert worker.returncode == 0, output.decode()
    assert len(gateway.requests) == len(ids)
    assert b"stopped" in output


def test_the_embedded_worker_delivers_while_the_server_runs_and_finishes_when_it_stops(
    database_url: str,
) -> None:
    # given
    store_id, ids = enqueue_sms(database_url, 3)
    with http_receiver() as gateway:
        settings = Settings(
            database_url=database_url,
            sms_gateway="webhook",
            sms_url=gateway.url,
            sms_token=SMS_TOKEN,
            worker_poll_seconds=0.05,
        )
        database = Database(settings)
        # when the block (the web server's run, in `goodword serve`) lasts until the messages are out
        with embedded_worker(settings, database):
            delivered = wait_for(
                lambda: statuses(database_url, store_id, ids) == [MessageStatus.DELIVERED] * len(ids),
                seconds=5,
            )
        database.dispose()
    # then
    assert delivered
    assert len(gateway.requests) == len(ids)
