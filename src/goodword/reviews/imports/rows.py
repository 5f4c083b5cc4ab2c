"""What every review export turns into, the cell readers the formats share, and `parse_rows`, which runs them.

Headers are matched loosely: `Review Score`, `review_score` and `REVIEW SCORE` are one column. A format's reader
gets `normalized(record.cells)`, whose keys are lower-case with runs of spaces, `_` and `-` made one `_`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Annotated, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from goodword.reviews.models import ReviewStatus
from goodword.stores.imports.cells import CellError, validation_reason
from goodword.stores.imports.formats import Item, Parsed
from goodword.stores.imports.reading import Record
from goodword.stores.imports.report import Rejection
from goodword.stores.inputs import Email

_SEPARATORS = re.compile(r"[\s_\-]+")
# Dates the exports write besides ISO 8601: Judge.me "2024-03-01 10:15:00 UTC", Yotpo "03/01/2024".
_OTHER_DATES = (
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%d.%m.%Y",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d",
)
_NAME_LENGTH = 200


class ImportedReview(BaseModel):
    """One review of an export, resolved to what goodword keeps; products and buyers are found when written."""

    model_config = ConfigDict(frozen=True)

    source: str  # "judgeme", "yotpo", "woocommerce": the review's `imported_from`
    external_id: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    # What may name the product, most specific first: each is tried as a SKU, the handle also as a URL path.
    product_refs: tuple[str, ...]
    product_handle: str | None = None
    rating: Annotated[int, Field(ge=1, le=5)]
    title: Annotated[str, StringConstraints(max_length=200)] | None = None
    body: Annotated[str, StringConstraints(max_length=20_000)]
    author_name: Annotated[str, StringConstraints(min_length=1, max_length=_NAME_LENGTH)]
    author_email: Email | None = None
    created_at: datetime
    status: ReviewStatus
    incentivized: bool = False
    reply: Annotated[str, StringConstraints(max_length=20_000)] | None = None
    reply_public: bool = True
    reply_at: datetime | None = None
    # What the export said that goodword keeps only as a record (its own "verified" flag, source, location).
    note: Annotated[str, StringConstraints(max_length=2000)] | None = None


class ImportedReply(BaseModel):
    """A merchant's reply exported as a row of its own (WooCommerce), naming its review by the source's id."""

    model_config = ConfigDict(frozen=True)

    source: str
    parent_external_id: str
    body: Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
    created_at: datetime


ImportedRow = ImportedReview | ImportedReply
RowT = TypeVar("RowT", bound=ImportedRow)


def parse_rows(
    records: Iterable[Record], *, read: Callable[[dict[str, str]], RowT], columns: Mapping[str, str]
) -> Iterator[Parsed[RowT]]:
    """Each record read by `read` from its normalized cells, or rejected with the reason led by its column.

    A review is keyed by its external id, a reply by `reply:` and its own id, to find repeats in a file.
    """
    for record in records:
        cells = normalized(record.cells)
        try:
            row = read(cells)
        except CellError as error:
            yield Rejection(record.line, str(error))
        except ValidationError as error:
            yield Rejection(record.line, validation_reason(error, columns))
        else:
            key = (
                row.external_id
                if isinstance(row, ImportedReview)
                else f"reply:{first(cells, 'comment_id', 'id')}"
            )
            yield Item(record.line, key, row)


def column_key(name: str) -> str:
    return _SEPARATORS.sub("_", name.strip().lower())


def normalized(cells: Mapping[str, str]) -> dict[str, str]:
    return {column_key(name): value for name, value in cells.items()}


def spellings(*names: str) -> tuple[str, ...]:
    """A required-column rule accepting each name as given, lower, upper or title case, with spaces or `_`."""
    found: list[str] = []
    for name in names:
        words = _SEPARATORS.split(name.strip())
        for joined in (" ".join(words), "_".join(words)):
            for variant in (joined, joined.lower(), joined.upper(), joined.title(), joined.capitalize()):
                if variant not in found:
                    found.append(variant)
    return tuple(found)


def first(cells: Mapping[str, str], *keys: str) -> str | None:
    """The first non-blank cell among `keys` (normalized names), stripped."""
    for key in keys:
        value = cells.get(key, "").strip()
        if value:
            return value
    return None


def first_key(cells: Mapping[str, str], *keys: str) -> str:
    """The first of `keys` the row has, to name in an error; the first key when it has none."""
    return next((key for key in keys if key in cells), keys[0])


def rating(cells: Mapping[str, str], *keys: str) -> int:
    value = first(cells, *keys) or ""
    column = first_key(cells, *keys)
    try:
        number = float(value)
    except ValueError:
        raise CellError(f"{column}: {value!r} is not a rating from 1 to 5") from None
    if not number.is_integer() or not 1 <= number <= 5:
        raise CellError(f"{column}: {value!r} is not a rating from 1 to 5")
    return int(number)


def review_moment(cells: Mapping[str, str], *keys: str) -> datetime | None:
    """A date as the exports write it, in UTC; one without an offset is taken as UTC."""
    value = first(cells, *keys)
    if value is None:
        return None
    cleaned = value.removesuffix(" UTC").removesuffix("Z").strip()
    # "2024-03-01 10:15:00 +0100": fromisoformat takes no space before the offset.
    if len(cleaned) > 20 and cleaned[19] == " ":
        cleaned = cleaned[:19] + cleaned[20:]
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(cleaned)
    except ValueError:
        for pattern in _OTHER_DATES:
            try:
                parsed = datetime.strptime(cleaned, pattern)
                break
            except ValueError:
                continue
    if parsed is None:
        column = first_key(cells, *keys)
        raise CellError(f"{column}: {value!r} is not a date such as '2024-03-01 10:15:00 UTC'")
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def required_moment(cells: Mapping[str, str], *keys: str) -> datetime:
    found = review_moment(cells, *keys)
    if found is None:
        raise CellError(f"{first_key(cells, *keys)}: is empty")
    return found


def author_name(cells: Mapping[str, str], *keys: str) -> str:
    return (first(cells, *keys) or "A customer")[:_NAME_LENGTH]


def content_id(*parts: str | None) -> str:
    """A stable id for a review its export gives none: the same row always hashes the same."""
    joined = "\x1f".join(part or "" for part in parts)
    return "sha256:" + hashlib.sha256(joined.encode()).hexdigest()[:40]


def record_note(**facts: str | None) -> str | None:
    """'verified: yes; source: web' for the facts an export gives that goodword does not act on."""
    kept = [f"{name.replace('_', ' ')}: {value}" for name, value in facts.items() if value]
    return "; ".join(kept)[:2000] or None
