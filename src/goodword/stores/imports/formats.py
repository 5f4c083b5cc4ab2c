"""An import format: the columns it needs, how its records become inputs, and how those are written."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy.orm import Session

from goodword.stores.imports.reading import ColumnRule, Record
from goodword.stores.imports.report import Rejection
from goodword.stores.upserts import UpsertOutcome

# What one format's records become: an OrderIn, a CustomerIn, a ProductIn, or another domain's input (reviews).
InputT = TypeVar("InputT")


@dataclass(frozen=True, slots=True)
class StoreFacts:
    """What a parser needs to know of the store: exports often leave out the currency and the shop's URL."""

    currency: str
    shop_url: str | None


@dataclass(frozen=True, slots=True)
class Item(Generic[InputT]):
    """A validated input and the line it starts on; `key` (external id or SKU) names it to find repeats."""

    line: int
    key: str
    value: InputT


@dataclass(frozen=True, slots=True)
class Skipped:
    """A record with nothing to import and nothing wrong, such as a Shopify product's extra image row."""

    line: int


Parsed = Item[InputT] | Rejection | Skipped
Parser = Callable[[Iterable[Record], StoreFacts], Iterator[Parsed[InputT]]]
# Writes one chunk in the caller's unit of work; returns one outcome per input, in order.
Writer = Callable[[Session, str, Sequence[InputT], str], list[UpsertOutcome]]


@dataclass(frozen=True)
class ImportFormat(Generic[InputT]):
    name: str
    title: str
    required: tuple[ColumnRule, ...]
    parse: Parser[InputT]
    write: Writer[InputT]
