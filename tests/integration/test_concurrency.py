"""Real concurrency: a live server on loopback, committed transactions, twenty clients racing at once.

Idempotency and webhook replays are settled by unique keys in the database; these tests prove it under a race
that the rolled-back, one-request-at-a-time API tests cannot stage.
"""

import json
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
import uvicorn

from goodword.config import Settings
from goodword.db.session import Database
from goodword.web.app import create_app
from tests.factories.stores import StoreAccess, make_store, order_event_payload, order_payload, signed_webhook

RACERS = 20
TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> object:
        return json.loads(self.body)


@pytest.fixture(scope="module")
def live_server(committing_settings: Settings, committing_database: Database) -> Iterator[str]:
    """The real application under uvicorn in a thread, on a free loopback port, committing for real."""
    app = create_app(committing_settings, database=committing_database)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_level="warning", lifespan="on", ws="none", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=10)
    listener.close()


@pytest.fixture
def racing_store(committing_database: Database) -> StoreAccess:
    with committing_database.unit_of_work() as session:
        return make_store(session, name="Busy Teas")


def _request(method: str, url: str, *, body: bytes | None = None, headers: dict[str, str]) -> Answer:
    request = urllib.request.Request(url, data=body, headers=headers, method=method)  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return Answer(
                response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
            )
    except urllib.error.HTTPError as error:
        return Answer(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


def _race(method: str, url: str, *, body: bytes, headers: dict[str, str]) -> list[Answer]:
    """Send the same request from RACERS threads released together."""
    start = threading.Barrier(RACERS)

    def one(_: int) -> Answer:
        start.wait(timeout=TIMEOUT_SECONDS)
        return _request(method, url, body=body, headers=headers)

    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        return list(pool.map(one, range(RACERS), timeout=TIMEOUT_SECONDS * 2))


def test_racing_retries_with_one_idempotency_key_create_one_order_and_agree(
    live_server: str, racing_store: StoreAccess
) -> None:
    # given
    body = json.dumps(order_payload()).encode()
    headers = {**racing_store.writer, "Content-Type": "application/json", "Idempotency-Key": "race-1"}
    # when
    answers = _race("POST", f"{live_server}/api/v1/orders", body=body, headers=headers)
    # then
    assert {a.status for a in answers} == {201}, [a.body for a in answers if a.status != 201][:3]
    assert len({a.body for a in answers}) == 1
    assert sum("idempotent-replayed" not in a.headers for a in answers) == 1
    listed = _request("GET", f"{live_server}/api/v1/orders", headers=racing_store.reader).json()
    assert isinstance(listed, dict)
    assert len(listed["data"]) == 1


def test_racing_deliveries_of_one_webhook_event_apply_it_once(
    live_server: str, racing_store: StoreAccess
) -> None:
    # given
    event = order_event_payload()
    body, headers = signed_webhook(racing_store, event)
    # when
    answers = _race("POST", f"{live_server}/api/v1/webhooks/orders", body=body, headers=headers)
    # then
    assert {a.status for a in answers} == {200}, [a.body for a in answers if a.status != 200][:3]
    statuses = [a.json()["status"] for a in answers]  # type: ignore[index]
    assert statuses.count("applied") == 1
    assert statuses.count("duplicate") == RACERS - 1
    listed = _request("GET", f"{live_server}/api/v1/orders", headers=racing_store.reader).json()
    assert isinstance(listed, dict)
    assert [o["external_id"] for o in listed["data"]] == [event["order"]["external_id"]]
