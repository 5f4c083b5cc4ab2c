"""One small error tree. Each error carries a stable string code that clients can rely on."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldIssue:
    """One problem with one input field; `field` is a dotted path such as `orders.3.currency`."""

    field: str
    message: str
    code: str = "invalid"


@dataclass
class GoodwordError(Exception):
    message: str
    issues: list[FieldIssue] = field(default_factory=list)
    code: str = "error"

    def __str__(self) -> str:
        return self.message


@dataclass
class NotFound(GoodwordError):
    code: str = "not_found"


@dataclass
class Conflict(GoodwordError):
    code: str = "conflict"


@dataclass
class InvalidInput(GoodwordError):
    code: str = "invalid_input"


@dataclass
class Unauthorized(GoodwordError):
    code: str = "unauthorized"


@dataclass
class Forbidden(GoodwordError):
    code: str = "forbidden"


@dataclass
class Malformed(GoodwordError):
    """The input could not even be parsed (not JSON, not CSV)."""

    code: str = "malformed"


@dataclass
class TooManyRequests(GoodwordError):
    """A caller went over a rate limit; `retry_after_seconds` says when to try again."""

    code: str = "rate_limited"
    retry_after_seconds: int = 60


@dataclass
class Gone(GoodwordError):
    """The thing existed but can no longer be used: an expired or already used link."""

    code: str = "gone"
