"""Shopify CSV exports: orders, customers and products, through the runner and through the CLI."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from goodword.cli.app import app
from goodword.db.session import Database
from goodword.errors import InvalidInput
from goodword.stores.customers import get_customer
from goodword.stores.imports.reading import MissingColumns
from goodword.stores.imports.registry import FORMATS
from goodword.stores.imports.writing import write_products
from goodword.stores.inputs import ProductIn
from goodword.stores.models import ConsentEvent, OrderStatus
from goodword.stores.orders import get_order
from goodword.stores.products import get_product
from goodword.stores.stores import create_store
from goodword.stores.upserts import UpsertOutcome
from tests.factories.stores import StoreAccess
from tests.integration.importing import DATA, import_bytes, import_file, rejected_lines

HEADER = (
    "Name,Email,Financial Status,Fulfillment Status,Currency,Total,Created at,"
    "Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku\n"
)


def order_row(name: str, *, total: str = "10.00", created: str = "2024-03-01 10:15:00 +0100") -> str:
    return f"{name},a@example.com,paid,,USD,{total},{created},1,Oolong,10.00,OOL-1\n"


def test_orders_export_imports_good_orders_and_reports_bad_lines(
    session: Session, store: StoreAccess
) -> None:
    report = import_file(session, store.store_id, "shopify-orders", "shopify_orders.csv")

    assert (report.rows_read, report.created, report.updated, report.unchanged) == (11, 5, 0, 0)
    # Line numbers count the header and the quoted two-line note of #1001, and the blank line after #1002.
    assert rejected_lines(report) == [9, 10, 11, 12, 13]
    assert "'12.3.4' is not an amount" in report.rejected[0].reason
    assert report.rejected[3].reason == "'#1002' repeats line 5"


def test_orders_export_maps_amounts_lines_dates_and_buyer(session: Session, store: StoreAccess) -> None:
    import_file(session, store.store_id, "shopify-orders", "shopify_orders.csv")

    order = get_order(session, store_id=store.store_id, external_id="#1001")
    assert (order.status, order.currency, order.total_minor, order.discount_minor) == (
        OrderStatus.FULFILLED, "CNY", 3800, 200,
    )  # fmt: skip
    assert order.placed_at.replace(tzinfo=UTC) == datetime(2024, 3, 1, 2, 15, tzinfo=UTC)
    assert [(line.sku, line.title, line.quantity, line.unit_price_minor) for line in order.lines] == [
        ("OOL-50", "Oolong 50g", 2, 1250),
        ("PUER-1", "普洱茶", 1, 1000),
    ]
    buyer = get_customer(session, store_id=store.store_id, external_id="email:wang@example.com")
    assert (buyer.name, buyer.phone, buyer.marketing_consent) == ("王小明", "+8613800138000", True)
    assert get_order(session, store_id=store.store_id, external_id="#1002").total_minor == 130990


@pytest.mark.parametrize(
    ("name", "status"),
    [("#1002", OrderStatus.PAID), ("#1003", OrderStatus.REFUNDED), ("#1004", OrderStatus.CANCELLED),
     ("#1009", OrderStatus.PENDING)],
)  # fmt: skip
def test_orders_export_maps_statuses(session: Session, store: StoreAccess, name: str, status: str) -> None:
    import_file(session, store.store_id, "shopify-orders", "shopify_orders.csv")

    assert get_order(session, store_id=store.store_id, external_id=name).status == status


def test_importing_the_same_orders_file_twice_changes_nothing(session: Session, store: StoreAccess) -> None:
    import_file(session, store.store_id, "shopify-orders", "shopify_orders.csv")
    consent_events = len(session.scalars(select(ConsentEvent)).all())

    again = import_file(session, store.store_id, "shopify-orders", "shopify_orders.csv")

    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert len(session.scalars(select(ConsentEvent)).all()) == consent_events


def test_an_order_import_does_not_overwrite_a_known_customer(session: Session, store: StoreAccess) -> None:
    import_file(session, store.store_id, "shopify-customers", "shopify_customers.csv")

    import_file(session, store.store_id, "shopify-orders", "shopify_orders.csv")

    alice = get_customer(session, store_id=store.store_id, external_id="email:alice@example.com")
    assert alice.name == "Alice Smith"
    order = get_order(session, store_id=store.store_id, external_id="#1002")
    assert order.customer_external_id == "email:alice@example.com"


def test_orders_of_one_buyer_that_disagree_within_a_chunk_are_all_imported(
    session: Session, store: StoreAccess
) -> None:
    content = (
        b"Name,Email,Financial Status,Currency,Total,Created at,Lineitem quantity,Lineitem name,Lineitem price,"
        b"Billing Name,Accepts Marketing\n"
        b"#1,a@example.com,paid,USD,1.00,2024-03-01 10:15:00 +0100,1,Tea,1.00,Ann,yes\n"
        b"#2,a@example.com,paid,USD,1.00,2024-03-02 10:15:00 +0100,1,Tea,1.00,Ann Lee,no\n"
    )

    report = import_bytes(session, store.store_id, "shopify-orders", content)

    assert (report.created, report.rejected) == (2, [])
    assert get_customer(session, store_id=store.store_id, external_id="email:a@example.com").name == "Ann"


def test_a_row_with_the_wrong_number_of_cells_is_rejected(session: Session, store: StoreAccess) -> None:
    content = (HEADER + order_row("#1") + "#2,a@example.com,paid\n" + order_row("#3")).encode()

    report = import_bytes(session, store.store_id, "shopify-orders", content)

    assert report.created == 2
    assert [(r.line, r.reason) for r in report.rejected] == [(3, "has 3 cells where the header has 11")]


def test_a_row_with_bytes_that_are_not_utf8_is_rejected(session: Session, store: StoreAccess) -> None:
    content = (
        HEADER.encode() + order_row("#1").encode() + b"#2,caf\xe9@example.com\n" + order_row("#3").encode()
    )

    report = import_bytes(session, store.store_id, "shopify-orders", content)

    assert report.created == 2
    assert rejected_lines(report) == [3]
    assert "byte 0xE9 is not UTF-8" in report.rejected[0].reason


def test_an_unterminated_quote_rejects_its_row_not_the_file(session: Session, store: StoreAccess) -> None:
    content = (HEADER + order_row("#1") + '#2,"a@example.com,paid\n').encode()

    report = import_bytes(session, store.store_id, "shopify-orders", content)

    assert (report.created, rejected_lines(report)) == (1, [3])


def test_an_order_without_created_at_is_rejected(session: Session, store: StoreAccess) -> None:
    report = import_bytes(
        session, store.store_id, "shopify-orders", (HEADER + order_row("#1", created="")).encode()
    )

    assert [r.reason for r in report.rejected] == ["order '#1': Created at: is empty"]


def test_a_header_without_required_columns_names_them(session: Session, store: StoreAccess) -> None:
    with pytest.raises(MissingColumns) as raised:
        import_bytes(session, store.store_id, "shopify-orders", b"Name,Email\n#1,a@example.com\n")

    assert "'Financial Status'" in str(raised.value)
    assert "'Lineitem price'" in str(raised.value)


def test_an_empty_file_is_refused(session: Session, store: StoreAccess) -> None:
    with pytest.raises(MissingColumns, match="the file is empty"):
        import_bytes(session, store.store_id, "shopify-customers", b"\xef\xbb\xbf\n\n")


def test_customers_export_imports_and_rejects(session: Session, store: StoreAccess) -> None:
    report = import_file(session, store.store_id, "shopify-customers", "shopify_customers.csv")

    assert (report.rows_read, report.created) == (7, 3)
    assert rejected_lines(report) == [6, 7, 8, 9]
    wang = get_customer(session, store_id=store.store_id, external_id="email:wang@example.com")
    assert (wang.name, wang.marketing_consent) == ("小明 王", True)
    assert get_customer(session, store_id=store.store_id, external_id="shopify:7003").phone == "+14155550123"


def test_customers_export_accepts_the_older_accepts_marketing_header(
    session: Session, store: StoreAccess
) -> None:
    content = b"First Name,Last Name,Email,Accepts Marketing\nAnn,Lee,ann@example.com,yes\n"

    report = import_bytes(session, store.store_id, "shopify-customers", content)

    assert report.created == 1
    assert get_customer(
        session, store_id=store.store_id, external_id="email:ann@example.com"
    ).marketing_consent


def test_products_export_reads_variants_and_skips_image_rows(session: Session, store: StoreAccess) -> None:
    report = import_file(session, store.store_id, "shopify-products", "shopify_products.csv")

    assert (report.rows_read, report.created, report.skipped) == (7, 3, 1)
    assert rejected_lines(report) == [7, 8, 9]
    variant = get_product(session, store_id=store.store_id, sku="OOL-100")
    assert (variant.title, variant.price_minor, variant.currency) == ("Oolong Tea - 100g", 2200, "USD")
    assert variant.image_url == "https://cdn.example.com/oolong-100.jpg"
    assert variant.url is None
    assert get_product(session, store_id=store.store_id, sku="PUER-1").title == "普洱茶"


def test_product_urls_use_the_shop_url_when_the_store_has_one(session: Session) -> None:
    shop = create_store(session, name="Leaf", shop_url="https://leaf.example.com/")

    import_file(session, shop.id, "shopify-products", "shopify_products.csv")

    assert (
        get_product(session, store_id=shop.id, sku="OOL-50").url == "https://leaf.example.com/products/oolong"
    )


def refuse_pu_erh(
    session: Session, store_id: str, products: Sequence[ProductIn], source: str
) -> list[UpsertOutcome]:
    if any(product.sku == "PUER-1" for product in products):
        raise InvalidInput("no pu-erh today")
    return write_products(session, store_id, products, source)


def test_a_chunk_the_database_refuses_is_retried_row_by_row(session: Session, store: StoreAccess) -> None:
    refusing = replace(FORMATS["shopify-products"], write=refuse_pu_erh)

    report = import_bytes(
        session, store.store_id, "", (DATA / "shopify_products.csv").read_bytes(), import_format=refusing
    )

    assert report.created == 2
    assert (6, "no pu-erh today") in [(r.line, r.reason) for r in report.rejected]


def test_cli_imports_a_file_and_writes_the_rejected_rows(
    database: Database, database_url: str, tmp_path: Path
) -> None:
    with database.unit_of_work() as setup:
        store_id = create_store(setup, name="CLI tea").id
    rejected = tmp_path / "rejected.csv"

    result = CliRunner().invoke(
        app,
        ["import", "shopify-orders", str(DATA / "shopify_orders.csv"), "--store", store_id,
         "--database", database_url, "--json", "--report", str(rejected)],
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["created"] == 5
    assert rejected.read_text().splitlines()[0:2] == [
        "line,reason",
        "9,order '#1005': Total: '12.3.4' is not an amount",
    ]


def test_cli_exits_2_when_columns_are_missing(database: Database, database_url: str, tmp_path: Path) -> None:
    with database.unit_of_work() as setup:
        store_id = create_store(setup, name="CLI tea").id

    result = CliRunner().invoke(
        app,
        ["import", "shopify-orders", str(DATA / "shopify_products.csv"), "--store", store_id,
         "--database", database_url],
    )  # fmt: skip

    assert result.exit_code == 2
    assert "'Financial Status'" in result.output
