"""Every import format by the name the CLI gives it."""

from __future__ import annotations

from typing import Any

from goodword.stores.imports import shopify, woocommerce
from goodword.stores.imports.formats import ImportFormat

# Any: each format is typed in its own input (orders, customers or products); the caller needs none of them.
FORMATS: dict[str, ImportFormat[Any]] = {
    format_.name: format_
    for format_ in (
        shopify.ORDERS,
        shopify.CUSTOMERS,
        shopify.PRODUCTS,
        woocommerce.ORDERS,
        woocommerce.CUSTOMERS,
        woocommerce.PRODUCTS,
    )
}
