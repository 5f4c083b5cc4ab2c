"""Tables of the rewards domain. Every row carries `store_id`."""

from __future__ import annotations
