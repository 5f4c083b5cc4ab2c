"""Orders: upsert one or a batch, read one, list with filters."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from goodword import intake
from goodword.stores import orders
from goodword.stores.inputs import IDENTIFIER_PATTERN, Moment, OrderIn
from goodword.stores.models import OrderStatus
from goodword.web.api.v1.common import (
    BatchOut,
    Cursor,
    IdentifierPath,
    Limit,
    OutModel,
    PageOut,
    created_or_ok,
    fingerprint,
    respond_idempotently,
    single_item,
)
from goodword.web.deps import IdempotencyKeyDep, ReaderDep, SessionDep, WriterDep

router = APIRouter(prefix="/orders", tags=["orders"])


class OrderLineOut(OutModel):
    sku: str | None
    title: str
    quantity: int
    unit_price_minor: int
    total_minor: int


class OrderOut(OutModel):
    external_id: str
    customer_external_id: str | None
    status: OrderStatus
    currency: str
    subtotal_minor: int
    discount_minor: int
    shipping_minor: int
    tax_minor: int
    total_minor: int
    placed_at: datetime
    paid_at: datetime | None
    fulfilled_at: datetime | None
    refunded_at: datetime | None
    cancelled_at: datetime | None
    created_at: datetime
    updated_at: datetime
    lines: list[OrderLineOut]


class OrderBatchIn(BaseModel):
    items: list[OrderIn] = Field(min_length=1, max_length=1000)


@router.post("", response_model=OrderOut, status_code=201, responses={200: {"model": OrderOut}})
def upsert_order(body: OrderIn, session: SessionDep, caller: WriterDep, key: IdempotencyKeyDep) -> Response:
    """Create an order, or update the one with this external id (201 when created, 200 otherwise)."""

    def produce() -> tuple[int, BaseModel]:
        with single_item():
            [outcome] = intake.upsert_orders(session, store_id=caller.store_id, orders=[body], source="api")
        order = orders.get_order(session, store_id=caller.store_id, external_id=body.external_id)
        return created_or_ok(outcome), OrderOut.model_validate(order)

    return respond_idempotently(
        session, caller=caller, key=key, request_fingerprint=fingerprint("orders", body), produce=produce
    )


@router.post("/batch", response_model=BatchOut)
def upsert_order_batch(
    body: OrderBatchIn, session: SessionDep, caller: WriterDep, key: IdempotencyKeyDep
) -> Response:
    """Create or update up to 1,000 orders at once; all or nothing."""

    def produce() -> tuple[int, BaseModel]:
        outcomes = intake.upsert_orders(session, store_id=caller.store_id, orders=body.items, source="api")
        return 200, BatchOut.of(outcomes)

    return respond_idempotently(
        session,
        caller=caller,
        key=key,
        request_fingerprint=fingerprint("orders/batch", body),
        produce=produce,
    )


@router.get("", response_model=PageOut[OrderOut])
def list_orders(
    session: SessionDep,
    caller: ReaderDep,
    cursor: Cursor = None,
    limit: Limit = 50,
    status: OrderStatus | None = None,
    customer: Annotated[
        str | None, Query(pattern=IDENTIFIER_PATTERN, description="The customer's external id.")
    ] = None,
    placed_after: Moment | None = None,
    placed_before: Moment | None = None,
) -> PageOut[OrderOut]:
    filters = orders.OrderFilter(status, customer, placed_after, placed_before)
    page = orders.list_orders(session, store_id=caller.store_id, filters=filters, cursor=cursor, limit=limit)
    return PageOut(data=[OrderOut.model_validate(o) for o in page.items], next_cursor=page.next_cursor)


@router.get("/{external_id}", response_model=OrderOut)
def get_order(external_id: IdentifierPath, session: SessionDep, caller: ReaderDep) -> OrderOut:
    return OrderOut.model_validate(
        orders.get_order(session, store_id=caller.store_id, external_id=external_id)
    )
