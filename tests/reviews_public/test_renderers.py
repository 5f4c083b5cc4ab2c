"""The JSON-LD and Google feed renderers, on plain values."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from goodword.reviews.display_types import NO_RATINGS, DisplayProduct, FeedReview, RatingAggregate
from goodword.reviews.google_feed import SCHEMA_LOCATION, feed_chunks
from goodword.reviews.jsonld import product_jsonld

PRODUCT = DisplayProduct("OOL-1", "Tieguanyin 铁观音", "https://shop.example.com/p/ool-1", None)
XSI = "{http://www.w3.org/2001/XMLSchema-instance}"


def test_a_product_without_ratings_carries_no_aggregate_rating() -> None:
    # when
    document = product_jsonld(PRODUCT, NO_RATINGS, [])
    # then
    assert document == {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": "Tieguanyin 铁观音",
        "sku": "OOL-1",
        "url": "https://shop.example.com/p/ool-1",
    }


def test_the_aggregate_rating_states_its_scale() -> None:
    # when
    document = product_jsonld(PRODUCT, RatingAggregate(3, 13, (0, 0, 0, 2, 1)), [])
    # then
    assert document["aggregateRating"] == {
        "@type": "AggregateRating",
        "ratingValue": 4.33,
        "reviewCount": 3,
        "bestRating": 5,
        "worstRating": 1,
    }


def test_an_empty_feed_is_still_a_valid_feed_naming_its_schema() -> None:
    # when
    root = ET.fromstring(b"".join(feed_chunks(publisher_name="Tea House", reviews=[])))  # noqa: S314 - our own output, not untrusted input
    # then
    assert root.tag == "feed"
    assert root.attrib == {f"{XSI}noNamespaceSchemaLocation": SCHEMA_LOCATION}
    assert [child.tag for child in root] == ["version", "publisher", "reviews"]


def test_a_review_without_a_name_is_marked_anonymous_and_its_time_is_utc() -> None:
    # given
    review = FeedReview(
        9, 5, None, "Great.", "en", "  ", True, False, datetime(2026, 3, 1, 9, 30, 15, 999, UTC), PRODUCT
    )
    # when
    root = ET.fromstring(b"".join(feed_chunks(publisher_name="Tea House", reviews=[review])))  # noqa: S314 - our own output, not untrusted input
    # then
    name = root.find("reviews/review/reviewer/name")
    assert name is not None
    assert (name.text, name.attrib) == ("Anonymous", {"is_anonymous": "true"})
    assert root.findtext("reviews/review/review_timestamp") == "2026-03-01T09:30:15Z"
    assert root.find("reviews/review/title") is None
    assert root.find("reviews/review/review_url").attrib == {"type": "group"}  # type: ignore[union-attr]
