"""Helpers shared by the import tests: run an import inside the test's rolled-back session."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from goodword.stores.imports.formats import ImportFormat
from goodword.stores.imports.registry import FORMATS
from goodword.stores.imports.report import ImportReport
from goodword.stores.imports.runner import run_import

DATA = Path(__file__).parent.parent / "data"


def savepoints(session: Session) -> Any:
    """A unit-of-work factory whose every unit is a savepoint, so the test's rollback undoes the import."""

    @contextmanager
    def unit_of_work() -> Iterator[Session]:
        with session.begin_nested():
            yield session

    return unit_of_work


def import_bytes(
    session: Session, store_id: str, format_name: str, content: bytes, *, chunk_size: int = 1000,
    import_format: ImportFormat[Any] | None = None,
) -> ImportReport:  # fmt: skip
    return run_import(
        io.BytesIO(content),
        import_format=import_format or FORMATS[format_name],
        store_id=store_id,
        unit_of_work=savepoints(session),
        chunk_size=chunk_size,
    )


def import_file(session: Session, store_id: str, format_name: str, name: str) -> ImportReport:
    return import_bytes(session, store_id, format_name, (DATA / name).read_bytes())


def rejected_lines(report: ImportReport) -> list[int]:
    return [rejection.line for rejection in report.rejected]
