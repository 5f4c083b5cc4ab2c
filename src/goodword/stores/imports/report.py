"""What an import did: rows read, outcomes counted, and every rejected row with its line and reason."""

from __future__ import annotations

from dataclasses import dataclass, field

from goodword.stores.upserts import UpsertStatus


@dataclass(frozen=True, slots=True)
class Rejection:
    """A record the import left out; `line` is its first physical line, 1-based, counting the header."""

    line: int
    reason: str


@dataclass
class ImportReport:
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Records that are not data and not errors, such as the image-only rows of a Shopify products export.
    skipped: int = 0
    rejected: list[Rejection] = field(default_factory=list)

    def count(self, status: UpsertStatus) -> None:
        if status is UpsertStatus.CREATED:
            self.created += 1
        elif status is UpsertStatus.UPDATED:
            self.updated += 1
        else:
            self.unchanged += 1

    def summary(self) -> dict[str, int]:
        return {
            "rows_read": self.rows_read,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "rejected": len(self.rejected),
        }
