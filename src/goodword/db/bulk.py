"""INSERTs of many rows at once, shaped so each backend runs them fast.

PostgreSQL receives one array per column and unnests them server-side: the statement stays a few hundred
bytes whatever the row count, where a multi-row VALUES list of 1,000 rows costs more to build and parse
than to execute. SQLite gets a plain executemany, which its C driver handles well.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import BigInteger, Boolean, DateTime, Integer, Table, Text, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine


def insert_for(session: Session, table: Table) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def bulk_insert(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> tuple[Any, Any]:
    """A dialect INSERT (with `on_conflict_*` available) and the parameters to execute it with.

    Every row must have the same keys. Execute as `session.execute(statement, parameters)`.
    """
    if session.get_bind().dialect.name != "postgresql":
        return insert_for(session, table), list(rows)
    columns = list(rows[0])
    arrays = [
        bindparam(f"bulk_{name}", [row[name] for row in rows], postgresql.ARRAY(_element_type(table, name)))
        for name in columns
    ]  # fmt: skip
    source = select(func.unnest(*arrays).table_valued(*columns).render_derived())
    return postgresql.insert(table).from_select(columns, source), {}


def _element_type(table: Table, name: str) -> TypeEngine[Any]:
    column_type = table.c[name].type
    if isinstance(column_type, Boolean):
        return Boolean()
    if isinstance(column_type, Integer):
        return BigInteger()
    if isinstance(getattr(column_type, "impl", column_type), DateTime):
        return DateTime(timezone=True)
    return Text()


def insert_many(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Plain INSERT of many rows (no conflict handling, nothing returned), by the cheapest route each has.

    On SQLite the rows go straight to the driver's executemany as tuples, with each column's bind
    processor applied once per value: SQLAlchemy's generic executemany spends more time building
    per-row parameter dicts than SQLite spends inserting them.
    """
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(*bulk_insert(session, table, rows))
        return
    _sqlite_executemany(session, table, rows, columns=list(rows[0]), where_id=False)


def update_many(
    session: Session, table: Table, rows: Sequence[dict[str, Any]], columns: Sequence[str]
) -> None:
    """UPDATE `columns` of many rows found by their `id`, on SQLite (the driver's executemany, as above)."""
    if rows:
        _sqlite_executemany(session, table, rows, columns=[*columns, "id"], where_id=True)


def _processed(value: tuple[Any, ...], processed: list[tuple[int, Any]]) -> tuple[Any, ...]:
    cells = list(value)
    for i, process in processed:
        cells[i] = process(cells[i])
    return tuple(cells)


def _sqlite_executemany(
    session: Session, table: Table, rows: Sequence[dict[str, Any]], *, columns: list[str], where_id: bool
) -> None:
    connection = session.connection()
    quote = connection.dialect.identifier_preparer.quote
    processors = [table.c[name].type._cached_bind_processor(connection.dialect) for name in columns]
    if where_id:  # names come from the table, never from input
        assignments = ", ".join(f"{quote(name)} = ?" for name in columns[:-1])
        sql = f"UPDATE {table.name} SET {assignments} WHERE id = ?"  # noqa: S608
    else:
        names = ", ".join(quote(name) for name in columns)
        sql = f"INSERT INTO {table.name} ({names}) VALUES ({', '.join('?' * len(columns))})"  # noqa: S608
    # itemgetter builds each tuple in C; only the few columns with a bind processor (datetimes, enums) are
    # touched in Python.
    take = itemgetter(*columns)
    processed = [(i, process) for i, process in enumerate(processors) if process is not None]
    values = [take(row) for row in rows] if len(columns) > 1 else [(take(row),) for row in rows]
    if processed:
        values = [_processed(value, processed) for value in values]
    connection.exec_driver_sql(sql, values)
