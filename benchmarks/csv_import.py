"""Headline figure: order lines imported per second from a Shopify orders export.

Generates a Shopify-format orders CSV (1,000,000 line items, about 300,000 orders, seeded) in a temporary
directory, imports it into a fresh store in a fresh SQLite database (and a scratch PostgreSQL database with
--postgres URL), and prints lines/s next to the named peer: Python's csv module merely reading the same file,
the ceiling no importer can pass. Target: at least 20,000 lines/s.

    .venv/bin/python benchmarks/csv_import.py [--lines 1000000] [--postgres postgresql://postgres@127.0.0.1/x]
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import tempfile
import time
from pathlib import Path

from goodword.config import Settings
from goodword.db.migrate import upgrade_to_head
from goodword.db.scratch import scratch_postgres_database
from goodword.db.session import Database
from goodword.stores.imports.registry import FORMATS
from goodword.stores.imports.runner import run_import
from goodword.stores.stores import create_store

HEADER = [
    "Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Fulfilled at", "Accepts Marketing",
    "Currency", "Subtotal", "Shipping", "Taxes", "Total", "Discount Code", "Discount Amount", "Created at",
    "Lineitem quantity", "Lineitem name", "Lineitem price", "Lineitem sku", "Billing Name", "Notes",
    "Cancelled at", "Refunded Amount", "Id", "Phone",
]  # fmt: skip
_FINANCIAL = ["paid"] * 8 + ["pending", "refunded"]


def write_orders_csv(path: Path, *, lines: int, seed: int) -> int:
    """Write `lines` line items in orders of 1 to 6 lines (mean 3.3); returns the number of orders."""
    rng = random.Random(seed)
    buyers = max(1, lines // 10)
    written = orders = 0
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        while written < lines:
            orders += 1
            count = min(rng.choice([1, 2, 3, 3, 4, 4, 5, 6]), lines - written)
            items = [(rng.randint(1, 3), rng.randint(100, 9999), rng.randint(1, 500)) for _ in range(count)]
            subtotal = sum(quantity * price for quantity, price, _ in items)
            buyer = rng.randint(1, buyers)
            day, minute = rng.randint(1, 28), rng.randint(0, 59)
            created = f"2024-03-{day:02d} 10:{minute:02d}:00 +0100"
            financial = rng.choice(_FINANCIAL)
            for position, (quantity, price, product) in enumerate(items):
                order_level = position == 0
                writer.writerow(
                    [
                        f"#{1000 + orders}",
                        f"buyer{buyer}@example.com" if order_level else "",
                        financial if order_level else "",
                        created if order_level and financial == "paid" else "",
                        "fulfilled" if order_level and orders % 3 else "",
                        "",
                        "yes" if order_level and buyer % 2 else ("no" if order_level else ""),
                        "USD" if order_level else "",
                        f"{subtotal / 100:,.2f}" if order_level else "",
                        "5.00" if order_level else "",
                        "0.00" if order_level else "",
                        f"{subtotal / 100 + 5:,.2f}" if order_level else "",
                        "",
                        "0.00" if order_level else "",
                        created if order_level else "",
                        str(quantity),
                        f"Tea no. {product}",
                        f"{price / 100:.2f}",
                        f"TEA-{product}",
                        f"Buyer {buyer}" if order_level else "",
                        "",
                        "",
                        "",
                        str(5_000_000 + orders) if order_level else "",
                        "",
                    ]
                )
            written += count
    return orders


def time_csv_reading(path: Path) -> float:
    started = time.perf_counter()
    with path.open(newline="", encoding="utf-8") as source:
        for _ in csv.reader(source):
            pass
    return time.perf_counter() - started


def time_import(path: Path, database_url: str) -> tuple[float, dict[str, int]]:
    database = Database(Settings(database_url=database_url))
    upgrade_to_head(database.engine)
    with database.unit_of_work() as session:
        store_id = create_store(session, name="Benchmark teas").id
    started = time.perf_counter()
    with path.open("rb") as stream:
        report = run_import(
            stream,
            import_format=FORMATS["shopify-orders"],
            store_id=store_id,
            unit_of_work=database.unit_of_work,
        )
    elapsed = time.perf_counter() - started
    database.dispose()
    return elapsed, report.summary()


def report(label: str, lines: int, seconds: float, ceiling: float, summary: dict[str, int]) -> None:
    rate = lines / seconds
    print(
        f"{label:<10} {seconds:8.2f} s  {rate:10,.0f} lines/s  "
        f"{rate / ceiling:6.1%} of the csv ceiling  {'OK' if rate >= 20_000 else 'BELOW TARGET'}  {summary}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20240301)
    parser.add_argument("--postgres", help="a PostgreSQL server URL; a scratch database is created beside it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "orders_export.csv"
        orders = write_orders_csv(path, lines=args.lines, seed=args.seed)
        print(f"{args.lines:,} order lines, {orders:,} orders, {path.stat().st_size / 1e6:.1f} MB")
        reading = time_csv_reading(path)
        ceiling = args.lines / reading
        print(
            f"{'csv.reader':<10} {reading:8.2f} s  {ceiling:10,.0f} lines/s  (peer: reading only, the ceiling)"
        )
        seconds, summary = time_import(path, f"sqlite:///{Path(folder) / 'bench.db'}")
        report("sqlite", args.lines, seconds, ceiling, summary)
        if args.postgres:
            with scratch_postgres_database(args.postgres, prefix="goodword_bench") as url:
                seconds, summary = time_import(path, url)
            report("postgresql", args.lines, seconds, ceiling, summary)
        # Linux reports kilobytes: bounded memory shows as the same figure for 100,000 and 1,000,000 lines.
        print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
