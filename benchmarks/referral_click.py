"""The referral link under load: Goodword's `GET /r/{code}` beside a bare FastAPI redirect, in one run.

Both run as real uvicorn servers (one process each, the same settings) and take the same wrk load (2 threads,
32 connections). Goodword records every click durably (committed before the redirect leaves, by group commit)
and answers 302; the bare endpoint only answers 302. Then a crash check: clients follow the link while the
server is SIGKILLed, and every token a client received in a 302 must be a row in the database.

    .venv/bin/python -m benchmarks.referral_click --database sqlite
    .venv/bin/python -m benchmarks.referral_click --database postgresql --postgres-url postgresql://...
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

import httpx
from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from sqlalchemy import select

from benchmarks.harness import free_port, machine, running_server, scratch_database
from goodword.config import Settings
from goodword.db.migrate import upgrade_to_head
from goodword.db.session import Database
from goodword.referrals.codes import ensure_code
from goodword.referrals.models import ReferralClick
from goodword.referrals.programs import RewardRules, create_program
from goodword.stores.customers import upsert_customers
from goodword.stores.inputs import CustomerIn
from goodword.stores.stores import create_store

bare_app = FastAPI()


@bare_app.get("/r/{code}")
async def bare_redirect(code: str) -> RedirectResponse:
    return RedirectResponse(f"https://shop.example/?gw_ref={code}", status_code=302)


def _serve_bare(port: int) -> None:
    import uvicorn

    uvicorn.run(bare_app, host="127.0.0.1", port=port, access_log=False, log_config=None)


@contextmanager
def bare_server() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "benchmarks.referral_click", "--serve-bare", str(port)])
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base_url}/r/x", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the bare server did not start") from None
                time.sleep(0.2)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=30)


def seed(database_url: str) -> str:
    """A store with a shop, a running program and one customer; returns the customer's code."""
    database = Database(Settings(database_url=database_url))
    upgrade_to_head(database.engine)
    with database.unit_of_work() as session:
        store = create_store(session, name="Bench Teas")
        store.shop_url = "https://shop.example/"
        create_program(session, store_id=store.id, name="Bench", currency="USD", rules=RewardRules())
        [outcome] = upsert_customers(
            session, store_id=store.id, customers=[CustomerIn(external_id="ref-1")], source="bench"
        )
        code = ensure_code(session, store_id=store.id, customer_id=outcome.id).code
    database.dispose()
    return code


def wrk(url: str, *, seconds: int) -> tuple[float, float, int]:
    """Requests per second, p99 latency in ms, and non-3xx answers, from wrk's report."""
    report = subprocess.run(
        ["/usr/bin/wrk", "-t2", "-c32", f"-d{seconds}s", "--latency", url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", report).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"\s99%\s+([\d.]+)(us|ms|s)\b", report).groups()  # type: ignore[union-attr]
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", report)
    return rate, p99, int(bad.group(1)) if bad else 0


def crash_check(database_url: str, code: str, env: dict[str, str]) -> tuple[int, int]:
    """Tokens clients got in a 302 before a SIGKILL, and how many of them are rows afterwards."""
    seen: set[str] = set()
    lock = threading.Lock()
    stop = threading.Event()
    with running_server(database_url, extra_env=env) as (base_url, pid):

        def follow() -> None:
            with httpx.Client(timeout=5) as client:
                while not stop.is_set():
                    try:
                        response = client.get(f"{base_url}/r/{code}")
                    except httpx.TransportError:
                        return
                    if response.status_code == 302:
                        token = parse_qs(urlsplit(response.headers["location"]).query)["gw_ref"][0]
                        with lock:
                            seen.add(token)

        threads = [threading.Thread(target=follow) for _ in range(16)]
        for thread in threads:
            thread.start()
        time.sleep(3)
        os.kill(pid, signal.SIGKILL)
        stop.set()
        for thread in threads:
            thread.join()
    database = Database(Settings(database_url=database_url))
    with database.unit_of_work(write=False) as session:
        stored = set(session.scalars(select(ReferralClick.token)))
    database.dispose()
    return len(seen), len(seen & stored)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--serve-bare", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bare is not None:
        _serve_bare(args.serve_bare)
        return
    env = {
        "GOODWORD_REFERRAL_CLICK_LIMIT_PER_MINUTE": str(10**9),
        "GOODWORD_EMBEDDED_WORKER": "false",
    }
    print(f"machine: {machine()}; database: {args.database}; wrk -t2 -c32 -d{args.seconds}s")
    with bare_server() as base_url:
        wrk(f"{base_url}/r/warmup", seconds=2)
        bare_rate, bare_p99, _ = wrk(f"{base_url}/r/AB23CD45", seconds=args.seconds)
    print(f"bare FastAPI redirect: {bare_rate:,.0f} requests/s, p99 {bare_p99:.2f} ms")
    with scratch_database(args.database, args.postgres_url) as url:
        code = seed(url)
        with running_server(url, extra_env=env) as (base_url, _pid):
            wrk(f"{base_url}/r/{code}", seconds=2)
            rate, p99, bad = wrk(f"{base_url}/r/{code}", seconds=args.seconds)
        print(
            f"goodword /r/{{code}} (click committed): {rate:,.0f} requests/s, p99 {p99:.2f} ms, {bad} non-3xx"
        )
        print(f"ratio goodword/bare: {rate / bare_rate:.2f} (target >= 0.50); p99 target <= 25 ms")
        redirected, stored = crash_check(url, code, env)
        print(
            f"SIGKILL during load: {redirected} redirects seen by clients, {stored} of them in the database"
        )


if __name__ == "__main__":
    main()
