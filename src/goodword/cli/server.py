"""`goodword serve` and `goodword migrate`."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Annotated

import typer
import uvicorn

from goodword.cli.context import DatabaseOption, console, load_settings, open_database
from goodword.cli.worker import embedded_worker
from goodword.config import Settings
from goodword.db.session import Database
from goodword.web.app import DemoInfo, create_app


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.command()(migrate)


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    database: DatabaseOption = None,
    worker: Annotated[
        bool,
        typer.Option(
            "--worker/--no-worker",
            help="Deliver the outbox in this process (GOODWORD_EMBEDDED_WORKER=false turns it off too); "
            "turn it off when `goodword worker` processes run instead.",
        ),
    ] = True,
) -> None:
    """Apply migrations, then serve the API and pages until SIGINT or SIGTERM (in-flight requests finish).

    Unless told otherwise, an outbox worker runs beside the server and finishes its batch before exit.
    """
    settings = load_settings(database)
    db = open_database(settings)
    serve_with_worker(create_app(settings, database=db), settings, db, host=host, port=port, worker=worker)


def serve_with_worker(
    app: object, settings: Settings, db: Database, *, host: str, port: int, worker: bool = True
) -> None:
    """Serve until stopped, with the embedded outbox worker unless turned off; then close the database."""
    outbox = embedded_worker(settings, db) if worker and settings.embedded_worker else nullcontext()
    try:
        with outbox:
            run_server(app, host=host, port=port)
    finally:
        db.dispose()


def run_server(app: object, *, host: str, port: int) -> None:
    config = uvicorn.Config(
        app,  # type: ignore[arg-type]
        host=host,
        port=port,
        access_log=False,  # our middleware logs each request with its request id
        log_config=None,
        timeout_graceful_shutdown=30,
    )
    uvicorn.Server(config).run()


def migrate(database: DatabaseOption = None) -> None:
    """Bring the database schema up to date."""
    settings = load_settings(database)
    open_database(settings).dispose()
    console.print("[green]Database is up to date.[/green]")


__all__ = ["DatabaseOption", "DemoInfo", "run_server", "serve_with_worker"]
