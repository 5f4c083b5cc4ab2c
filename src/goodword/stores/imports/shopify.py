"""Shopify's CSV exports: orders (a row per line item), customers, and products (a row per variant or image).

Orders: the rows of one order are consecutive and share `Name` (such as "#1001"), which becomes the order's
external id; order-level columns are read from the order's first row only. Required columns: Name, Email,
Financial Status, Created at, Total, Lineitem quantity, Lineitem name, Lineitem price. Also read when present:
Fulfillment Status, Currency (else the store's), Subtotal, Shipping, Taxes, Discount Amount, Paid at,
Fulfilled at, Cancelled at, Phone, Accepts Marketing, Billing Name, Lineitem sku. The buyer is known by email
(see `identity`). Status: Cancelled at set → cancelled; else Financial Status refunded → refunded, voided or
expired → cancelled, paid / partially_paid / partially_refunded → paid (fulfilled when Fulfillment Status is
"fulfilled"), pending / authorized / unpaid → pending.

Customers: Email, First Name, Last Name, and Accepts Email Marketing (or the older Accepts Marketing) are
required; Customer ID and Phone are read when present.

Products: Handle, Title, Variant SKU and Variant Price are required; Image Src, Variant Image and Option1-3
Value are read when present. Title and the first image come from a product's first row; each row with a SKU is
one product (a variant's title is the product's with its option values). Rows with neither SKU nor price are
extra image rows and are skipped. The currency is the store's; the URL is the store's shop_url plus
/products/<Handle> when the store has one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from pydantic import ValidationError

from goodword.stores.imports.cells import (
    CellError,
    amount,
    moment,
    text,
    validation_reason,
    whole_number,
    yes_or_no,
)
from goodword.stores.imports.formats import ImportFormat, Item, Parsed, Skipped, StoreFacts
from goodword.stores.imports.identity import cached_customer, customer_external_id
from goodword.stores.imports.reading import Record
from goodword.stores.imports.report import Rejection
from goodword.stores.imports.writing import write_customers, write_orders, write_products
from goodword.stores.inputs import CustomerIn, OrderIn, ProductIn
from goodword.stores.models import OrderStatus

_FINANCIAL_STATUS = {
    "": OrderStatus.PENDING,
    "pending": OrderStatus.PENDING,
    "authorized": OrderStatus.PENDING,
    "unpaid": OrderStatus.PENDING,
    "paid": OrderStatus.PAID,
    "partially_paid": OrderStatus.PAID,
    "partially_refunded": OrderStatus.PAID,
    "refunded": OrderStatus.REFUNDED,
    "voided": OrderStatus.CANCELLED,
    "expired": OrderStatus.CANCELLED,
}
_ORDER_COLUMNS = {
    "external_id": "Name",
    "currency": "Currency",
    "total_minor": "Total",
    "customer.email": "Email",
    "email": "Email",
    "phone": "Phone",
    "name": "Billing Name",
    "lines.*.sku": "Lineitem sku",
    "lines.*.title": "Lineitem name",
    "lines.*.quantity": "Lineitem quantity",
    "lines.*.unit_price_minor": "Lineitem price",
}
_CUSTOMER_COLUMNS = {"external_id": "Customer ID", "email": "Email", "phone": "Phone", "name": "First Name"}
_PRODUCT_COLUMNS = {"sku": "Variant SKU", "title": "Title", "url": "Handle", "image_url": "Image Src"}


def parse_orders(records: Iterable[Record], store: StoreFacts) -> Iterator[Parsed[OrderIn]]:
    group: list[Record] = []
    for record in records:
        if group and record.cells["Name"] != group[0].cells["Name"]:
            yield _order(group, store)
            group = []
        group.append(record)
    if group:
        yield _order(group, store)


def _order(group: list[Record], store: StoreFacts) -> Item[OrderIn] | Rejection:
    first = group[0].cells
    name = first["Name"].strip()
    try:
        currency = text(first, "Currency") or store.currency
        fields: dict[str, Any] = {
            "external_id": name,
            "customer": _buyer(first),
            "status": _status(first),
            "currency": currency,
            "subtotal_minor": amount(first, "Subtotal", currency),
            "discount_minor": amount(first, "Discount Amount", currency) or 0,
            "shipping_minor": amount(first, "Shipping", currency) or 0,
            "tax_minor": amount(first, "Taxes", currency) or 0,
            "total_minor": _required(amount(first, "Total", currency), "Total"),
            "placed_at": _required(moment(first, "Created at"), "Created at"),
            "paid_at": moment(first, "Paid at"),
            "fulfilled_at": moment(first, "Fulfilled at"),
            "cancelled_at": moment(first, "Cancelled at"),
            "lines": [_line(record.cells, currency) for record in group],
        }
        return Item(group[0].line, name, OrderIn.model_validate(fields))
    except CellError as error:
        return Rejection(group[0].line, f"order {name!r}: {error}")
    except ValidationError as error:
        return Rejection(group[0].line, f"order {name!r}: {validation_reason(error, _ORDER_COLUMNS)}")


def _buyer(cells: dict[str, str]) -> CustomerIn | None:
    email = text(cells, "Email")
    external_id = customer_external_id(email, shop_prefix="shopify", shop_id=None)
    if external_id is None:
        return None
    consent = yes_or_no(cells, "Accepts Marketing") if "Accepts Marketing" in cells else False
    return cached_customer(external_id, email, text(cells, "Phone"), text(cells, "Billing Name"), consent)


def _status(cells: dict[str, str]) -> OrderStatus:
    if text(cells, "Cancelled at"):
        return OrderStatus.CANCELLED
    financial = cells["Financial Status"].strip().lower()
    status = _FINANCIAL_STATUS.get(financial)
    if status is None:
        raise CellError(f"Financial Status: {financial!r} is not a Shopify financial status")
    fulfilled = cells.get("Fulfillment Status", "").strip().lower() == "fulfilled"
    return OrderStatus.FULFILLED if status is OrderStatus.PAID and fulfilled else status


def _line(cells: dict[str, str], currency: str) -> dict[str, Any]:
    return {
        "sku": text(cells, "Lineitem sku"),
        "title": cells["Lineitem name"],
        "quantity": whole_number(cells["Lineitem quantity"], "Lineitem quantity"),
        "unit_price_minor": _required(amount(cells, "Lineitem price", currency), "Lineitem price"),
    }


def _required(value: Any, column: str) -> Any:
    if value is None:
        raise CellError(f"{column}: is empty")
    return value


def parse_customers(records: Iterable[Record], store: StoreFacts) -> Iterator[Parsed[CustomerIn]]:
    for record in records:
        cells = record.cells
        try:
            email = text(cells, "Email")
            # Spreadsheet-safe exports write ids as '12345 so that they stay text.
            shop_id = (text(cells, "Customer ID") or "").lstrip("'") or None
            external_id = customer_external_id(email, shop_prefix="shopify", shop_id=shop_id)
            if external_id is None:
                yield Rejection(record.line, "has neither Email nor Customer ID to know the customer by")
                continue
            consent_column = (
                "Accepts Email Marketing" if "Accepts Email Marketing" in cells else "Accepts Marketing"
            )
            full_name = " ".join(
                part for part in (text(cells, "First Name"), text(cells, "Last Name")) if part
            )
            customer = cached_customer(
                external_id, email, text(cells, "Phone"), full_name or None, yes_or_no(cells, consent_column)
            )
            yield Item(record.line, external_id, customer)
        except CellError as error:
            yield Rejection(record.line, str(error))
        except ValidationError as error:
            yield Rejection(record.line, validation_reason(error, _CUSTOMER_COLUMNS))


def parse_products(records: Iterable[Record], store: StoreFacts) -> Iterator[Parsed[ProductIn]]:
    handle, title, image = "", "", None
    for record in records:
        cells = record.cells
        if cells["Handle"] != handle:
            handle, title, image = cells["Handle"], cells["Title"].strip(), text(cells, "Image Src")
        sku = text(cells, "Variant SKU")
        if sku is None and text(cells, "Variant Price") is None:
            yield Skipped(record.line)
            continue
        if sku is None:
            yield Rejection(record.line, "Variant SKU: is empty; goodword knows products by SKU")
            continue
        try:
            options = [value for n in (1, 2, 3) if (value := text(cells, f"Option{n} Value"))]
            variant = " / ".join(value for value in options if value != "Default Title")
            product = ProductIn.model_validate(
                {
                    "sku": sku,
                    "title": f"{title} - {variant}" if title and variant else title,
                    "url": f"{store.shop_url.rstrip('/')}/products/{handle.strip()}"
                    if store.shop_url
                    else None,
                    "image_url": text(cells, "Variant Image") or image,
                    "price_minor": amount(cells, "Variant Price", store.currency),
                    "currency": store.currency,
                }
            )
            yield Item(record.line, sku, product)
        except CellError as error:
            yield Rejection(record.line, str(error))
        except ValidationError as error:
            yield Rejection(record.line, validation_reason(error, _PRODUCT_COLUMNS))


ORDERS = ImportFormat[OrderIn](
    name="shopify-orders",
    title="Shopify orders export",
    required=(
        "Name",
        "Email",
        "Financial Status",
        "Created at",
        "Total",
        "Lineitem quantity",
        "Lineitem name",
        "Lineitem price",
    ),
    parse=parse_orders,
    write=write_orders,
)
CUSTOMERS = ImportFormat[CustomerIn](
    name="shopify-customers",
    title="Shopify customers export",
    required=("Email", "First Name", "Last Name", ("Accepts Email Marketing", "Accepts Marketing")),
    parse=parse_customers,
    write=write_customers,
)
PRODUCTS = ImportFormat[ProductIn](
    name="shopify-products",
    title="Shopify products export",
    required=("Handle", "Title", "Variant SKU", "Variant Price"),
    parse=parse_products,
    write=write_products,
)
