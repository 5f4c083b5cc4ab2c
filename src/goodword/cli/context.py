"""What every command needs: settings from the environment, a database, and a console."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from goodword.config import Settings
from goodword.db.migrate import upgrade_to_head
from goodword.db.session import Database
from goodword.logs import configure_logging

console = Console()
errors = Console(stderr=True)

DatabaseOption = Annotated[
    str | None, typer.Option("--database", envvar="GOODWORD_DATABASE_URL", help="SQLAlchemy or libpq URL.")
]


def load_settings(database_url: str | None = None) -> Settings:
    settings = Settings() if database_url is None else Settings(database_url=database_url)
    configure_logging(log_format=settings.log_format, level=settings.log_level)
    return settings


def open_database(settings: Settings, *, migrate: bool = True) -> Database:
    database = Database(settings)
    if migrate:
        upgrade_to_head(database.engine)
    return database
