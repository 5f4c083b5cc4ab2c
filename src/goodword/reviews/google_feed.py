"""The Google Product Ratings feed (product review feed), version 2.4 of Google's XML schema, streamed.

Schema: http://www.google.com/shopping/reviews/schema/product/2.4/product_reviews.xsd, described at
https://developers.google.com/product-review-feeds/schema. We follow 2.4 rather than 2.3 because it is the one
Google accepts today and the one with `is_verified_purchase` and `is_incentivized_review`, which let the feed
disclose incentivized reviews. Elements appear in the order the schema's sequences require:

    feed: version, publisher (name), reviews
    review: review_id, reviewer (name @is_anonymous), is_verified_purchase, is_incentivized_review,
            review_timestamp, title, content, review_language, review_url @type, ratings (overall @min @max),
            products (product: product_ids (skus/sku), product_name, product_url)

`review_url` points at the product page, which shows many reviews, so its type is "group": "singleton" is for
a page that holds only that review, which a store's product page is not.

The XML is written by `xml.sax.saxutils.XMLGenerator`, a real serializer that escapes text and attributes;
characters XML 1.0 forbids outright (most C0 controls, lone surrogates, U+FFFE/U+FFFF) are removed first, as
no escaping can carry them. The document is produced in chunks so a store with a million reviews is streamed,
never held in memory.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from datetime import UTC
from xml.sax.saxutils import XMLGenerator
from xml.sax.xmlreader import AttributesImpl

from goodword.reviews.display_types import FeedReview

SCHEMA_VERSION = "2.4"
SCHEMA_LOCATION = (
    f"http://www.google.com/shopping/reviews/schema/product/{SCHEMA_VERSION}/product_reviews.xsd"
)
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
# XML 1.0 Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_FLUSH_EVERY = 200  # reviews per chunk handed to the server


def xml_text(value: str) -> str:
    """`value` without the characters XML 1.0 cannot hold at all, its line ends as a parser reads them back."""
    return _NOT_XML_CHAR.sub("", value).replace("\r\n", "\n").replace("\r", "\n")


def review_url(review: FeedReview) -> str | None:
    """Where the review can be read: the product page, at the review's anchor."""
    return f"{review.product.url}#review-{review.id}" if review.product.url else None


def feed_chunks(*, publisher_name: str, reviews: Iterable[FeedReview]) -> Iterator[bytes]:
    """The whole feed as UTF-8 bytes, a chunk at a time."""
    buffer = io.StringIO()
    xml = XMLGenerator(buffer, encoding="utf-8", short_empty_elements=True)
    xml.startDocument()
    _start(xml, "feed", {"xmlns:xsi": _XSI, "xsi:noNamespaceSchemaLocation": SCHEMA_LOCATION})
    _text_element(xml, "version", SCHEMA_VERSION)
    _start(xml, "publisher")
    _text_element(xml, "name", publisher_name)
    _end(xml, "publisher")
    _start(xml, "reviews")
    for count, review in enumerate(reviews, start=1):
        _review(xml, review)
        if count % _FLUSH_EVERY == 0:
            yield _drain(buffer)
    _end(xml, "reviews")
    _end(xml, "feed")
    xml.endDocument()
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> bytes:
    chunk = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return chunk.encode()


def _review(xml: XMLGenerator, review: FeedReview) -> None:
    _start(xml, "review")
    _text_element(xml, "review_id", str(review.id))
    _start(xml, "reviewer")
    anonymous = not review.author_name.strip()
    _text_element(
        xml,
        "name",
        "Anonymous" if anonymous else review.author_name,
        is_anonymous="true" if anonymous else "false",
    )
    _end(xml, "reviewer")
    _text_element(xml, "is_verified_purchase", _boolean(review.verified_buyer))
    _text_element(xml, "is_incentivized_review", _boolean(review.incentivized))
    timestamp = review.published_at.astimezone(UTC).replace(microsecond=0)
    _text_element(xml, "review_timestamp", timestamp.isoformat().replace("+00:00", "Z"))
    if review.title and xml_text(review.title).strip():
        _text_element(xml, "title", review.title)
    _text_element(xml, "content", review.body)
    _text_element(xml, "review_language", review.language)
    url = review_url(review)
    if url is not None:
        _text_element(xml, "review_url", url, type="group")
    _start(xml, "ratings")
    _text_element(xml, "overall", str(review.rating), min="1", max="5")
    _end(xml, "ratings")
    _start(xml, "products")
    _start(xml, "product")
    _start(xml, "product_ids")
    _start(xml, "skus")
    _text_element(xml, "sku", review.product.sku)
    _end(xml, "skus")
    _end(xml, "product_ids")
    _text_element(xml, "product_name", review.product.title)
    if review.product.url:
        _text_element(xml, "product_url", review.product.url)
    _end(xml, "product")
    _end(xml, "products")
    _end(xml, "review")


def _boolean(value: bool) -> str:
    return "true" if value else "false"


def _start(xml: XMLGenerator, name: str, attributes: dict[str, str] | None = None) -> None:
    xml.startElement(
        name, AttributesImpl({key: xml_text(value) for key, value in (attributes or {}).items()})
    )


def _end(xml: XMLGenerator, name: str) -> None:
    xml.endElement(name)


def _text_element(xml: XMLGenerator, name: str, text: str, **attributes: str) -> None:
    _start(xml, name, attributes)
    xml.characters(xml_text(text))
    _end(xml, name)
