"""Customers: upsert one or a batch, read one, list with filters, export and erase (privacy)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from goodword import customer_data, intake
from goodword.stores import customers
from goodword.stores.inputs import CustomerIn, Moment
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
)
from goodword.web.deps import IdempotencyKeyDep, ReaderDep, SessionDep, WriterDep

router = APIRouter(prefix="/customers", tags=["customers"])


class CustomerOut(OutModel):
    external_id: str
    email: str | None
    phone: str | None
    name: str | None
    locale: str | None
    time_zone: str | None
    marketing_consent: bool
    created_at: datetime
    updated_at: datetime
    erased_at: datetime | None


class CustomerBatchIn(BaseModel):
    items: list[CustomerIn] = Field(min_length=1, max_length=1000)


@router.post("", response_model=CustomerOut, status_code=201, responses={200: {"model": CustomerOut}})
def upsert_customer(
    body: CustomerIn, session: SessionDep, caller: WriterDep, key: IdempotencyKeyDep
) -> Response:
    """Create a customer, or update the one with this external id (201 when created, 200 otherwise)."""

    def produce() -> tuple[int, BaseModel]:
        [outcome] = intake.upsert_customers(session, store_id=caller.store_id, customers=[body], source="api")
        customer = customers.get_customer(session, store_id=caller.store_id, external_id=body.external_id)
        return created_or_ok(outcome), CustomerOut.model_validate(customer)

    return respond_idempotently(
        session, caller=caller, key=key, request_fingerprint=fingerprint("customers", body), produce=produce
    )


@router.post("/batch", response_model=BatchOut)
def upsert_customer_batch(
    body: CustomerBatchIn, session: SessionDep, caller: WriterDep, key: IdempotencyKeyDep
) -> Response:
    """Create or update up to 1,000 customers at once; all or nothing."""

    def produce() -> tuple[int, BaseModel]:
        outcomes = intake.upsert_customers(
            session, store_id=caller.store_id, customers=body.items, source="api"
        )
        return 200, BatchOut.of(outcomes)

    return respond_idempotently(
        session,
        caller=caller,
        key=key,
        request_fingerprint=fingerprint("customers/batch", body),
        produce=produce,
    )


@router.get("", response_model=PageOut[CustomerOut])
def list_customers(
    session: SessionDep,
    caller: ReaderDep,
    cursor: Cursor = None,
    limit: Limit = 50,
    email: Annotated[str | None, Query(max_length=320, pattern=r"^[^\x00]*$")] = None,
    marketing_consent: bool | None = None,
    created_after: Moment | None = None,
    created_before: Moment | None = None,
) -> PageOut[CustomerOut]:
    filters = customers.CustomerFilter(email, marketing_consent, created_after, created_before)
    page = customers.list_customers(
        session, store_id=caller.store_id, filters=filters, cursor=cursor, limit=limit
    )
    return PageOut(data=[CustomerOut.model_validate(c) for c in page.items], next_cursor=page.next_cursor)


@router.get("/{external_id}", response_model=CustomerOut)
def get_customer(external_id: IdentifierPath, session: SessionDep, caller: ReaderDep) -> CustomerOut:
    customer = customers.get_customer(session, store_id=caller.store_id, external_id=external_id)
    return CustomerOut.model_validate(customer)


@router.get("/{external_id}/export")
def export_customer(external_id: IdentifierPath, session: SessionDep, caller: ReaderDep) -> dict[str, Any]:
    """Everything Goodword holds about this customer (the right of access)."""
    return customer_data.export_customer(session, store_id=caller.store_id, external_id=external_id)


@router.post("/{external_id}/erase", response_model=CustomerOut)
def erase_customer(
    external_id: IdentifierPath, session: SessionDep, caller: WriterDep, key: IdempotencyKeyDep
) -> Response:
    """Remove the customer's personal data; their orders stay, pseudonymized (the right to erasure)."""

    def produce() -> tuple[int, BaseModel]:
        customer = customer_data.erase_customer(session, store_id=caller.store_id, external_id=external_id)
        return 200, CustomerOut.model_validate(customer)

    # Erasure renames the customer, so a plain retry would find no one: the key lets it get the first answer.
    return respond_idempotently(
        session,
        caller=caller,
        key=key,
        request_fingerprint=fingerprint(f"customers/{external_id}/erase"),
        produce=produce,
    )
