"""Tables of the reviews domain. Every row carries `store_id`."""

from __future__ import annotations
