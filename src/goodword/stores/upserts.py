"""Batch upsert by natural key, shared by customers, products and orders.

Each row carries a `content_hash` of what was sent. A row whose hash is unchanged is left alone, so a retried
request or a re-imported file changes nothing; `ON CONFLICT` settles races between concurrent writers.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, Table, literal_column, select
from sqlalchemy.orm import Session

from goodword.db.bulk import bulk_insert, insert_many, update_many
from goodword.errors import FieldIssue, InvalidInput


class UpsertStatus(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class UpsertOutcome:
    key: str
    id: int
    status: UpsertStatus


@dataclass(frozen=True, slots=True)
class ExistingRow:
    id: int
    content_hash: str
    values: dict[str, Any]


def reject_duplicate_keys(keys: Sequence[str], *, field: str, collection: str = "items") -> None:
    """A batch that names the same thing twice is ambiguous; say which positions clash.

    Raises:
        InvalidInput: a key appears more than once.
    """
    first_seen: dict[str, int] = {}
    issues = []
    for index, key in enumerate(keys):
        if key in first_seen:
            issues.append(
                FieldIssue(
                    f"{collection}.{index}.{field}",
                    f"{key!r} appears again; it was first given at index {first_seen[key]}",
                    "duplicate",
                )
            )
        else:
            first_seen.setdefault(key, index)
    if issues:
        raise InvalidInput(f"the batch names the same {field} more than once", issues)


def find_existing(
    session: Session,
    table: Table,
    *,
    store_id: str,
    key_column: str,
    keys: Sequence[str],
    extra: Sequence[str] = (),
) -> dict[str, ExistingRow]:
    key = table.c[key_column]
    extra_columns = [table.c[name] for name in extra]
    rows = session.execute(
        select(key, table.c.id, table.c.content_hash, *extra_columns).where(
            table.c.store_id == store_id, key.in_(keys)
        )
    )
    return {
        row[0]: ExistingRow(id=row[1], content_hash=row[2], values=dict(zip(extra, row[3:], strict=True)))
        for row in rows
    }


def upsert_rows(
    session: Session,
    table: Table,
    *,
    store_id: str,
    key_column: str,
    rows: Sequence[dict[str, Any]],
    existing: dict[str, ExistingRow],
    keep_on_update: Sequence[str] = ("created_at",),
) -> list[UpsertOutcome]:
    """Insert new rows and update changed ones; `rows` hold every column but `id`, including `store_id`.

    Returns one outcome per row, in the order given.
    """
    to_write = [row for row in rows if _changed(existing.get(row[key_column]), row)]
    written: dict[str, tuple[int, bool | None]] = {}
    if to_write and session.get_bind().dialect.name == "sqlite":
        written = _write_with_the_lock_held(
            session, table, store_id=store_id, key_column=key_column, rows=to_write, existing=existing,
            keep_on_update=keep_on_update,
        )  # fmt: skip
    elif to_write:
        statement, parameters = bulk_insert(session, table, to_write)
        update_columns = {
            name: statement.excluded[name]
            for name in to_write[0]
            if name not in (key_column, "store_id", "id", *keep_on_update)
        }
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.store_id, table.c[key_column]],
            set_=update_columns,
            where=table.c.content_hash != statement.excluded.content_hash,
        ).returning(table.c[key_column], table.c.id, literal_column("(xmax = 0)", Boolean))
        written = {
            key: (row_id, inserted) for key, row_id, inserted in session.execute(statement, parameters)
        }
    outcomes = []
    for row in rows:
        key = row[key_column]
        before = existing.get(key)
        if key in written:
            row_id, inserted = written[key]
            created = inserted if inserted is not None else before is None
            outcomes.append(
                UpsertOutcome(key, row_id, UpsertStatus.CREATED if created else UpsertStatus.UPDATED)
            )
        elif before is not None:
            outcomes.append(UpsertOutcome(key, before.id, UpsertStatus.UNCHANGED))
        else:
            # A concurrent writer inserted the identical row between our read and our write.
            row_id = session.execute(
                select(table.c.id).where(table.c.store_id == store_id, table.c[key_column] == key)
            ).scalar_one()
            outcomes.append(UpsertOutcome(key, row_id, UpsertStatus.UNCHANGED))
    return outcomes


def _write_with_the_lock_held(
    session: Session,
    table: Table,
    *,
    store_id: str,
    key_column: str,
    rows: Sequence[dict[str, Any]],
    existing: dict[str, ExistingRow],
    keep_on_update: Sequence[str],
) -> dict[str, tuple[int, bool | None]]:
    """SQLite's write path: plain INSERTs for new rows and UPDATEs by id for changed ones.

    Writers hold SQLite's one write lock from BEGIN IMMEDIATE (see db/session.py), so what `existing` says
    was read in this same transaction and is still true: no conflict can arise, and skipping ON CONFLICT
    and RETURNING lets the rows go to the driver's executemany in bulk. (PostgreSQL has concurrent writers
    and takes the upsert above, where the row itself says whether it was inserted: xmax = 0.)
    """
    new = [row for row in rows if row[key_column] not in existing]
    changed = [row for row in rows if row[key_column] in existing]
    insert_many(session, table, new)
    if changed:
        columns = [name for name in changed[0] if name not in (key_column, "store_id", "id", *keep_on_update)]
        update_many(session, table, [{**row, "id": existing[row[key_column]].id} for row in changed], columns)
    written: dict[str, tuple[int, bool | None]] = {
        row[key_column]: (existing[row[key_column]].id, False) for row in changed
    }
    if new:
        found = session.execute(
            select(table.c[key_column], table.c.id).where(
                table.c.store_id == store_id, table.c[key_column].in_([row[key_column] for row in new])
            )
        )
        written |= {key: (row_id, True) for key, row_id in found}
    return written


def _changed(before: ExistingRow | None, row: dict[str, Any]) -> bool:
    return before is None or before.content_hash != row["content_hash"]
