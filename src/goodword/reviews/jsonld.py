"""schema.org `Product` structured data with its `AggregateRating` and `Review`s, as JSON-LD.

Two forms: the JSON document itself (`application/ld+json`), and an HTML `<script type="application/ld+json">`
snippet for a page's `<head>`. Inside a script element the HTML parser, not JSON, decides where the element
ends: a review saying `</script><script>…` would end it and run the rest. So `<`, `>` and `&` are written as
JSON's `\\u003c`, `\\u003e` and `\\u0026` (equal strings to any JSON parser, invisible to the HTML one), and
U+2028 / U+2029 as escapes too, for consumers that read the JSON as JavaScript.

References: https://schema.org/Product, https://schema.org/AggregateRating, https://schema.org/Review;
Google's review snippet guidelines (an `aggregateRating` needs at least one rating, so none is given without).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from goodword.reviews.display_types import DisplayProduct, DisplayReview, RatingAggregate

BEST_RATING = 5
WORST_RATING = 1
_SCRIPT_SAFE = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def product_jsonld(
    product: DisplayProduct, aggregate: RatingAggregate, reviews: Sequence[DisplayReview]
) -> dict[str, Any]:
    """The schema.org `Product` document for `product`, rated by `aggregate`, carrying `reviews`."""
    document: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.title,
        "sku": product.sku,
    }
    if product.url:
        document["url"] = product.url
    if product.image_url:
        document["image"] = product.image_url
    if aggregate.review_count:
        document["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": aggregate.average,
            "reviewCount": aggregate.review_count,
            "bestRating": BEST_RATING,
            "worstRating": WORST_RATING,
        }
        document["review"] = [_review(review) for review in reviews]
    return document


def _review(review: DisplayReview) -> dict[str, Any]:
    item: dict[str, Any] = {
        "@type": "Review",
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": review.rating,
            "bestRating": BEST_RATING,
            "worstRating": WORST_RATING,
        },
        "author": {"@type": "Person", "name": review.author_name or "Anonymous"},
        "datePublished": review.published_at.date().isoformat(),
        "reviewBody": review.body,
        "inLanguage": review.language,
    }
    if review.title:
        item["name"] = review.title
    return item


def dumps_jsonld(document: dict[str, Any]) -> str:
    """The document as JSON that is also safe verbatim inside an HTML `<script>` element."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_SAFE)


def jsonld_script(document: dict[str, Any]) -> str:
    """An HTML `<script type="application/ld+json">` element holding the document."""
    return f'<script type="application/ld+json">{dumps_jsonld(document)}</script>'
