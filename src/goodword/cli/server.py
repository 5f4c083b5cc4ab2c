"""`goodword serve` and `goodword migrate`."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from goodword.cli.context import console, load_settings, open_database
from goodword.web.app import DemoInfo, create_app

DatabaseOption = Annotated[
    str | None, typer.Option("--database", envvar="GOODWORD_DATABASE_URL", help="SQLAlchemy or libpq URL.")
]


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.command()(migrate)


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    database: DatabaseOption = None,
) -> None:
    """Apply migrations, then serve the API and pages until SIGINT or SIGTERM (in-flight requests finish)."""
    settings = load_settings(database)
    run_server(create_app(settings, database=open_database(settings)), host=host, port=port)


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


__all__ = ["DemoInfo", "run_server"]
