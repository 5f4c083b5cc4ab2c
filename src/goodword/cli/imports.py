"""`goodword import <format> FILE --store ST_ID`: CSV exports from Shopify, WooCommerce, Judge.me and Yotpo."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from goodword.cli.context import console, errors, load_settings, open_database
from goodword.cli.server import DatabaseOption
from goodword.errors import NotFound
from goodword.reviews.imports.registry import REVIEW_FORMATS
from goodword.stores.imports.reading import MissingColumns
from goodword.stores.imports.registry import FORMATS
from goodword.stores.imports.report import ImportReport
from goodword.stores.imports.runner import run_import

FileArgument = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="The exported CSV file.")
]
StoreOption = Annotated[str, typer.Option("--store", help="The store id (st_…) to import into.")]
ReportOption = Annotated[
    Path | None, typer.Option("--report", help="Write the rejected rows here as CSV (line, reason).")
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print the summary as JSON, without a progress bar.")]
# Rejected rows shown on the terminal; the --report file has them all.
_SHOWN_REJECTIONS = 20
# Review exports (Judge.me, Yotpo, WooCommerce reviews) run on the same machinery as the store's own data.
_ALL_FORMATS = {**FORMATS, **REVIEW_FORMATS}


def register(app: typer.Typer) -> None:
    imports = typer.Typer(
        help="Import customers, products, orders and reviews from CSV exports (see docs/imports.md)."
    )
    for name, import_format in _ALL_FORMATS.items():
        imports.command(name, help=f"Import a {import_format.title} (see docs/imports.md).")(
            _command_for(name)
        )
    app.add_typer(imports, name="import")


def _command_for(format_name: str) -> Callable[..., None]:
    def command(
        file: FileArgument,
        store: StoreOption,
        report: ReportOption = None,
        as_json: JsonFlag = False,
        database: DatabaseOption = None,
    ) -> None:
        result = _import(format_name, file, store_id=store, database_url=database, show_progress=not as_json)
        if report is not None:
            _write_rejections(result, report)
        if as_json:
            print(json.dumps(result.summary()))  # plain stdout for scripts
        else:
            _print_report(result)

    return command


def _import(
    format_name: str, file: Path, *, store_id: str, database_url: str | None, show_progress: bool
) -> ImportReport:
    db = open_database(load_settings(database_url))
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=errors,
        disable=not show_progress,
    )
    try:
        with file.open("rb") as stream, progress:
            task = progress.add_task(f"Importing {file.name}", total=file.stat().st_size)
            return run_import(
                stream,
                import_format=_ALL_FORMATS[format_name],
                store_id=store_id,
                unit_of_work=db.unit_of_work,
                on_progress=lambda done: progress.update(task, completed=done),
            )
    except MissingColumns as error:
        errors.print(f"[red]{file}: {error}[/red]")
        raise typer.Exit(2) from None
    except NotFound as error:
        errors.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from None
    finally:
        db.dispose()


def _write_rejections(result: ImportReport, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["line", "reason"])
        writer.writerows((rejection.line, rejection.reason) for rejection in result.rejected)


def _print_report(result: ImportReport) -> None:
    summary = Table(show_header=False, box=None)
    for label, count in result.summary().items():
        summary.add_row(label.replace("_", " "), str(count))
    console.print(summary)
    if result.rejected:
        rejected = Table("line", "reason", title="Rejected rows")
        for rejection in result.rejected[:_SHOWN_REJECTIONS]:
            rejected.add_row(str(rejection.line), rejection.reason)
        console.print(rejected)
        if len(result.rejected) > _SHOWN_REJECTIONS:
            console.print(f"… and {len(result.rejected) - _SHOWN_REJECTIONS} more; --report writes them all.")
