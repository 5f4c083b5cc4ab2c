"""WooCommerce CSV files: the WebToffee orders layout, the Analytics customers download, the products exporter."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from goodword.errors import NotFound
from goodword.stores.customers import get_customer
from goodword.stores.imports.reading import MissingColumns
from goodword.stores.models import OrderStatus
from goodword.stores.orders import get_order
from goodword.stores.products import get_product
from tests.factories.stores import StoreAccess
from tests.integration.importing import import_bytes, import_file, rejected_lines


def test_orders_export_imports_good_orders_and_reports_bad_lines(
    session: Session, store: StoreAccess
) -> None:
    report = import_file(session, store.store_id, "woocommerce-orders", "woocommerce_orders.csv")

    assert (report.rows_read, report.created) == (8, 4)
    # Order 101's note spans lines 2 and 3.
    assert rejected_lines(report) == [7, 8, 9, 10]
    assert "'wc-teleported' is not a WooCommerce order status" in report.rejected[0].reason


def test_orders_export_maps_line_items_dates_and_buyers(session: Session, store: StoreAccess) -> None:
    import_file(session, store.store_id, "woocommerce-orders", "woocommerce_orders.csv")

    order = get_order(session, store_id=store.store_id, external_id="101")
    assert (order.status, order.currency, order.total_minor, order.shipping_minor) == (
        OrderStatus.FULFILLED, "EUR", 5200, 200,
    )  # fmt: skip
    # No offset in the file: taken as UTC.
    assert order.placed_at.replace(tzinfo=UTC) == datetime(2024, 3, 1, 10, 15, tzinfo=UTC)
    # 25.00 for three is 8.33 each, rounded to the nearest cent.
    assert [(line.sku, line.title, line.quantity, line.unit_price_minor) for line in order.lines] == [
        ("OOL-1", "Oolong", 2, 1250),
        ("GRN-1", "绿茶", 3, 833),
    ]
    assert order.customer_external_id == "email:li@example.com"
    assert get_customer(session, store_id=store.store_id, external_id="email:li@example.com").name == "丽 李"
    assert get_order(session, store_id=store.store_id, external_id="104").customer_external_id is None


@pytest.mark.parametrize(
    ("external_id", "status"),
    [("102", OrderStatus.PAID), ("103", OrderStatus.REFUNDED), ("104", OrderStatus.PENDING)],
)
def test_orders_export_maps_statuses(
    session: Session, store: StoreAccess, external_id: str, status: str
) -> None:
    import_file(session, store.store_id, "woocommerce-orders", "woocommerce_orders.csv")

    assert get_order(session, store_id=store.store_id, external_id=external_id).status == status


def test_importing_the_same_orders_file_twice_changes_nothing(session: Session, store: StoreAccess) -> None:
    import_file(session, store.store_id, "woocommerce-orders", "woocommerce_orders.csv")

    again = import_file(session, store.store_id, "woocommerce-orders", "woocommerce_orders.csv")

    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)


def test_an_order_named_twice_keeps_the_first_and_rejects_the_repeat(
    session: Session, store: StoreAccess
) -> None:
    content = (
        b"order_id,order_date,status,order_total,customer_email\n"
        b"7,2024-03-01 10:00:00,wc-processing,10.00,a@example.com\n"
        b"7,2024-03-02 10:00:00,wc-completed,12.00,a@example.com\n"
    )

    report = import_bytes(session, store.store_id, "woocommerce-orders", content, chunk_size=1)

    assert [(r.line, r.reason) for r in report.rejected] == [(3, "'7' repeats line 2")]
    assert get_order(session, store_id=store.store_id, external_id="7").total_minor == 1000


def test_customers_download_imports_and_rejects(session: Session, store: StoreAccess) -> None:
    report = import_file(session, store.store_id, "woocommerce-customers", "woocommerce_customers.csv")

    assert (report.rows_read, report.created) == (5, 2)
    assert rejected_lines(report) == [4, 5, 6]
    li = get_customer(session, store_id=store.store_id, external_id="email:li@example.com")
    assert li.name == "李丽"
    assert li.created_at.replace(tzinfo=UTC) == datetime(2024, 1, 2, 8, 0, tzinfo=UTC)
    assert get_customer(session, store_id=store.store_id, external_id="woocommerce-user:bob").email is None


def test_products_export_imports_and_rejects(session: Session, store: StoreAccess) -> None:
    report = import_file(session, store.store_id, "woocommerce-products", "woocommerce_products.csv")

    assert (report.rows_read, report.created) == (6, 3)
    assert rejected_lines(report) == [5, 7, 8]
    oolong = get_product(session, store_id=store.store_id, sku="OOL-1")
    assert (oolong.price_minor, oolong.image_url) == (1250, "https://cdn.example.com/a.jpg")
    assert get_product(session, store_id=store.store_id, sku="GRN-1").price_minor == 129990


def test_orders_link_lines_to_imported_products(session: Session, store: StoreAccess) -> None:
    import_file(session, store.store_id, "woocommerce-products", "woocommerce_products.csv")

    import_file(session, store.store_id, "woocommerce-orders", "woocommerce_orders.csv")

    order = get_order(session, store_id=store.store_id, external_id="101")
    assert order.lines[0].product_id == get_product(session, store_id=store.store_id, sku="OOL-1").id


def test_an_unknown_store_is_refused_before_reading(session: Session) -> None:
    with pytest.raises(NotFound):
        import_file(session, "st_missing", "woocommerce-products", "woocommerce_products.csv")


def test_a_products_file_without_a_price_column_is_refused(session: Session, store: StoreAccess) -> None:
    with pytest.raises(MissingColumns, match="'Regular price'"):
        import_bytes(session, store.store_id, "woocommerce-products", b"SKU,Name\nA,B\n")
