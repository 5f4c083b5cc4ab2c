"""Per-client rate limits for public endpoints (referral links, review widgets, forms).

A sliding-window counter per (limit name, client address), kept in the process: it needs no server, which
suits the embedded deployment; with several server processes each enforces the limit on its own share of the
traffic, so the effective limit is at most `processes` times the configured one.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from fastapi import Request

from goodword.errors import TooManyRequests

# Bounded so an attacker cycling through addresses cannot grow the table without end; the least recently seen
# clients are forgotten first (a forgotten client starts a fresh window, which only ever favours the client).
_MAX_CLIENTS = 100_000


class SlidingWindowLimiter:
    """At most `limit` hits per `window_seconds` per key, counted over a sliding window of two fixed ones."""

    def __init__(
        self, *, limit: int, window_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if limit < 1 or window_seconds <= 0:
            raise ValueError(
                f"a rate limit needs limit >= 1 and window > 0, got {limit} per {window_seconds}s"
            )
        self.limit = limit
        self.window_seconds = window_seconds
        self._clock = clock
        self._lock = threading.Lock()
        # key → (start of the current fixed window, hits in it, hits in the previous window)
        self._windows: OrderedDict[str, tuple[float, int, int]] = OrderedDict()

    def hit(self, key: str) -> float | None:
        """Count one hit; None when allowed, else the seconds until the key may try again."""
        now = self._clock()
        with self._lock:
            start, current, previous = self._windows.pop(key, (now, 0, 0))
            elapsed = now - start
            if elapsed >= 2 * self.window_seconds:
                start, current, previous = now, 0, 0
            elif elapsed >= self.window_seconds:
                start, current, previous = start + self.window_seconds, 0, current
            weight = 1 - (now - start) / self.window_seconds
            if current + previous * weight + 1 > self.limit:
                self._windows[key] = (start, current, previous)
                return max(start + self.window_seconds - now, 1.0)
            self._windows[key] = (start, current + 1, previous)
            if len(self._windows) > _MAX_CLIENTS:
                self._windows.popitem(last=False)
            return None


def client_address(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


def enforce(limiter: SlidingWindowLimiter, request: Request, *, what: str) -> None:
    """Count this request against its client's allowance.

    Raises:
        TooManyRequests: the client went over the limit.
    """
    wait = limiter.hit(client_address(request))
    if wait is not None:
        raise TooManyRequests(
            f"too many {what} from this address: at most {limiter.limit} per {limiter.window_seconds:g} s",
            retry_after_seconds=math.ceil(wait),
        )


def limiter_for(request: Request, name: str, *, limit: int, window_seconds: float) -> SlidingWindowLimiter:
    """The app's limiter called `name`, made on first use: each app (and each test's app) counts on its own."""
    limiters: dict[str, SlidingWindowLimiter] = request.app.state.__dict__.setdefault("rate_limiters", {})
    limiter = limiters.get(name)
    if limiter is None:
        limiter = limiters.setdefault(name, SlidingWindowLimiter(limit=limit, window_seconds=window_seconds))
    return limiter
