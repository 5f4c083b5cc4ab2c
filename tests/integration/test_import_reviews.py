"""Review exports from Judge.me, Yotpo and WooCommerce, through the import runner and the CLI."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from goodword.cli.app import app
from goodword.db.session import Database
from goodword.reviews.imports.registry import REVIEW_FORMATS
from goodword.reviews.models import (
    ModerationDecision,
    ProductRatingSummary,
    ReplyVisibility,
    Review,
    ReviewReply,
    ReviewStatus,
    Subject,
)
from goodword.reviews.summaries import recount
from goodword.stores.imports.reading import MissingColumns
from goodword.stores.imports.report import ImportReport
from goodword.stores.imports.runner import run_import
from goodword.stores.inputs import OrderIn, ProductIn
from goodword.stores.orders import upsert_orders
from goodword.stores.products import upsert_products
from goodword.stores.stores import create_store
from tests.factories.stores import StoreAccess
from tests.integration.importing import DATA, rejected_lines, savepoints


def _shop(session: Session, store_id: str) -> dict[str, int]:
    """Oolong and pu-erh, as a Shopify products import leaves them; Alice paid for oolong, Wang's order is unpaid."""
    products = upsert_products(
        session,
        store_id=store_id,
        products=[
            ProductIn(sku="OOL-50", title="Oolong Tea", url="https://leaf.example.com/products/oolong"),
            ProductIn(sku="PUER-1", title="普洱茶", url="https://leaf.example.com/products/puer"),
        ],
    )
    for number, email, status, sku in (
        ("#1", "alice@example.com", "fulfilled", "OOL-50"),
        ("#2", "wang@example.com", "pending", "PUER-1"),
    ):
        order = OrderIn.model_validate(
            {"external_id": number, "customer": {"external_id": f"email:{email}", "email": email},
             "status": status, "currency": "USD", "total_minor": 1000,
             "placed_at": datetime(2024, 2, 1, tzinfo=UTC),
             "lines": [{"sku": sku, "title": "Tea", "quantity": 1, "unit_price_minor": 1000}]}
        )  # fmt: skip
        upsert_orders(session, store_id=store_id, orders=[order], source="test")
    return {"OOL-50": products[0].id, "PUER-1": products[1].id}


def _import(session: Session, store_id: str, format_name: str, content: bytes) -> ImportReport:
    return run_import(
        io.BytesIO(content),
        import_format=REVIEW_FORMATS[format_name],
        store_id=store_id,
        unit_of_work=savepoints(session),
    )


def _import_file(session: Session, store_id: str, format_name: str) -> ImportReport:
    name = format_name.replace("-", "_") + ".csv"
    return _import(session, store_id, format_name, (DATA / name).read_bytes())


def _reviews(session: Session, store_id: str) -> dict[str, Review]:
    rows = session.scalars(select(Review).where(Review.store_id == store_id)).all()
    return {review.author_name: review for review in rows}


def _summaries_match_a_recount(session: Session, store_id: str, product_ids: dict[str, int]) -> None:
    for product_id in product_ids.values():
        summary = session.scalars(
            select(ProductRatingSummary).where(
                ProductRatingSummary.store_id == store_id, ProductRatingSummary.product_id == product_id
            )
        ).one_or_none()
        counted = recount(session, store_id=store_id, product_id=product_id)
        kept = {name: getattr(summary, name) if summary else 0 for name in counted}
        assert kept == counted


def test_a_judgeme_export_imports_its_reviews_with_their_status_and_replies(
    session: Session, store: StoreAccess
) -> None:
    # given a shop whose products and orders were imported
    products = _shop(session, store.store_id)
    # when its Judge.me export (with a byte-order mark and a two-line body) is imported
    report = _import_file(session, store.store_id, "judgeme-reviews")
    # then the good rows are in and the bad ones are reported by their physical line
    assert (report.rows_read, report.created, report.unchanged) == (7, 4, 0)
    assert rejected_lines(report) == [7, 8, 9]
    reasons = [rejection.reason for rejection in report.rejected]
    assert "no product of this store matches '9999' or 'ghost-tea'" in reasons[0]
    assert reasons[1:] == [
        "rating: '7' is not a rating from 1 to 5",
        "review_date: 'yesterday' is not a date such as '2024-03-01 10:15:00 UTC'",
    ]
    reviews = _reviews(session, store.store_id)
    alice, wang = reviews["Alice Smith"], reviews["王小明"]
    assert (alice.status, alice.verified_buyer, alice.imported_from) == (
        ReviewStatus.PUBLISHED,
        True,
        "judgeme",
    )
    assert alice.body == "Smooth and sweet.\nBrewed it three times."
    assert alice.published_at is not None
    assert alice.published_at.replace(tzinfo=UTC) == datetime(2024, 3, 1, 10, 15, tzinfo=UTC)
    assert (wang.product_id, wang.body, wang.verified_buyer) == (
        products["PUER-1"],
        "非常好喝，回甘明显。",  # noqa: RUF001 - a Chinese comma, as written
        False,
    )
    assert (
        reviews["<b>Mallory</b>"].body == "<img src=x onerror=alert(1)>"
    )  # kept verbatim, escaped when shown
    assert reviews["<b>Mallory</b>"].status is ReviewStatus.PENDING
    assert reviews["Bob"].status is ReviewStatus.REJECTED
    [reply] = session.scalars(select(ReviewReply).where(ReviewReply.review_id == alice.id)).all()
    assert (reply.body, reply.visibility, reply.author) == (
        "Thank you, Alice!",
        ReplyVisibility.PUBLIC,
        "import:judgeme",
    )
    _summaries_match_a_recount(session, store.store_id, products)


def test_an_imported_review_is_verified_only_through_a_paid_order_never_the_exports_flag(
    session: Session, store: StoreAccess
) -> None:
    # given Alice paid for oolong and Wang's pu-erh order is unpaid
    _shop(session, store.store_id)
    # when the WooCommerce export, which marks Bob's review verified, is imported
    _import_file(session, store.store_id, "woocommerce-reviews")
    # then only Alice's review is verified, and linked to her order; Bob's flag is only on the record
    reviews = _reviews(session, store.store_id)
    assert {name: review.verified_buyer for name, review in reviews.items()} == {
        "Alice Smith": True, "王小明": False, "Bob": False,
    }  # fmt: skip
    assert reviews["Alice Smith"].order_id is not None
    [decision] = session.scalars(
        select(ModerationDecision).where(
            ModerationDecision.subject == Subject.REVIEW, ModerationDecision.subject_id == reviews["Bob"].id
        )
    ).all()
    assert (decision.actor, decision.reason) == ("import:woocommerce", "imported_pending")
    assert decision.note is not None
    assert "verified: 1" in decision.note


@pytest.mark.parametrize("format_name", sorted(REVIEW_FORMATS))
def test_importing_the_same_reviews_file_twice_changes_nothing(
    session: Session, store: StoreAccess, format_name: str
) -> None:
    # given a file imported once
    products = _shop(session, store.store_id)
    first = _import_file(session, store.store_id, format_name)
    counts = [
        session.scalar(select(func.count()).select_from(table))
        for table in (Review, ReviewReply, ModerationDecision)
    ]
    # when it is imported again
    again = _import_file(session, store.store_id, format_name)
    # then every row is found and nothing is added
    assert (again.created, again.unchanged) == (0, first.created)
    assert rejected_lines(again) == rejected_lines(first)
    assert [
        session.scalar(select(func.count()).select_from(table))
        for table in (Review, ReviewReply, ModerationDecision)
    ] == counts
    _summaries_match_a_recount(session, store.store_id, products)


def test_a_yotpo_export_maps_statuses_comments_and_rejects_store_reviews(
    session: Session, store: StoreAccess
) -> None:
    # given
    products = _shop(session, store.store_id)
    # when
    report = _import_file(session, store.store_id, "yotpo-reviews")
    # then
    assert (report.rows_read, report.created) == (7, 4)
    assert [(r.line, r.reason) for r in report.rejected] == [
        (6, "Review Type: 'site_review' is a store review; goodword imports product reviews"),
        (8, "review_score: '0' is not a rating from 1 to 5"),
        (9, "'y-101' repeats line 2"),
    ]
    reviews = _reviews(session, store.store_id)
    assert {name: review.status for name, review in reviews.items()} == {
        "Alice Smith": ReviewStatus.PUBLISHED, "李雷": ReviewStatus.PUBLISHED,
        "Mallory": ReviewStatus.PENDING, "Bob": ReviewStatus.HIDDEN,
    }  # fmt: skip
    assert reviews["李雷"].created_at.replace(tzinfo=UTC) == datetime(2024, 4, 3, tzinfo=UTC)
    assert reviews["Mallory"].title == '"Quoted" title'
    assert (reviews["Bob"].external_id, reviews["Bob"].verified_buyer) == ("y-105", False)
    bob_reply = session.scalars(select(ReviewReply).where(ReviewReply.review_id == reviews["Bob"].id)).one()
    assert bob_reply.visibility is ReplyVisibility.PRIVATE
    _summaries_match_a_recount(session, store.store_id, products)


def test_a_woocommerce_export_imports_replies_rows_to_their_reviews(
    session: Session, store: StoreAccess
) -> None:
    # given
    products = _shop(session, store.store_id)
    # when
    report = _import_file(session, store.store_id, "woocommerce-reviews")
    # then the shop's reply lands under Alice's review; the reply to nothing and the bad rows are reported
    assert (report.rows_read, report.created) == (8, 4)
    assert rejected_lines(report) == [7, 8, 9, 10]
    assert "'maybe' is not a review status" in report.rejected[0].reason
    assert "no product of this store matches 'NOPE-1' or '90'" in report.rejected[1].reason
    assert "a reply to review '999', which is not imported" in report.rejected[3].reason
    alice = _reviews(session, store.store_id)["Alice Smith"]
    assert (alice.external_id, alice.body, alice.product_id) == ("501", "Great\ntea", products["OOL-50"])
    assert alice.created_at.replace(tzinfo=UTC) == datetime(2024, 5, 1, 10, tzinfo=UTC)
    [reply] = session.scalars(select(ReviewReply).where(ReviewReply.review_id == alice.id)).all()
    assert reply.body == "Thank you Alice!"
    _summaries_match_a_recount(session, store.store_id, products)


def test_review_headers_match_whatever_their_case_and_separators(
    session: Session, store: StoreAccess
) -> None:
    # given a Yotpo-like file with upper-case, snake_case headers and a review id-less row
    _shop(session, store.store_id)
    content = (
        b"REVIEW_SCORE,review content,DATE,product_handle,user_name,Review Status\n"
        b"4,Nice,2024-04-01,oolong,Kim,published\n"
    )
    # when
    report = _import(session, store.store_id, "yotpo-reviews", content)
    # then the review is imported under a content hash
    assert (report.created, report.rejected) == (1, [])
    assert _reviews(session, store.store_id)["Kim"].external_id.startswith("sha256:")


def test_a_reviews_file_without_a_rating_column_is_refused(session: Session, store: StoreAccess) -> None:
    with pytest.raises(MissingColumns, match="'rating'"):
        _import(session, store.store_id, "judgeme-reviews", b"title,body,review_date,product_handle\n")


def test_cli_imports_judgeme_reviews_and_writes_the_rejected_rows(
    database: Database, database_url: str, tmp_path: Path
) -> None:
    # given a store with products, committed
    with database.unit_of_work() as setup:
        store_id = create_store(setup, name="CLI reviews").id
        _shop(setup, store_id)
    rejected = tmp_path / "rejected.csv"
    # when
    result = CliRunner().invoke(
        app,
        ["import", "judgeme-reviews", str(DATA / "judgeme_reviews.csv"), "--store", store_id,
         "--database", database_url, "--json", "--report", str(rejected)],
    )  # fmt: skip
    # then
    assert result.exit_code == 0, result.output
    assert (json.loads(result.stdout)["created"], json.loads(result.stdout)["rejected"]) == (4, 3)
    assert rejected.read_text().splitlines()[2] == "8,rating: '7' is not a rating from 1 to 5"
