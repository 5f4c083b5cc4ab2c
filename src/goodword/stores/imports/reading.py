"""Streaming a CSV export into numbered records, one at a time, so a file of any size reads in bounded memory.

Line numbers are physical lines in the file, 1-based and counting the header, and a record carries the line it
starts on, so a quoted field that spans lines does not shift the numbers after it. A UTF-8 byte-order mark is
dropped. Bytes that are not UTF-8 reject the record they fall in (decoding is per line, with errors="replace"
only to keep the record boundaries intact). Blank lines and rows of empty cells are passed over.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import BinaryIO

from goodword.errors import InvalidInput
from goodword.stores.imports.report import Rejection

# A column rule is one header name, or a tuple of names of which any one will do (an older export's spelling).
ColumnRule = str | tuple[str, ...]


@dataclass
class MissingColumns(InvalidInput):
    """The header lacks columns the format needs; nothing is imported."""

    code: str = "missing_columns"


@dataclass(frozen=True, slots=True)
class Record:
    line: int
    cells: dict[str, str]


class CsvFile:
    """The records of one CSV file after its header, each a `Record` or, if unreadable, a `Rejection`.

    Raises (on construction):
        MissingColumns: the file is empty or its header lacks a required column.
    """

    def __init__(self, stream: BinaryIO, *, required: Sequence[ColumnRule], format_name: str) -> None:
        self.bytes_read = 0
        self._stream = stream
        self._physical_line = 0
        # Physical lines holding bytes we refuse, with why; consumed as the records holding them pass.
        self._bad_lines: list[tuple[int, str]] = []
        self._reader = csv.reader(self._lines())
        self.header = self._read_header(required, format_name)

    def _lines(self) -> Iterator[str]:
        for raw in self._stream:
            self.bytes_read += len(raw)
            self._physical_line += 1
            if self._physical_line == 1:
                raw = raw.removeprefix(codecs.BOM_UTF8)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                byte = raw[error.start : error.start + 1].hex().upper()
                self._bad_lines.append(
                    (self._physical_line, f"byte 0x{byte} is not UTF-8; save the file as UTF-8 and retry")
                )
                text = raw.decode("utf-8", errors="replace")
            if "\x00" in text:
                self._bad_lines.append((self._physical_line, "contains a NUL byte"))
            yield text

    def _read_header(self, required: Sequence[ColumnRule], format_name: str) -> list[str]:
        header: list[str] = []
        while not any(header):
            try:
                header = [name.strip() for name in next(self._reader)]
            except StopIteration:
                raise MissingColumns(f"the file is empty; expected the header of a {format_name}") from None
            except csv.Error as error:
                raise MissingColumns(f"the header is not readable as CSV: {error}") from None
        present = set(header)
        missing = [rule for rule in required if not any(name in present for name in _names(rule))]
        if missing:
            wanted = ", ".join(" or ".join(repr(name) for name in _names(rule)) for rule in missing)
            raise MissingColumns(f"the file lacks the columns {wanted} that a {format_name} has")
        return header

    def __iter__(self) -> Iterator[Record | Rejection]:
        header, width, reader = self.header, len(self.header), self._reader
        previous_end = reader.line_num
        while True:
            start = previous_end + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                previous_end = reader.line_num
                yield Rejection(start, f"not readable as CSV: {error}")
                continue
            previous_end = end = reader.line_num
            if self._bad_lines and self._bad_lines[0][0] <= end:
                reason = self._take_bad_lines(start, end)
                if reason is not None:
                    yield Rejection(start, reason)
                    continue
            if not any(cells):
                continue
            if len(cells) != width:
                yield Rejection(start, f"has {len(cells)} cells where the header has {width}")
                continue
            yield Record(start, dict(zip(header, cells, strict=True)))

    def _take_bad_lines(self, start: int, end: int) -> str | None:
        reasons = []
        while self._bad_lines and self._bad_lines[0][0] <= end:
            line, reason = self._bad_lines.pop(0)
            if line >= start:
                reasons.append(f"line {line}: {reason}")
        return "; ".join(reasons) or None


def _names(rule: ColumnRule) -> tuple[str, ...]:
    return (rule,) if isinstance(rule, str) else rule
