"""Products: upsert by SKU, read one, list."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel

from goodword.stores import products
from goodword.stores.inputs import ProductIn
from goodword.web.api.v1.common import (
    Cursor,
    IdentifierPath,
    Limit,
    OutModel,
    PageOut,
    created_or_ok,
    fingerprint,
    respond_idempotently,
)
from goodword.web.deps import IdempotencyKeyDep, ReaderDep, SessionDep, WriterDep

router = APIRouter(prefix="/products", tags=["products"])


class ProductOut(OutModel):
    sku: str
    title: str
    url: str | None
    image_url: str | None
    price_minor: int | None
    currency: str | None
    created_at: datetime
    updated_at: datetime


@router.post("", response_model=ProductOut, status_code=201, responses={200: {"model": ProductOut}})
def upsert_product(
    body: ProductIn, session: SessionDep, caller: WriterDep, key: IdempotencyKeyDep
) -> Response:
    """Create a product, or update the one with this SKU (201 when created, 200 otherwise)."""

    def produce() -> tuple[int, BaseModel]:
        [outcome] = products.upsert_products(session, store_id=caller.store_id, products=[body])
        product = products.get_product(session, store_id=caller.store_id, sku=body.sku)
        return created_or_ok(outcome), ProductOut.model_validate(product)

    return respond_idempotently(
        session, caller=caller, key=key, request_fingerprint=fingerprint("products", body), produce=produce
    )


@router.get("", response_model=PageOut[ProductOut])
def list_products(
    session: SessionDep, caller: ReaderDep, cursor: Cursor = None, limit: Limit = 50
) -> PageOut[ProductOut]:
    page = products.list_products(session, store_id=caller.store_id, cursor=cursor, limit=limit)
    return PageOut(data=[ProductOut.model_validate(p) for p in page.items], next_cursor=page.next_cursor)


@router.get("/{sku}", response_model=ProductOut)
def get_product(sku: IdentifierPath, session: SessionDep, caller: ReaderDep) -> ProductOut:
    return ProductOut.model_validate(products.get_product(session, store_id=caller.store_id, sku=sku))
