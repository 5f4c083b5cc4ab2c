"""Yotpo's reviews export (Moderation > Export), as `ImportedReview`s."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from goodword.reviews.imports.rows import (
    ImportedReview,
    author_name,
    content_id,
    first,
    parse_rows,
    rating,
    record_note,
    required_moment,
    review_moment,
    spellings,
)
from goodword.reviews.imports.writing import write_reviews
from goodword.reviews.models import ReviewStatus
from goodword.stores.imports.cells import CellError
from goodword.stores.imports.formats import ImportFormat, Parsed, StoreFacts
from goodword.stores.imports.reading import Record

SOURCE = "yotpo"
_STATUS = {
    "published": ReviewStatus.PUBLISHED,
    "approved": ReviewStatus.PUBLISHED,
    "pending": ReviewStatus.PENDING,
    "pending approval": ReviewStatus.PENDING,
    "awaiting moderation": ReviewStatus.PENDING,
    "": ReviewStatus.PENDING,
    "unpublished": ReviewStatus.HIDDEN,
    "hidden": ReviewStatus.HIDDEN,
    "archived": ReviewStatus.HIDDEN,
    "rejected": ReviewStatus.REJECTED,
    "spam": ReviewStatus.REJECTED,
    "deleted": ReviewStatus.REJECTED,
}
_YES = frozenset({"true", "yes", "1", "public", "published"})
_COLUMNS = {
    "external_id": "Review ID",
    "rating": "Review Score",
    "title": "Review Title",
    "body": "Review Content",
    "author_name": "User Name",
    "author_email": "User Email",
    "created_at": "Date",
    "reply": "Comment Content",
}


def parse_reviews(records: Iterable[Record], store: StoreFacts) -> Iterator[Parsed[ImportedReview]]:
    return parse_rows(records, read=_review, columns=_COLUMNS)


def _review(cells: dict[str, str]) -> ImportedReview:
    kind = (first(cells, "review_type") or "product_review").lower().replace(" ", "_")
    if kind.startswith(("site", "store")):
        raise CellError(f"Review Type: {kind!r} is a store review; goodword imports product reviews")
    status_text = (first(cells, "review_status", "status") or "").lower()
    status = _STATUS.get(status_text)
    if status is None:
        raise CellError(
            f"Review Status: {status_text!r} is not a Yotpo status (Published, Pending, Rejected…)"
        )
    product_id, handle = first(cells, "product_id"), first(cells, "product_handle")
    created_at = required_moment(cells, "date", "review_date", "created_at")
    email = first(cells, "user_email", "email")
    title, body = first(cells, "review_title", "title"), first(cells, "review_content", "content") or ""
    comment = first(cells, "comment_content")
    return ImportedReview.model_validate(
        {
            "source": SOURCE,
            "external_id": first(cells, "review_id", "id")
            or content_id(
                product_id or handle,
                email or first(cells, "user_name"),
                created_at.isoformat(),
                first(cells, "review_score"),
                title,
                body,
            ),
            "product_refs": tuple(ref for ref in (first(cells, "product_sku", "sku"), product_id) if ref),
            "product_handle": handle,
            "rating": rating(cells, "review_score", "score", "rating"),
            "title": title,
            "body": body,
            "author_name": author_name(cells, "user_name", "display_name"),
            "author_email": email,
            "created_at": created_at,
            "status": status,
            "incentivized": (first(cells, "incentivized", "incentivized_review") or "").lower() in _YES,
            "reply": comment,
            # A comment Yotpo did not show stays private: kept for the record, never shown.
            "reply_public": comment is None or (first(cells, "comment_public") or "true").lower() in _YES,
            "reply_at": review_moment(cells, "comment_created_at"),
            "note": record_note(
                imported_from="Yotpo",
                reviewer_type=first(cells, "reviewer_type"),
                product_title=first(cells, "product_title"),
                pictures=first(cells, "published_image_urls"),
            ),
        }
    )


REVIEWS = ImportFormat[ImportedReview](
    name="yotpo-reviews",
    title="Yotpo reviews export",
    required=(
        spellings("Review Score"),
        spellings("Review Content"),
        spellings("Date"),
        spellings("Product ID", "Product Handle"),
    ),
    parse=parse_reviews,
    write=write_reviews,
)
