"""Judge.me's review export (Reviews > Export), as `ImportedReview`s."""

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

SOURCE = "judgeme"
# curated: "ok" is shown, "not-yet" waits, "spam" was thrown out; some exports spell the status out instead.
_STATUS = {
    "ok": ReviewStatus.PUBLISHED,
    "published": ReviewStatus.PUBLISHED,
    "not-yet": ReviewStatus.PENDING,
    "not_yet": ReviewStatus.PENDING,
    "pending": ReviewStatus.PENDING,
    "": ReviewStatus.PENDING,
    "hidden": ReviewStatus.HIDDEN,
    "unpublished": ReviewStatus.HIDDEN,
    "spam": ReviewStatus.REJECTED,
    "rejected": ReviewStatus.REJECTED,
}
_COLUMNS = {
    "external_id": "id",
    "rating": "rating",
    "title": "title",
    "body": "body",
    "author_name": "reviewer_name",
    "author_email": "reviewer_email",
    "created_at": "review_date",
    "reply": "reply",
}


def parse_reviews(records: Iterable[Record], store: StoreFacts) -> Iterator[Parsed[ImportedReview]]:
    return parse_rows(records, read=_review, columns=_COLUMNS)


def _review(cells: dict[str, str]) -> ImportedReview:
    curated = (first(cells, "curated", "status") or "").lower()
    status = _STATUS.get(curated)
    if status is None:
        raise CellError(f"curated: {curated!r} is not a Judge.me status (ok, not-yet, spam)")
    product_id, handle = first(cells, "product_id"), first(cells, "product_handle")
    created_at = required_moment(cells, "review_date", "created_at")
    email = first(cells, "reviewer_email")
    title, body = first(cells, "title"), first(cells, "body") or ""
    return ImportedReview.model_validate(
        {
            "source": SOURCE,
            # The export carries no review id; the content names the review, and so a re-import finds it.
            "external_id": first(cells, "id", "review_id")
            or content_id(
                product_id or handle,
                email or first(cells, "reviewer_name"),
                created_at.isoformat(),
                first(cells, "rating"),
                title,
                body,
            ),
            "product_refs": tuple(ref for ref in (first(cells, "product_sku", "sku"), product_id) if ref),
            "product_handle": handle,
            "rating": rating(cells, "rating"),
            "title": title,
            "body": body,
            "author_name": author_name(cells, "reviewer_name"),
            "author_email": email,
            "created_at": created_at,
            "status": status,
            "reply": first(cells, "reply"),
            "reply_at": review_moment(cells, "reply_date"),
            "note": record_note(
                imported_from="Judge.me",
                source=first(cells, "source"),
                verified=first(cells, "verified", "verified_buyer"),
                location=first(cells, "location"),
                pictures=first(cells, "picture_urls"),
            ),
        }
    )


REVIEWS = ImportFormat[ImportedReview](
    name="judgeme-reviews",
    title="Judge.me reviews export",
    required=(
        spellings("rating"),
        spellings("body"),
        spellings("review_date"),
        spellings("product_handle", "product_id"),
    ),
    parse=parse_reviews,
    write=write_reviews,
)
