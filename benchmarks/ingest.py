"""Orders per second through POST /api/v1/orders/batch over real HTTP, and the server's peak memory.

Target (issue 2): at least 5,000 orders/s on SQLite and on PostgreSQL, peak server memory under 500 MB.
Beside it, the same orders through the same service in-process (no HTTP, no JSON) as the ceiling.

    python -m benchmarks.ingest [--orders 100000] [--postgres postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from benchmarks.harness import machine, peak_rss_mb, running_server, scratch_database
from goodword.config import Settings
from goodword.db.migrate import upgrade_to_head
from goodword.db.session import Database
from goodword.stores.api_keys import issue_api_key
from goodword.stores.customers import upsert_customers
from goodword.stores.inputs import CustomerIn, OrderIn
from goodword.stores.models import ApiKeyScope
from goodword.stores.orders import upsert_orders
from goodword.stores.stores import create_store

CUSTOMERS = 20_000
START = datetime(2025, 5, 1, tzinfo=UTC)


def make_orders(count: int, *, seed: int, prefix: str) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    orders = []
    for n in range(count):
        lines = [
            {"sku": f"SKU-{rng.randrange(200)}", "title": "Tea", "quantity": rng.randint(1, 3),
             "unit_price_minor": rng.randrange(500, 5000)}
            for _ in range(rng.randint(1, 4))
        ]  # fmt: skip
        subtotal = sum(line["quantity"] * line["unit_price_minor"] for line in lines)
        placed = START + timedelta(minutes=rng.randrange(60 * 24 * 540))
        orders.append(
            {
                "external_id": f"{prefix}-{n}",
                "customer_external_id": f"c-{rng.randrange(CUSTOMERS)}",
                "status": rng.choice(["paid", "paid", "fulfilled", "pending", "refunded"]),
                "currency": "USD",
                "total_minor": subtotal + 500,
                "shipping_minor": 500,
                "placed_at": placed.isoformat(),
                "lines": lines,
            }
        )
    return orders


def prepare_store(database: Database) -> tuple[str, str]:
    with database.unit_of_work() as session:
        store = create_store(session, name="Benchmark Teas")
        key = issue_api_key(session, store_id=store.id, name="bench", scope=ApiKeyScope.WRITE).token
        customers = [CustomerIn(external_id=f"c-{n}", email=f"c{n}@example.com") for n in range(CUSTOMERS)]
        for start in range(0, CUSTOMERS, 1000):
            upsert_customers(
                session, store_id=store.id, customers=customers[start : start + 1000], source="bench"
            )
        return store.id, key


def over_http(base_url: str, key: str, orders: list[dict[str, Any]], *, batch: int, clients: int) -> float:
    bodies = [json.dumps({"items": orders[i : i + batch]}).encode() for i in range(0, len(orders), batch)]
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}

    def post(body: bytes) -> None:
        response = http.post(f"{base_url}/api/v1/orders/batch", content=body, headers=headers, timeout=120)
        if response.status_code != 200:
            raise RuntimeError(f"{response.status_code}: {response.text[:300]}")

    with (
        httpx.Client(limits=httpx.Limits(max_connections=clients)) as http,
        ThreadPoolExecutor(clients) as pool,
    ):
        started = time.perf_counter()
        list(pool.map(post, bodies))
        return time.perf_counter() - started


def in_process(database: Database, store_id: str, orders: list[dict[str, Any]], *, batch: int) -> float:
    started = time.perf_counter()
    for start in range(0, len(orders), batch):
        items = [OrderIn.model_validate(o) for o in orders[start : start + batch]]
        with database.unit_of_work() as session:
            upsert_orders(session, store_id=store_id, orders=items, source="bench")
    return time.perf_counter() - started


def run(kind: str, args: argparse.Namespace) -> None:
    with scratch_database(kind, args.postgres) as url:
        database = Database(Settings(database_url=url))
        upgrade_to_head(database.engine)
        store_id, key = prepare_store(database)
        orders = make_orders(args.orders, seed=1, prefix="http")
        # SQLite has one writer at a time, so a second server process would only queue for the lock.
        processes = args.processes if kind == "postgresql" else 1
        with running_server(url, processes=processes) as (base_url, pid):
            seconds = over_http(base_url, key, orders, batch=args.batch, clients=args.clients * processes)
            peak = peak_rss_mb(pid)
        direct = in_process(
            database, store_id, make_orders(args.orders, seed=2, prefix="direct"), batch=args.batch
        )
        database.dispose()
    http_rate, direct_rate = args.orders / seconds, args.orders / direct
    verdict = "PASS" if http_rate >= 5000 and peak < 500 else "FAIL"
    print(
        f"{kind:10} {processes} server process(es), HTTP batch: {http_rate:8,.0f} orders/s  peak server RSS {peak:5.0f} MB  | "
        f"in-process service: {direct_rate:8,.0f} orders/s  | HTTP/in-process {http_rate / direct_rate:4.2f}  "
        f"[{verdict}: target >= 5,000 orders/s and < 500 MB]"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument(
        "--clients", type=int, default=2, help="concurrent HTTP connections per server process"
    )
    parser.add_argument("--postgres", help="PostgreSQL server URL; a scratch database is made on it")
    parser.add_argument("--processes", type=int, default=2, help="server processes on PostgreSQL")
    args = parser.parse_args()
    print(f"ingest benchmark: {args.orders:,} orders in batches of {args.batch}; {machine()}")
    for kind in ["sqlite", *(["postgresql"] if args.postgres else [])]:
        run(kind, args)


if __name__ == "__main__":
    main()
