"""Reading one typed value out of a CSV cell, with an error that names the column and quotes the cell.

Dates without an offset (WooCommerce writes shop-local times without one) are taken as UTC; every date is
returned in UTC so the same file always yields the same inputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from pydantic import ValidationError

from goodword.money import minor_unit_exponent, parse_amount

_YES = frozenset({"yes", "true", "1", "y", "subscribed"})
_NO = frozenset({"", "no", "false", "0", "n", "not_subscribed", "unsubscribed", "pending", "invalid"})
_SCALE = (1, 10, 100, 1000)  # 10 ** minor-unit exponent


class CellError(ValueError):
    """A cell that cannot be read as what its column holds; the message is the reason a row is rejected."""


def text(cells: Mapping[str, str], column: str) -> str | None:
    value = cells.get(column, "").strip()
    return value or None


def amount(cells: Mapping[str, str], column: str, currency: str) -> int | None:
    value = cells.get(column, "").strip()
    if not value:
        return None
    try:
        return _plain_amount(value, currency) or parse_amount(value, currency)
    except ValueError as error:
        raise CellError(f"{column}: {error}") from None


def _plain_amount(value: str, currency: str) -> int | None:
    """'1,299.90' without a Decimal: amounts are most of a big orders file's cells. None when not plain
    (a sign, an exponent, too many decimals, or zero), for `parse_amount` to settle and word the error."""
    exponent = minor_unit_exponent(currency)
    whole, _, fraction = value.replace(",", "").partition(".")
    if not (
        whole.isascii() and whole.isdigit() and (not fraction or (fraction.isascii() and fraction.isdigit()))
    ):
        return None
    if len(fraction) > exponent:
        return None
    return int(whole) * _SCALE[exponent] + int(fraction.ljust(exponent, "0") or "0")


def moment(cells: Mapping[str, str], column: str) -> datetime | None:
    """'2024-03-01 10:15:00 +0100' (Shopify), '2024-03-01 10:15:00' (WooCommerce, taken as UTC), ISO 8601."""
    value = cells.get(column, "").strip()
    if not value:
        return None
    # Shopify puts a space before the offset, which fromisoformat does not take.
    cleaned = value[:19] + value[20:] if len(value) > 20 and value[19] == " " else value
    try:
        parsed = datetime.fromisoformat(cleaned)
    except ValueError:
        raise CellError(f"{column}: {value!r} is not a date such as '2024-03-01 10:15:00 +0100'") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def yes_or_no(cells: Mapping[str, str], column: str) -> bool:
    value = cells.get(column, "").strip().lower()
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise CellError(f"{column}: {cells[column]!r} is neither yes nor no")


def whole_number(value: str, column: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise CellError(f"{column}: {value!r} is not a whole number") from None


def validation_reason(error: ValidationError, columns: Mapping[str, str]) -> str:
    """The pydantic errors as one line, each led by its CSV column (`columns` maps dotted field paths)."""
    parts = []
    for issue in error.errors(include_url=False):
        # List positions become "*" so a line item's field maps to its one column.
        path = ".".join("*" if isinstance(part, int) else str(part) for part in issue["loc"])
        column = columns.get(path, path) or "row"
        message = issue["msg"].removeprefix("Value error, ")
        parts.append(f"{column}: {message}")
    return "; ".join(parts)
