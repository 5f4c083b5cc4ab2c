"""Who a row's customer is: one external id for the same person across orders and customers files.

Neither Shopify's orders export nor WooCommerce's customers download carries a customer id, but all of them
carry the email address. A customer is therefore known as `email:` and the address trimmed and lower-cased,
and only without an email by the shop's own id (`shopify:<Customer ID>`, `woocommerce:<customer_id>`,
`woocommerce-user:<Username>`). Importing the customers file and the orders file thus meets in one customer.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from goodword.stores.inputs import CustomerIn


def customer_external_id(email: str | None, *, shop_prefix: str, shop_id: str | None) -> str | None:
    if email:
        # An external id travels in URL paths, so the one character an address may hold that a path may not
        # is escaped.
        return "email:" + email.strip().lower().replace("/", "%2F")
    if shop_id:
        return f"{shop_prefix}:{shop_id.strip()}"
    return None


@lru_cache(maxsize=65_536)
def cached_customer(
    external_id: str,
    email: str | None,
    phone: str | None,
    name: str | None,
    marketing_consent: bool,
    created_at: datetime | None = None,
) -> CustomerIn:
    """A validated customer; a big orders file names the same buyers again and again, and checking an email
    address is the slowest part of reading an order."""
    return CustomerIn(
        external_id=external_id,
        email=email,
        phone=phone,
        name=name,
        marketing_consent=marketing_consent,
        created_at=created_at,
    )
