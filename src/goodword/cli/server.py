"""`goodword serve` and `goodword migrate`."""

from __future__ import annotations

import os
from contextlib import nullcontext
from typing import Annotated

import typer
import uvicorn
import uvicorn.supervisors

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
    processes: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="Server processes. More than one pays off on PostgreSQL; SQLite has one writer at a time.",
        ),
    ] = 1,
) -> None:
    """Apply migrations, then serve the API and pages until SIGINT or SIGTERM (in-flight requests finish).

    Unless told otherwise, an outbox worker runs beside the server and finishes its batch before exit.
    """
    settings = load_settings(database)
    db = open_database(settings)
    if processes == 1:
        app: object = create_app(settings, database=db)
    else:
        # Each server process builds its own app from the environment, so the URL given here must be there too.
        os.environ["GOODWORD_DATABASE_URL"] = settings.database_url
        app = "goodword.web.asgi:app_from_environment"
    serve_with_worker(app, settings, db, host=host, port=port, worker=worker, processes=processes)


def serve_with_worker(
    app: object,
    settings: Settings,
    db: Database,
    *,
    host: str,
    port: int,
    worker: bool = True,
    processes: int = 1,
) -> None:
    """Serve until stopped, with the embedded outbox worker unless turned off; then close the database.

    `app` is an application, or with several processes the import string of a factory that builds one.
    """
    outbox = embedded_worker(settings, db) if worker and settings.embedded_worker else nullcontext()
    try:
        with outbox:
            run_server(app, host=host, port=port, processes=processes)
    finally:
        db.dispose()


def run_server(app: object, *, host: str, port: int, processes: int = 1) -> None:
    config = uvicorn.Config(
        app,  # type: ignore[arg-type]
        host=host,
        port=port,
        workers=processes,
        factory=processes > 1,
        access_log=False,  # our middleware logs each request with its request id
        log_config=None,
        timeout_graceful_shutdown=30,
    )
    if processes > 1:
        # uvicorn's supervisor starts, watches and stops the worker processes, each serving the socket.
        sock = config.bind_socket()
        uvicorn.supervisors.Multiprocess(config, sockets=[sock]).run()
    else:
        uvicorn.Server(config).run()


def migrate(database: DatabaseOption = None) -> None:
    """Bring the database schema up to date."""
    settings = load_settings(database)
    open_database(settings).dispose()
    console.print("[green]Database is up to date.[/green]")


__all__ = ["DatabaseOption", "DemoInfo", "run_server", "serve_with_worker"]
