"""WooCommerce product reviews as the review export plugins write them, as `ImportedReview`s and replies.

Two layouts are read: the WordPress comment columns ("Product Reviews Import Export for WooCommerce":
comment_ID, comment_post_ID, comment_author…, comment_approved, comment_parent, rating, verified, title,
product_SKU) and the "Customer Reviews for WooCommerce" columns (id, review_content, review_score, date,
product_id, product_sku, display_name, email, status).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from goodword.reviews.imports.rows import (
    ImportedReply,
    ImportedReview,
    ImportedRow,
    author_name,
    content_id,
    first,
    parse_rows,
    rating,
    record_note,
    required_moment,
    spellings,
)
from goodword.reviews.imports.writing import write_reviews
from goodword.reviews.models import ReviewStatus
from goodword.stores.imports.cells import CellError
from goodword.stores.imports.formats import ImportFormat, Parsed, StoreFacts
from goodword.stores.imports.reading import Record

SOURCE = "woocommerce"
# comment_approved is "1", "0", "spam" or "trash"; the other layout writes words.
_STATUS = {
    "1": ReviewStatus.PUBLISHED,
    "approved": ReviewStatus.PUBLISHED,
    "approve": ReviewStatus.PUBLISHED,
    "published": ReviewStatus.PUBLISHED,
    "0": ReviewStatus.PENDING,
    "hold": ReviewStatus.PENDING,
    "pending": ReviewStatus.PENDING,
    "unapproved": ReviewStatus.PENDING,
    "": ReviewStatus.PENDING,
    "trash": ReviewStatus.HIDDEN,
    "spam": ReviewStatus.REJECTED,
}
_COLUMNS = {
    "external_id": "comment_ID",
    "rating": "rating",
    "title": "title",
    "body": "comment_content",
    "author_name": "comment_author",
    "author_email": "comment_author_email",
    "created_at": "comment_date_gmt",
    "parent_external_id": "comment_parent",
}


def parse_reviews(records: Iterable[Record], store: StoreFacts) -> Iterator[Parsed[ImportedRow]]:
    return parse_rows(records, read=_row, columns=_COLUMNS)


def _row(cells: dict[str, str]) -> ImportedRow:
    created_at = required_moment(cells, "comment_date_gmt", "comment_date", "date", "review_date")
    body = first(cells, "comment_content", "review_content", "content") or ""
    parent = first(cells, "comment_parent")
    if parent is not None and parent != "0":
        # A reply (the shop's answer) to the review with that comment_ID.
        return ImportedReply.model_validate(
            {"source": SOURCE, "parent_external_id": parent, "body": body, "created_at": created_at}
        )
    status_text = (first(cells, "comment_approved", "status") or "").lower()
    status = _STATUS.get(status_text)
    if status is None:
        raise CellError(f"comment_approved: {status_text!r} is not a review status (1, 0, spam, trash)")
    product_id = first(cells, "comment_post_id", "product_id")
    email = first(cells, "comment_author_email", "email", "reviewer_email")
    title = first(cells, "title", "review_title")
    return ImportedReview.model_validate(
        {
            "source": SOURCE,
            "external_id": first(cells, "comment_id", "id")
            or content_id(
                product_id,
                email or first(cells, "comment_author"),
                created_at.isoformat(),
                first(cells, "rating", "review_score"),
                title,
                body,
            ),
            "product_refs": tuple(ref for ref in (first(cells, "product_sku", "sku"), product_id) if ref),
            "rating": rating(cells, "rating", "review_score"),
            "title": title,
            "body": body,
            "author_name": author_name(cells, "comment_author", "display_name", "reviewer_name"),
            "author_email": email,
            "created_at": created_at,
            "status": status,
            "note": record_note(
                imported_from="WooCommerce",
                verified=first(cells, "verified"),
                product_title=first(cells, "product_title"),
            ),
        }
    )


REVIEWS = ImportFormat[ImportedRow](
    name="woocommerce-reviews",
    title="WooCommerce product reviews export",
    required=(
        spellings("rating", "review_score"),
        spellings("comment_content", "review_content"),
        spellings("product_SKU", "product_sku", "sku", "comment_post_ID", "product_id"),
    ),
    parse=parse_reviews,
    write=write_reviews,
)
