"""The `goodword` command: one Typer app, one module per command group."""

from __future__ import annotations

import typer

from goodword.cli import admin, demo, imports, server, worker

app = typer.Typer(
    name="goodword",
    help="Goodword, the self-hosted word-of-mouth engine for online stores.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
server.register(app)
admin.register(app)
demo.register(app)
imports.register(app)
worker.register(app)


def main() -> None:
    app()
