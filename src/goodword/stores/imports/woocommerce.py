"""WooCommerce's CSV files: the core product exporter, the Analytics > Customers download, and orders as the
"Order Export & Order Import for WooCommerce" plugin (WebToffee) writes them; WooCommerce has no order CSV.

Orders: order_id, order_date, status, order_total and customer_email are required; order_number (the external
id when present, else order_id), order_currency (else the store's), order_subtotal, cart_discount,
order_shipping, order_total_tax, paid_date, completed_date, billing_first_name, billing_last_name,
billing_phone, customer_id and line_item_1 … line_item_N are read when present. A line item cell reads
"name:Oolong|product_id:12|sku:OOL-1|quantity:2|total:25.00|sub_total:25.00"; its unit price is sub_total (or
total) over quantity, rounded to the nearest minor unit. Dates carry no offset and are taken as UTC. Status:
completed → fulfilled, processing → paid, refunded → refunded, cancelled and failed → cancelled, pending,
on-hold and checkout-draft → pending (with or without the "wc-" prefix).

Customers: Email is required; Name, Username and Date registered are read when present. Without an email the
customer is known by Username. The download has no marketing consent, so none is recorded.

Products: SKU, Name and Regular price are required; Images (comma-separated URLs, the first is kept) is read
when present. A row without a SKU is rejected: goodword knows products by SKU. The currency is the store's;
the sale price and the Published flag are not imported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from pydantic import ValidationError

from goodword.money import parse_amount
from goodword.stores.imports.cells import CellError, amount, moment, text, validation_reason, whole_number
from goodword.stores.imports.formats import ImportFormat, Item, Parsed, StoreFacts
from goodword.stores.imports.identity import cached_customer, customer_external_id
from goodword.stores.imports.reading import Record
from goodword.stores.imports.report import Rejection
from goodword.stores.imports.writing import write_customers, write_orders, write_products
from goodword.stores.inputs import CustomerIn, OrderIn, ProductIn
from goodword.stores.models import OrderStatus

_STATUS = {
    "completed": OrderStatus.FULFILLED,
    "processing": OrderStatus.PAID,
    "refunded": OrderStatus.REFUNDED,
    "cancelled": OrderStatus.CANCELLED,
    "failed": OrderStatus.CANCELLED,
    "pending": OrderStatus.PENDING,
    "on-hold": OrderStatus.PENDING,
    "checkout-draft": OrderStatus.PENDING,
}
_LINE_ITEM_COLUMN = re.compile(r"^line_item_\d+$")
_ORDER_COLUMNS = {
    "external_id": "order_number",
    "currency": "order_currency",
    "customer.email": "customer_email",
    "email": "customer_email",
    "phone": "billing_phone",
    "name": "billing_first_name",
    "lines.*.sku": "line_item sku",
    "lines.*.title": "line_item name",
    "lines.*.quantity": "line_item quantity",
}
_CUSTOMER_COLUMNS = {"external_id": "Username", "email": "Email", "name": "Name"}
_PRODUCT_COLUMNS = {"sku": "SKU", "title": "Name", "image_url": "Images", "price_minor": "Regular price"}


def parse_orders(records: Iterable[Record], store: StoreFacts) -> Iterator[Parsed[OrderIn]]:
    line_columns: list[str] | None = None
    for record in records:
        if line_columns is None:
            line_columns = sorted(
                (name for name in record.cells if _LINE_ITEM_COLUMN.match(name)), key=lambda n: int(n[10:])
            )
        external_id = (text(record.cells, "order_number") or text(record.cells, "order_id") or "").strip()
        try:
            order = OrderIn.model_validate(_order_fields(record.cells, external_id, line_columns, store))
            yield Item(record.line, external_id, order)
        except CellError as error:
            yield Rejection(record.line, f"order {external_id!r}: {error}")
        except ValidationError as error:
            yield Rejection(record.line, f"order {external_id!r}: {validation_reason(error, _ORDER_COLUMNS)}")


def _order_fields(
    cells: dict[str, str], external_id: str, line_columns: list[str], store: StoreFacts
) -> dict[str, Any]:
    currency = text(cells, "order_currency") or store.currency
    total = amount(cells, "order_total", currency)
    placed_at = moment(cells, "order_date")
    if total is None or placed_at is None:
        raise CellError(f"{'order_total' if total is None else 'order_date'}: is empty")
    status_text = cells["status"].strip().lower().removeprefix("wc-")
    status = _STATUS.get(status_text)
    if status is None:
        raise CellError(f"status: {cells['status']!r} is not a WooCommerce order status")
    return {
        "external_id": external_id,
        "customer": _buyer(cells),
        "status": status,
        "currency": currency,
        "subtotal_minor": amount(cells, "order_subtotal", currency),
        "discount_minor": amount(cells, "cart_discount", currency) or 0,
        "shipping_minor": amount(cells, "order_shipping", currency) or 0,
        "tax_minor": amount(cells, "order_total_tax", currency) or 0,
        "total_minor": total,
        "placed_at": placed_at,
        "paid_at": moment(cells, "paid_date"),
        "fulfilled_at": moment(cells, "completed_date"),
        "lines": [
            _line(value, column, currency) for column in line_columns if (value := cells[column].strip())
        ],
    }


def _buyer(cells: dict[str, str]) -> CustomerIn | None:
    email = text(cells, "customer_email")
    customer_id = text(cells, "customer_id")
    # customer_id 0 is a guest checkout: no account to know the buyer by.
    external_id = customer_external_id(
        email, shop_prefix="woocommerce", shop_id=customer_id if customer_id != "0" else None
    )
    if external_id is None:
        return None
    name = " ".join(
        part for part in (text(cells, "billing_first_name"), text(cells, "billing_last_name")) if part
    )
    return cached_customer(external_id, email, text(cells, "billing_phone"), name or None, False)


def _line(value: str, column: str, currency: str) -> dict[str, Any]:
    parts = dict(part.partition(":")[::2] for part in value.split("|"))
    quantity = whole_number(parts.get("quantity", ""), f"{column} quantity")
    price_text = parts.get("sub_total") or parts.get("total") or ""
    try:
        line_total = parse_amount(price_text, currency)
    except ValueError as error:
        raise CellError(f"{column} sub_total: {error}") from None
    # Rounded half up to the nearest minor unit; the order's own subtotal and total stay exact.
    unit_price = (2 * line_total + quantity) // (2 * quantity) if quantity > 0 else line_total
    return {"sku": parts.get("sku") or None, "title": parts.get("name", ""), "quantity": quantity,
            "unit_price_minor": unit_price}  # fmt: skip


def parse_customers(records: Iterable[Record], store: StoreFacts) -> Iterator[Parsed[CustomerIn]]:
    for record in records:
        cells = record.cells
        email = text(cells, "Email")
        external_id = customer_external_id(
            email, shop_prefix="woocommerce-user", shop_id=text(cells, "Username")
        )
        if external_id is None:
            yield Rejection(record.line, "has neither Email nor Username to know the customer by")
            continue
        try:
            customer = cached_customer(
                external_id, email, None, text(cells, "Name"), False, moment(cells, "Date registered")
            )
            yield Item(record.line, external_id, customer)
        except CellError as error:
            yield Rejection(record.line, str(error))
        except ValidationError as error:
            yield Rejection(record.line, validation_reason(error, _CUSTOMER_COLUMNS))


def parse_products(records: Iterable[Record], store: StoreFacts) -> Iterator[Parsed[ProductIn]]:
    for record in records:
        cells = record.cells
        sku = text(cells, "SKU")
        if sku is None:
            yield Rejection(record.line, "SKU: is empty; goodword knows products by SKU")
            continue
        try:
            images = [url.strip() for url in cells.get("Images", "").split(",") if url.strip()]
            product = ProductIn.model_validate(
                {
                    "sku": sku,
                    "title": cells["Name"],
                    "image_url": images[0] if images else None,
                    "price_minor": amount(cells, "Regular price", store.currency),
                    "currency": store.currency,
                }
            )
            yield Item(record.line, sku, product)
        except CellError as error:
            yield Rejection(record.line, str(error))
        except ValidationError as error:
            yield Rejection(record.line, validation_reason(error, _PRODUCT_COLUMNS))


ORDERS = ImportFormat[OrderIn](
    name="woocommerce-orders",
    title="WooCommerce orders export (WebToffee layout)",
    required=("order_id", "order_date", "status", "order_total", "customer_email"),
    parse=parse_orders,
    write=write_orders,
)
CUSTOMERS = ImportFormat[CustomerIn](
    name="woocommerce-customers",
    title="WooCommerce customers download",
    required=("Email",),
    parse=parse_customers,
    write=write_customers,
)
PRODUCTS = ImportFormat[ProductIn](
    name="woocommerce-products",
    title="WooCommerce products export",
    required=("SKU", "Name", "Regular price"),
    parse=parse_products,
    write=write_products,
)
