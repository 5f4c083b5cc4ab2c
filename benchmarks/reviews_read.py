"""Public product-review pages per second with 1,000,000 reviews in the database, beside a bare FastAPI peer.

Target (issue part 6): GET /public/v1/stores/{store}/products/{sku}/reviews (a page of 20 with the product's
aggregate, random products) reaches at least 70% of the peer's requests/s in the same run, with p99 <= 30 ms,
on SQLite and on PostgreSQL. The peer is a bare FastAPI app on the same uvicorn settings whose `async` route,
at the same path shape, returns a constant JSON of the same size (one of our real pages).

Load: wrk, 2 threads, 32 connections, 15 s, a Lua script that picks a random product per request. Ours runs
twice: with the in-process answer cache off (every request queries the database), and with it on and warm
(every product's first page asked for once beforehand; TTL raised to 300 s so nothing expires during the
run); both figures are printed. Before measuring, the plan of the page query is printed
(EXPLAIN on each database) to show it is an index range scan.

Index needs (all present in reviews/models.py, none added here):
  ix_reviews_product_newest (store_id, product_id, status, published_at, id)  -- sort=newest (the page here)
  ix_reviews_product_helpful (store_id, product_id, status, helpful_count, id) -- sort=most_helpful
  ix_reviews_product_rating (store_id, product_id, status, rating, id)          -- sort=highest / lowest
  ix_reviews_store_status (store_id, status, id)                               -- the Google feed
  ix_review_replies_store_review (store_id, review_id, id)                     -- a page's replies
  uq_product_rating_summaries_store_id (store_id, product_id)                  -- the aggregate

    python -m benchmarks.reviews_read [--reviews 1000000] [--products 10000] [--only sqlite|postgresql]
                                      [--postgres postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from fastapi import FastAPI
from sqlalchemy import Table, event, select, text
from sqlalchemy.orm import Session

from benchmarks.harness import free_port, machine, running_server, scratch_database
from goodword.config import Settings
from goodword.db.bulk import insert_many
from goodword.db.migrate import upgrade_to_head
from goodword.db.session import Database
from goodword.reviews.models import ProductRatingSummary, Review
from goodword.reviews.public_queries import product_reviews
from goodword.stores.models import Product
from goodword.stores.stores import create_store

WRK = "/usr/bin/wrk"
START = datetime(2024, 6, 1, tzinfo=UTC)
CHUNK = 50_000
TITLES = [
    "Lovely",
    "Would buy again",
    "Not for me",
    "Smooth and floral",
    "好喝",
    "Good value",
    "Stale",
    "回甘很好",
]
BODIES = [
    "Brewed it three times at 90 degrees and the flavour held up; a gentle orchid note and no bitterness at all.",
    "Arrived quickly and well sealed. A little more roasted than I expected, but it grew on me over the week.",
    "汤色清亮，香气高扬，第三泡还有明显的回甘。包装也很用心，会回购。",  # noqa: RUF001
    "Honestly disappointing: the leaves were broken and the tea tasted flat even with a longer steep.",
    "My go-to morning tea now. Works well cold-brewed overnight too, which I did not expect.",
]
NAMES = ["Mei L.", "James P.", "Anonymous", "王芳", "Sofia R.", "Tom K.", "李伟", "Ana G."]
PEER_BODY_ENV = "GOODWORD_BENCH_PEER_BODY"


@dataclass(frozen=True)
class Figures:
    requests_per_second: float
    p99_ms: float
    errors: int


def load(database: Database, *, reviews: int, products: int, seed: int) -> str:
    """A store with `products` products and `reviews` reviews (about 92% published) and their summaries."""
    rng = np.random.default_rng(seed)
    with database.unit_of_work() as session:
        store_id = create_store(session, name="Benchmark Teas").id
        now = datetime.now(UTC)
        insert_many(
            session,
            _table(Product),
            [
                {"store_id": store_id, "sku": f"SKU-{n:05d}", "title": f"Tea no. {n}",
                 "url": f"https://shop.example.com/p/{n}", "price_minor": 1200, "currency": "USD",
                 "content_hash": "bench", "created_at": now, "updated_at": now}
                for n in range(products)
            ],
        )  # fmt: skip
        product_ids = np.array(
            session.scalars(
                select(Product.id).where(Product.store_id == store_id).order_by(Product.sku)
            ).all()
        )
    product = rng.integers(0, products, reviews)
    rating = rng.choice([1, 2, 3, 4, 5], reviews, p=[0.06, 0.05, 0.09, 0.25, 0.55])
    published = rng.random(reviews) < 0.92
    for start in range(0, reviews, CHUNK):
        stop = min(start + CHUNK, reviews)
        with database.unit_of_work() as session:
            insert_many(
                session,
                _table(Review),
                _review_rows(rng, store_id, product_ids, product, rating, published, start, stop),
            )
        print(f"  reviews {stop:,}/{reviews:,}", end="\r", flush=True)
    counts = np.zeros((products, 5), dtype=np.int64)
    np.add.at(counts, (product[published], rating[published] - 1), 1)
    with database.unit_of_work() as session:
        insert_many(
            session,
            _table(ProductRatingSummary),
            [
                {"store_id": store_id, "product_id": int(product_ids[n]), "review_count": int(row.sum()),
                 "rating_sum": int((row * np.arange(1, 6)).sum()), "count_1": int(row[0]), "count_2": int(row[1]),
                 "count_3": int(row[2]), "count_4": int(row[3]), "count_5": int(row[4]), "updated_at": now}
                for n, row in enumerate(counts)
            ],
        )  # fmt: skip
    _analyze(database)
    return store_id


def _review_rows(
    rng: np.random.Generator,
    store_id: str,
    product_ids: Any,
    product: Any,
    rating: Any,
    published: Any,
    start: int,
    stop: int,
) -> list[dict[str, Any]]:
    size = stop - start
    seconds = rng.integers(0, 600 * 86400, size)
    helpful = rng.geometric(0.5, size) - 1
    language = rng.random(size) < 0.15
    rows = []
    for i in range(size):
        n = start + i
        moment = START + timedelta(seconds=int(seconds[i]))
        is_published = bool(published[n])
        rows.append(
            {
                "store_id": store_id,
                "product_id": int(product_ids[product[n]]),
                "rating": int(rating[n]),
                "title": TITLES[n % len(TITLES)],
                "body": BODIES[2] if language[i] else BODIES[n % len(BODIES)],
                "language": "zh" if language[i] else "en",
                "author_name": NAMES[n % len(NAMES)],
                "status": "published" if is_published else "pending",
                "verified_buyer": n % 5 != 0,
                "incentivized": n % 10 == 0,
                "helpful_count": int(helpful[i]),
                "unhelpful_count": 0,
                "photo_count": 0,
                "created_at": moment,
                "published_at": moment if is_published else None,
                "updated_at": moment,
            }
        )
    return rows


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


def _analyze(database: Database) -> None:
    if database.engine.dialect.name == "postgresql":
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(
                text("VACUUM ANALYZE reviews, products, product_rating_summaries, review_replies")
            )
    else:
        with database.engine.begin() as connection:
            connection.execute(text("ANALYZE"))


def explain_page(database: Database, *, store_id: str, sku: str) -> str:
    """The plan of the exact statement that reads a page (the second page, so the keyset bound is in it)."""
    captured: list[tuple[str, Any]] = []

    def capture(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool
    ) -> None:
        captured.append((statement, parameters))

    with database.unit_of_work(write=False) as session:
        first = product_reviews(session, store_id=store_id, sku=sku)
        event.listen(database.engine, "before_cursor_execute", capture)
        try:
            product_reviews(session, store_id=store_id, sku=sku, cursor=first.next_cursor)
        finally:
            event.remove(database.engine, "before_cursor_execute", capture)
        statement, parameters = next((s, p) for s, p in captured if "FROM reviews" in s and "ORDER BY" in s)
        return _plan(session, statement, parameters)


def _plan(session: Session, statement: str, parameters: Any) -> str:
    connection = session.connection()
    if session.get_bind().dialect.name == "postgresql":
        rows = connection.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters).all()
        return "\n".join(f"    {row[0]}" for row in rows)
    rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
    return "\n".join(f"    {row[-1]}" for row in rows)


def peer_app() -> FastAPI:
    """The bare peer: one async route at the same path shape, returning a constant page (via FastAPI's JSON)."""
    body = json.loads(Path(os.environ[PEER_BODY_ENV]).read_text())
    app = FastAPI()

    @app.get("/public/v1/stores/{store_id}/products/{sku}/reviews")
    async def reviews(store_id: str, sku: str) -> dict[str, Any]:
        return body  # type: ignore[no-any-return]

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


@contextmanager
def running_peer(body_file: Path) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "benchmarks.reviews_read:peer_app", "--factory", "--port", str(port),
         "--no-access-log", "--log-level", "warning"],
        env={**os.environ, PEER_BODY_ENV: str(body_file)},
    )  # fmt: skip
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the peer did not become ready")
            time.sleep(0.2)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=30)


def warm_every_product(base_url: str, *, store_id: str, products: int) -> None:
    """Ask for every product's first page once, so that each is in the server's cache (TTL 300 s here)."""
    started = time.perf_counter()
    with httpx.Client(base_url=base_url, timeout=30) as client, ThreadPoolExecutor(8) as pool:
        paths = [f"/public/v1/stores/{store_id}/products/SKU-{n:05d}/reviews" for n in range(products)]
        statuses = set(pool.map(lambda path: client.get(path).status_code, paths))
    assert statuses == {200}, statuses
    print(f"  cache warmed with all {products:,} products in {time.perf_counter() - started:.0f} s")


def wrk(base_url: str, *, store_id: str, products: int, seconds: int, connections: int) -> Figures:
    script = f"""
local paths = {{}}
for i = 0, {products - 1} do
  paths[i + 1] = string.format("/public/v1/stores/{store_id}/products/SKU-%05d/reviews", i)
end
math.randomseed(os.time() + tonumber(string.match(tostring({{}}), "0x(%x+)"), 16) % 1000003)
request = function() return wrk.format("GET", paths[math.random(#paths)]) end
"""
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(script)
        lua.flush()
        output = subprocess.run(
            [WRK, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", lua.name, base_url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"\s99%\s+([\d.]+)(us|ms|s)", output).groups()  # type: ignore[union-attr]
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    if socket_errors:
        print(f"    wrk socket errors: {socket_errors.group(1)}")
    return Figures(rate, p99, int(errors.group(1)) if errors else 0)


def bench(
    kind: str, postgres_url: str, *, reviews: int, products: int, seconds: int, connections: int
) -> None:
    with scratch_database(kind, postgres_url) as url:
        settings = Settings(database_url=url)
        database = Database(settings)
        upgrade_to_head(database.engine)
        started = time.perf_counter()
        store_id = load(database, reviews=reviews, products=products, seed=7)
        print(
            f"{kind}: loaded {reviews:,} reviews over {products:,} products in {time.perf_counter() - started:.0f} s"
        )
        print(
            f"  plan of the page query (second page, newest first):\n{explain_page(database, store_id=store_id, sku='SKU-00042')}"
        )
        database.dispose()
        env = {"GOODWORD_EMBEDDED_WORKER": "false", "GOODWORD_PUBLIC_REVIEWS_READS_PER_MINUTE": str(10**9)}
        results: dict[str, Figures] = {}
        with tempfile.TemporaryDirectory() as folder:
            body_file = Path(folder) / "page.json"
            for label, cache_seconds in (("goodword, cache off", 0), ("goodword, cache warm", 300)):
                server_env = {**env, "GOODWORD_PUBLIC_REVIEWS_CACHE_SECONDS": str(cache_seconds)}
                with running_server(url, extra_env=server_env) as (base_url, _pid):
                    sample = httpx.get(f"{base_url}/public/v1/stores/{store_id}/products/SKU-00042/reviews")
                    assert sample.status_code == 200, sample.text
                    assert len(sample.json()["data"]) == 20, sample.text
                    body_file.write_bytes(sample.content)
                    if cache_seconds:
                        warm_every_product(base_url, store_id=store_id, products=products)
                    # Warm-up (not measured): connections and code paths.
                    wrk(base_url, store_id=store_id, products=products, seconds=5, connections=connections)
                    results[label] = wrk(
                        base_url,
                        store_id=store_id,
                        products=products,
                        seconds=seconds,
                        connections=connections,
                    )
            with running_peer(body_file) as peer_url:
                wrk(peer_url, store_id=store_id, products=products, seconds=5, connections=connections)
                results["bare FastAPI peer"] = wrk(
                    peer_url, store_id=store_id, products=products, seconds=seconds, connections=connections
                )
        peer = results["bare FastAPI peer"].requests_per_second
        print(
            f"  page body {len(sample.content):,} bytes; wrk -t2 -c{connections} -d{seconds}s --latency, random products"
        )
        for label, figures in results.items():
            print(
                f"  {label:<20} {figures.requests_per_second:9,.0f} req/s  p99 {figures.p99_ms:7.2f} ms"
                f"  {figures.requests_per_second / peer:6.1%} of peer  errors {figures.errors}"
            )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    arguments = parser.parse_args()
    print(f"machine: {machine()}")
    for kind in ("sqlite", "postgresql"):
        if arguments.only in (None, kind):
            bench(kind, arguments.postgres, reviews=arguments.reviews, products=arguments.products,
                  seconds=arguments.seconds, connections=arguments.connections)  # fmt: skip


if __name__ == "__main__":
    main()
