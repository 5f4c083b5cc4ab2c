"""Running an import: read, validate row by row, and write in chunks, each chunk its own unit of work.

A chunk is committed on its own so that a million-line file neither holds one huge transaction nor loses
everything to one bad row. Should a chunk still fail in the database, its inputs are written one at a time, so
only the inputs at fault are rejected.

Duplicates: the first record of an order, customer or product in the file is imported and a later one with the
same key is rejected, naming the line of the first. Keeping the first (rather than the last) makes a second
import of the same file change nothing, however the repeats fall across chunks; the price is one remembered
key per distinct item, a few dozen bytes each.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import BinaryIO

from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from goodword.errors import InvalidInput
from goodword.stores.imports.formats import ImportFormat, InputT, Item, Skipped, StoreFacts
from goodword.stores.imports.reading import CsvFile, Record
from goodword.stores.imports.report import ImportReport, Rejection
from goodword.stores.stores import get_store

UnitOfWork = Callable[[], AbstractContextManager[Session]]
# Called with the number of bytes read so far, after each chunk.
ProgressCallback = Callable[[int], None]
CHUNK_SIZE = 1000
# What a write can fail with because of the data in it; anything else (a lost connection) stops the import.
_DATA_ERRORS = (InvalidInput, IntegrityError, DataError)


def run_import(
    stream: BinaryIO,
    *,
    import_format: ImportFormat[InputT],
    store_id: str,
    unit_of_work: UnitOfWork,
    on_progress: ProgressCallback | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> ImportReport:
    """Import one CSV export, opened in binary mode, into the store.

    Raises:
        NotFound: no store has this id.
        MissingColumns: the file is empty or its header lacks a column the format needs.
    """
    with unit_of_work() as session:
        store = get_store(session, store_id=store_id)
        facts = StoreFacts(currency=store.default_currency, shop_url=store.shop_url)
    csv_file = CsvFile(stream, required=import_format.required, format_name=import_format.title)
    report = ImportReport()
    first_lines: dict[str, int] = {}
    chunk: list[Item[InputT]] = []
    source = f"csv:{import_format.name}"
    for parsed in import_format.parse(_records(csv_file, report), facts):
        if isinstance(parsed, Rejection):
            report.rejected.append(parsed)
        elif isinstance(parsed, Skipped):
            report.skipped += 1
        elif (first_line := first_lines.setdefault(parsed.key, parsed.line)) != parsed.line:
            report.rejected.append(Rejection(parsed.line, f"{parsed.key!r} repeats line {first_line}"))
        else:
            chunk.append(parsed)
            if len(chunk) >= chunk_size:
                _write_chunk(chunk, import_format, store_id, source, unit_of_work, report)
                chunk = []
                if on_progress is not None:
                    on_progress(csv_file.bytes_read)
    if chunk:
        _write_chunk(chunk, import_format, store_id, source, unit_of_work, report)
    if on_progress is not None:
        on_progress(csv_file.bytes_read)
    report.rejected.sort(key=lambda rejection: rejection.line)
    return report


def _records(csv_file: CsvFile, report: ImportReport) -> Iterator[Record]:
    for record in csv_file:
        report.rows_read += 1
        if isinstance(record, Rejection):
            report.rejected.append(record)
        else:
            yield record


def _write_chunk(
    chunk: Sequence[Item[InputT]],
    import_format: ImportFormat[InputT],
    store_id: str,
    source: str,
    unit_of_work: UnitOfWork,
    report: ImportReport,
) -> None:
    try:
        with unit_of_work() as session:
            outcomes = import_format.write(session, store_id, [item.value for item in chunk], source)
    except _DATA_ERRORS:
        _write_one_by_one(chunk, import_format, store_id, source, unit_of_work, report)
        return
    for outcome in outcomes:
        report.count(outcome.status)


def _write_one_by_one(
    items: Iterable[Item[InputT]],
    import_format: ImportFormat[InputT],
    store_id: str,
    source: str,
    unit_of_work: UnitOfWork,
    report: ImportReport,
) -> None:
    for item in items:
        try:
            with unit_of_work() as session:
                (outcome,) = import_format.write(session, store_id, [item.value], source)
        except _DATA_ERRORS as error:
            report.rejected.append(Rejection(item.line, _reason(error)))
        else:
            report.count(outcome.status)


def _reason(error: Exception) -> str:
    if isinstance(error, InvalidInput):
        return "; ".join([error.message, *(issue.message for issue in error.issues)])
    # The driver's first line names the constraint or value; the rest is SQL and parameters.
    return f"the database refused it: {str(getattr(error, 'orig', error)).splitlines()[0]}"
