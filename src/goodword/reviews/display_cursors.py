"""Opaque cursors for keyset pages of published reviews and questions: the sort, its key and the last id.

A page continues strictly after the last row shown, on the same `(key, id)` order the index holds, so a page
costs the same at any depth and a review published meanwhile never shifts what the next page shows.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime

from goodword.clock import as_utc
from goodword.errors import FieldIssue, InvalidInput

CursorKey = int | datetime


def encode_cursor(order: str, key: CursorKey, last_id: int) -> str:
    value: int | str = key.isoformat() if isinstance(key, datetime) else key
    text = json.dumps([order, value, last_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, *, order: str, dated: bool) -> tuple[CursorKey, int]:
    """The (key, id) after which the page resumes; `dated` says whether the key is a moment or a count.

    Raises:
        InvalidInput: the cursor was not made by `encode_cursor` for this order.
    """
    try:
        found_order, value, last_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if found_order == order and type(last_id) is int and 0 < last_id < 2**63:
            if dated and isinstance(value, str):
                return as_utc(datetime.fromisoformat(value)), last_id
            if not dated and type(value) is int and 0 <= value < 2**31:
                return value, last_id
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError):
        pass
    raise InvalidInput(
        "the cursor is not one this endpoint returned for this sort order",
        [FieldIssue("cursor", f"bad cursor {cursor!r}")],
    )
