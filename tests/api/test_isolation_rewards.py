"""Two stores, every rewards endpoint: one store's key never reads, changes or reveals another's rows.

`CASES` is keyed by (method, path) like `test_isolation.CASES`; that module checks every documented endpoint has one.
"""

from collections.abc import Callable
from typing import Any

CASES: dict[tuple[str, str], Callable[..., Any]] = {}
