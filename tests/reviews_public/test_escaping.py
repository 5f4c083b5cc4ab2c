"""Hostile text in every field comes out inert: JSON stays JSON, the JSON-LD script stays one script element,
the feed stays the same XML tree. Each output is parsed back to prove its structure is intact."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from goodword.reviews.display_types import (
    NO_RATINGS,
    DisplayProduct,
    DisplayReview,
    FeedReview,
    RatingAggregate,
)
from goodword.reviews.google_feed import feed_chunks, xml_text
from goodword.reviews.jsonld import dumps_jsonld, jsonld_script, product_jsonld
from tests.factories.review_rows import make_product, make_reply, make_review
from tests.factories.stores import StoreAccess

PAYLOADS = [
    "</script><script>alert(1)</script>",
    "</SCRIPT ><img src=x onerror=alert(1)>",
    "<!--<script>alert(1)//-->",
    '"><svg onload=alert(1)>',
    "'; alert(String.fromCharCode(88)); //",
    "line\u2028separator\u2029paragraph",
    "]]></content><review_id>666</review_id><content>",
    "&lt;script&gt; &amp; &#x3C;script&#x3E; &",
    "\\u003c/script\\u003e",
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
    "{{7*7}} ${7*7} <%= 7*7 %>",
    "tab\tnew\nline\rreturn bell\x07 escape\x1b vertical\x0b nonchar\ufffe",
    "西湖龙井 😀 \U0001f375",
]
# What a database can hold: PostgreSQL text refuses NUL, so the NUL payload is tested on the renderers only.
RENDER_ONLY = ["nul\x00byte"]


def _review(text: str, *, review_id: int = 1) -> DisplayReview:
    return DisplayReview(
        id=review_id,
        rating=4,
        title=text,
        body=text,
        language="en",
        author_name=text,
        verified_buyer=True,
        incentivized=True,
        helpful_count=0,
        unhelpful_count=0,
        published_at=datetime(2026, 3, 1, tzinfo=UTC),
        photos=(),
        reply=None,
    )


class _ScriptCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.tags: list[str] = []
        self.script_text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_endtag(self, tag: str) -> None:
        self.tags.append(f"/{tag}")

    def handle_data(self, data: str) -> None:
        self.script_text += data

    def handle_comment(self, data: str) -> None:
        self.tags.append("<!--")


def _parse_script(html: str) -> tuple[list[str], object]:
    parser = _ScriptCollector()
    parser.feed(html)
    parser.close()
    return parser.tags, json.loads(parser.script_text)


@pytest.mark.parametrize("text", PAYLOADS + RENDER_ONLY)
def test_a_jsonld_script_holds_any_text_as_one_script_element_with_the_text_intact(text: str) -> None:
    # given
    product = DisplayProduct(sku=text, title=text, url="https://shop.example.com/p?a=1&b=<2>", image_url=None)
    aggregate = RatingAggregate(1, 4, (0, 0, 0, 1, 0))
    # when
    html = jsonld_script(product_jsonld(product, aggregate, [_review(text)]))
    # then
    tags, document = _parse_script(html)
    assert tags == ["script", "/script"]
    assert isinstance(document, dict)
    assert document["name"] == text
    assert document["review"][0]["reviewBody"] == text
    assert document["review"][0]["author"]["name"] == text
    for dangerous in ("<", ">", "&", "\u2028", "\u2029"):
        assert dangerous not in html.removeprefix('<script type="application/ld+json">').removesuffix(
            "</script>"
        )


@pytest.mark.parametrize("text", PAYLOADS + RENDER_ONLY)
def test_the_feed_holds_any_text_as_the_same_xml_tree(text: str) -> None:
    # given
    product = DisplayProduct(sku=text, title=text, url="https://shop.example.com/p?a=1&b=2", image_url=None)
    reviews = [
        FeedReview(n, 3, text, text, "en", text, False, True, datetime(2026, 3, 1, tzinfo=UTC), product)
        for n in (1, 2)
    ]
    # when
    feed = b"".join(feed_chunks(publisher_name=text, reviews=reviews))
    # then
    root = ET.fromstring(feed)  # noqa: S314 - our own output, not untrusted input
    assert [review.findtext("review_id") for review in root.iter("review")] == ["1", "2"]
    assert {child.tag for child in root.iter("review") for child in child} == {
        "review_id", "reviewer", "is_verified_purchase", "is_incentivized_review", "review_timestamp",
        *(["title"] if xml_text(text).strip() else []), "content", "review_language", "review_url", "ratings",
        "products",
    }  # fmt: skip
    assert root.findtext("publisher/name") == xml_text(text)
    assert root.findtext("reviews/review/content") == xml_text(text)
    assert root.findtext("reviews/review/products/product/product_ids/skus/sku") == xml_text(text)


def test_characters_xml_cannot_hold_are_removed_and_the_rest_kept() -> None:
    assert xml_text("a\x00b\x07c\x1bd\ufffee\uffff\ud800f\tg\nh\ri 😀") == "abcdef\tg\nh\ni 😀"


def test_the_jsonld_json_form_is_the_same_document() -> None:
    # given
    document = product_jsonld(DisplayProduct("S", "</script>", None, None), NO_RATINGS, [])
    # when / then
    assert json.loads(dumps_jsonld(document)) == document


def test_hostile_review_text_comes_out_inert_from_every_public_endpoint(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given: every text field of a review, its reply and its product carries a payload
    product = make_product(session, store_id=store.store_id, title=PAYLOADS[0] + PAYLOADS[3])
    for n, text in enumerate(PAYLOADS):
        review = make_review(
            session, product=product, title=text[:200], body=text, author_name=text, minutes=n
        )
        make_reply(session, review=review, body=text)
    base = f"/public/v1/stores/{store.store_id}/products/{product.sku}"
    # when
    page = client.get(f"{base}/reviews?limit=100&sort=lowest")
    document = client.get(f"{base}/jsonld")
    snippet = client.get(f"{base}/jsonld?format=html")
    feed = client.get(f"/public/v1/stores/{store.store_id}/feeds/google-product-ratings.xml")
    # then: JSON
    assert page.headers["content-type"] == "application/json"
    shown = {review["body"]: review for review in page.json()["data"]}
    assert set(shown) == set(PAYLOADS)
    for text, review in shown.items():
        assert (review["title"], review["author"], review["reply"]["body"]) == (text[:200], text, text)
    assert page.json()["product"]["title"] == PAYLOADS[0] + PAYLOADS[3]
    # then: JSON-LD, alone and in a script element
    assert document.headers["content-type"] == "application/ld+json"
    assert {review["reviewBody"] for review in document.json()["review"]} == set(PAYLOADS)
    assert snippet.headers["content-type"] == "text/html; charset=utf-8"
    tags, embedded = _parse_script(snippet.text)
    assert tags == ["script", "/script"]
    assert embedded == document.json()
    # then: XML
    root = ET.fromstring(feed.content)  # noqa: S314 - our own output, not untrusted input
    contents = {review.findtext("content") for review in root.iter("review")}
    assert contents == {xml_text(text) for text in PAYLOADS}
    assert sorted(int(review.findtext("review_id") or 0) for review in root.iter("review")) == sorted(
        review["id"] for review in page.json()["data"]
    )
