"""Products: batch upsert by SKU, lookup and listing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from goodword.clock import utc_now
from goodword.errors import NotFound
from goodword.stores.inputs import ProductIn
from goodword.stores.models import Product
from goodword.stores.pagination import Page, paginate
from goodword.stores.upserts import UpsertOutcome, find_existing, reject_duplicate_keys, upsert_rows

_products = cast(Table, Product.__table__)


def upsert_products(
    session: Session, *, store_id: str, products: Sequence[ProductIn], now: datetime | None = None
) -> list[UpsertOutcome]:
    """Create or update products by SKU.

    Raises:
        InvalidInput: the batch names one SKU twice.
    """
    now = now or utc_now()
    skus = [p.sku for p in products]
    reject_duplicate_keys(skus, field="sku")
    rows = [
        {
            "store_id": store_id,
            "sku": p.sku,
            "title": p.title,
            "url": p.url,
            "image_url": p.image_url,
            "price_minor": p.price_minor,
            "currency": p.currency,
            "content_hash": p.content_hash(),
            "created_at": now,
            "updated_at": now,
        }
        for p in products
    ]
    existing = find_existing(session, _products, store_id=store_id, key_column="sku", keys=skus)
    return upsert_rows(session, _products, store_id=store_id, key_column="sku", rows=rows, existing=existing)


def get_product(session: Session, *, store_id: str, sku: str) -> Product:
    """Raises:
    NotFound: the store has no product with this SKU.
    """
    product = session.scalars(
        select(Product).where(Product.store_id == store_id, Product.sku == sku)
    ).one_or_none()
    if product is None:
        raise NotFound(f"no product {sku!r}")
    return product


def list_products(session: Session, *, store_id: str, cursor: str | None, limit: int) -> Page[Product]:
    query = select(Product).where(Product.store_id == store_id)
    return paginate(session, query, Product.id, cursor=cursor, limit=limit)


def product_ids_by_sku(session: Session, *, store_id: str, skus: Sequence[str]) -> dict[str, int]:
    if not skus:
        return {}
    rows = session.execute(
        select(Product.sku, Product.id).where(Product.store_id == store_id, Product.sku.in_(set(skus)))
    )
    return dict(rows.all())
