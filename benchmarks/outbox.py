"""Webhook deliveries per second through the outbox, beside the throughput of the receiver alone.

Target (issue 3): 100,000 webhook messages to a local HTTP receiver at >= 2,000 deliveries/s with two
`goodword worker` processes on PostgreSQL, and >= 1,000/s with the worker embedded in `goodword serve`
on SQLite. The receiver alone is measured first with the same HTTP client library the transport uses.

    python -m benchmarks.outbox [--messages 100000] [--postgres postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import func, select

from benchmarks.harness import free_port, machine, running_server, scratch_database
from goodword.clock import utc_now
from goodword.config import Settings
from goodword.db.migrate import upgrade_to_head
from goodword.db.session import Database
from goodword.messaging.claims import ClaimedMessage
from goodword.messaging.endpoints import create_endpoint
from goodword.messaging.events import webhook_message
from goodword.messaging.models import Channel, MessageStatus, OutboxMessage, Purpose
from goodword.messaging.outbox import enqueue_many
from goodword.messaging.signing import new_signing_secret
from goodword.messaging.webhook_transport import WebhookTransport
from goodword.stores.stores import create_store

EVENT = "webhook.test"


@contextmanager
def receiver() -> Iterator[tuple[str, Path]]:
    port = free_port()
    counts = Path(tempfile.mkdtemp(prefix="goodword-receiver-")) / "counts.json"
    process = subprocess.Popen([sys.executable, "-m", "benchmarks.webhook_receiver", str(port), str(counts)])
    url = f"http://127.0.0.1:{port}/hooks"
    for _ in range(100):
        try:
            httpx.post(url, content=b"{}", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.1)
    try:
        yield url, counts
    finally:
        process.terminate()
        process.wait(timeout=30)


def receiver_alone(url: str, *, requests: int, processes: int) -> float:
    """Requests/s the receiver answers to the worker's own client code (16 threads a process), no database."""
    with ProcessPoolExecutor(processes) as pool:
        list(pool.map(_send_alone, [url] * processes, [1] * processes))  # start the processes first
        started = time.perf_counter()
        list(pool.map(_send_alone, [url] * processes, [requests // processes] * processes))
        return requests / (time.perf_counter() - started)


def _send_alone(url: str, requests: int) -> None:
    transport = WebhookTransport(Settings())
    message = ClaimedMessage(
        id=0, store_id="st_bench", store_name="Bench", store_logo_url=None, store_brand_color=None,
        channel=Channel.WEBHOOK, purpose=Purpose.TRANSACTIONAL, kind=EVENT, recipient=url, locale=None,
        payload=json.dumps({"type": EVENT, "data": {"n": 1}}), customer_id=None, endpoint_id=None, attempt=1,
        created_at=utc_now(), dedupe_key="alone", signing_secrets=(new_signing_secret(),),
    )  # fmt: skip
    with ThreadPoolExecutor(16) as threads:
        results = list(threads.map(lambda _n: transport.deliver(message), range(requests)))
    transport.close()
    if not all(r.succeeded for r in results):
        raise RuntimeError("the receiver refused requests")


def fill_outbox(database: Database, url: str, messages: int) -> float:
    """Queue the events in batches of 1,000, as a campaign would; returns messages queued per second."""
    with database.unit_of_work() as session:
        store_id = create_store(session, name="Outbox benchmark").id
        endpoint = create_endpoint(session, store_id=store_id, url=url, event_types=[EVENT])
        session.expunge(endpoint)
    started = time.perf_counter()
    for start in range(0, messages, 1000):
        now = utc_now()
        batch = [
            webhook_message(endpoint, event_type=EVENT, event_id=f"evt-{n}", data={"n": n}, now=now)
            for n in range(start, min(start + 1000, messages))
        ]
        with database.unit_of_work() as session:
            enqueue_many(session, store_id=store_id, messages=batch)
    return messages / (time.perf_counter() - started)


def wait_until_delivered(database: Database, messages: int, *, timeout: float) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        with database.unit_of_work(write=False) as session:
            done = session.scalar(select(func.count()).where(OutboxMessage.status == MessageStatus.DELIVERED))
        if done >= messages:
            return time.perf_counter() - started
        time.sleep(0.25)
    raise RuntimeError(f"only {done:,} of {messages:,} delivered within {timeout:.0f} s")


def run(kind: str, url: str, counts: Path, args: argparse.Namespace) -> tuple[float, float]:
    with scratch_database(kind, args.postgres or "") as database_url:
        database = Database(Settings(database_url=database_url))
        upgrade_to_head(database.engine)
        enqueue_rate = fill_outbox(database, url, args.messages)
        env = {**os.environ, "GOODWORD_DATABASE_URL": database_url, "GOODWORD_LOG_LEVEL": "WARNING"}
        if kind == "sqlite":
            with running_server(database_url, extra_env={"GOODWORD_EMBEDDED_WORKER": "true"}):
                seconds = wait_until_delivered(database, args.messages, timeout=args.timeout)
        else:
            workers = subprocess.Popen(
                [sys.executable, "-m", "goodword", "worker", "--processes", "2"],
                env=env,
                stdout=subprocess.DEVNULL,
            )
            try:
                seconds = wait_until_delivered(database, args.messages, timeout=args.timeout)
            finally:
                workers.terminate()
                workers.wait(timeout=60)
        database.dispose()
    return args.messages / seconds, enqueue_rate


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--postgres", help="PostgreSQL server URL; a scratch database is made on it")
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="run one database only")
    args = parser.parse_args()
    print(f"outbox benchmark: {args.messages:,} webhook messages; {machine()}")
    targets = {"sqlite": 1000.0, "postgresql": 2000.0}
    kinds = ["sqlite", *(["postgresql"] if args.postgres else [])]
    for kind in [k for k in kinds if args.only in (None, k)]:
        senders = 1 if kind == "sqlite" else 2
        with receiver() as (url, counts):
            alone = receiver_alone(url, requests=20_000, processes=senders)
            rate, enqueue_rate = run(kind, url, counts, args)
        totals = json.loads(counts.read_text())
        setup = "embedded worker in serve" if kind == "sqlite" else "2 worker processes"
        verdict = "PASS" if rate >= targets[kind] else "FAIL"
        print(
            f"{kind:10} {setup:26} {rate:8,.0f} deliveries/s | receiver alone, {senders} sender process(es) "
            f"with the same client: {alone:7,.0f}/s | ratio {rate / alone:4.2f} | enqueue {enqueue_rate:,.0f}/s | "
            f"receiver saw {totals['received'] - 20_001 - senders:,} deliveries for {totals['distinct'] - 1:,} distinct "
            f"webhook ids  [{verdict}: target >= {targets[kind]:,.0f}/s]"
        )


if __name__ == "__main__":
    main()
