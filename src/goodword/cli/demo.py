"""`goodword demo`: build (or reuse) the demo store, save its keys, say how to try it, then serve it."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from sqlalchemy.engine import make_url

from goodword.cli.context import console, load_settings, open_database
from goodword.cli.server import DatabaseOption, serve_with_worker
from goodword.config import DEFAULT_DATA_DIR, Settings
from goodword.demo.build import DemoSummary, build_demo_store
from goodword.demo.calendar import DEFAULT_LAST_DAY
from goodword.demo.loading import Progress as ProgressCallback
from goodword.demo.plan import DEFAULT_CUSTOMERS, MAX_CUSTOMERS
from goodword.web.app import DemoInfo, create_app

CREDENTIALS_FILE = "demo-credentials.json"


def register(app: typer.Typer) -> None:
    app.command()(demo)


def demo(
    seed: Annotated[int, typer.Option(help="The same seed always builds the same shop.")] = 42,
    customers: Annotated[
        int, typer.Option(min=1, max=MAX_CUSTOMERS, help="How many customers; about 4 orders each.")
    ] = DEFAULT_CUSTOMERS,
    end: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"], help=f"Last day of the 18 months of history [default: {DEFAULT_LAST_DAY}]."
        ),
    ] = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    database: DatabaseOption = None,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the store once it is built.")
    ] = True,
) -> None:
    """Build a realistic demo tea shop from a seed (customers, ties, referrals, orders), then serve it.

    Running it again with the same options reuses the store it built and issues a fresh pair of API keys.
    """
    settings = load_settings(database)
    db = open_database(settings)
    started = time.monotonic()
    with _progress_display() as progress:
        summary = build_demo_store(
            db.unit_of_work,
            seed=seed,
            customers=customers,
            last_day=end.date() if end is not None else DEFAULT_LAST_DAY,
            progress=progress,
        )
    base_url = f"http://{_url_host(host)}:{port}"
    if (
        "public_base_url" not in settings.model_fields_set
    ):  # links in messages and share links reach this server
        settings = settings.model_copy(update={"public_base_url": base_url})
    credentials = write_credentials(credentials_path(settings), summary, base_url=base_url)
    _report(summary, base_url=base_url, credentials=credentials, seconds=time.monotonic() - started)
    if not serve:
        db.dispose()
        return
    info = DemoInfo(summary.store_name, summary.store_id, summary.customers, summary.orders, str(credentials))
    serve_with_worker(create_app(settings, database=db, demo=info), settings, db, host=host, port=port)


@contextmanager
def _progress_display() -> Iterator[ProgressCallback]:
    columns = (TextColumn("{task.description:>10}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as display:
        tasks: dict[str, TaskID] = {}

        def report(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = display.add_task(step, total=total)
            display.update(tasks[step], completed=done, total=total)

        yield report


def credentials_path(settings: Settings) -> Path:
    """Beside the SQLite file, so each demo database keeps its own keys; `var/` for a database server."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).parent / CREDENTIALS_FILE
    return DEFAULT_DATA_DIR / CREDENTIALS_FILE


def write_credentials(path: Path, summary: DemoSummary, *, base_url: str) -> Path:
    """Write the keys where only the owner can read them: the file is created with mode 0600, never wider."""
    path.parent.mkdir(parents=True, exist_ok=True)
    content = {
        "store_id": summary.store_id,
        "store_name": summary.store_name,
        "write_api_key": summary.write_key,
        "read_api_key": summary.read_key,
        "webhook_secret": summary.webhook_secret,
        "base_url": base_url,
    }
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # an older file keeps its mode through O_CREAT; narrow it before writing
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(content, file, indent=2)
        file.write("\n")
    return path


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 - listening everywhere; the URL still needs one address
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def _report(summary: DemoSummary, *, base_url: str, credentials: Path, seconds: float) -> None:
    what = "reused, built by an earlier run" if summary.reused else f"built in {seconds:.1f} s"
    console.print(f"Demo store [bold]{summary.store_name}[/bold] ({summary.store_id}): {what}.")
    console.print(
        f"  {summary.customers:,} customers, {summary.products} products, {summary.orders:,} orders, "
        f"{summary.ties:,} customer ties"
    )
    console.print(f"Home page: [bold]{base_url}/[/bold]  ·  API reference: {base_url}/docs")
    console.print(
        "The merchant dashboard is not built yet, so there is no dashboard login; until it arrives, the demo "
        "login is this pair of API keys (shown once, new on every run):"
    )
    console.print(f"  Write API key:  [bold]{summary.write_key}[/bold]")
    console.print(f"  Read API key:   [bold]{summary.read_key}[/bold]")
    console.print(f"  Webhook secret: [bold]{summary.webhook_secret}[/bold]")
    console.print(f"Saved to {credentials} (readable by you only). Try:")
    console.print(
        f"  curl -H 'Authorization: Bearer {summary.read_key}' '{base_url}/api/v1/customers?limit=5'",
        soft_wrap=True,
        highlight=False,
    )
    console.print(
        "It runs a referral program (GET /api/v1/referrals, GET /api/v1/customers/{id}/referral for a link, "
        "GET /api/v1/customers/{id}/rewards, GET /api/v1/members/{id}) and shows reviews without a key at "
        f"{base_url}/public/v1/stores/{summary.store_id}/rating",
        soft_wrap=True,
        highlight=False,
    )
