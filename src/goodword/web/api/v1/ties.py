"""Customer ties: record who knows whom, read one, list."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel

from goodword.stores import ties
from goodword.stores.inputs import IDENTIFIER_PATTERN, TieIn
from goodword.stores.models import TieSource
from goodword.web.api.v1.common import (
    Cursor,
    Limit,
    OutModel,
    PageOut,
    RowIdPath,
    fingerprint,
    respond_idempotently,
    single_item,
)
from goodword.web.deps import IdempotencyKeyDep, ReaderDep, SessionDep, WriterDep

router = APIRouter(prefix="/ties", tags=["ties"])


class TieOut(OutModel):
    id: int
    from_external_id: str
    to_external_id: str
    source: TieSource
    created_at: datetime


@router.post("", response_model=TieOut, status_code=201, responses={200: {"model": TieOut}})
def record_tie(body: TieIn, session: SessionDep, caller: WriterDep, key: IdempotencyKeyDep) -> Response:
    """Record that one customer knows another (201 when new, 200 when it was already known)."""

    def produce() -> tuple[int, BaseModel]:
        with single_item():
            [(tie, created)] = ties.record_ties(session, store_id=caller.store_id, ties=[body])
        return (201 if created else 200), TieOut.model_validate(tie)

    return respond_idempotently(
        session, caller=caller, key=key, request_fingerprint=fingerprint("ties", body), produce=produce
    )


@router.get("", response_model=PageOut[TieOut])
def list_ties(
    session: SessionDep,
    caller: ReaderDep,
    cursor: Cursor = None,
    limit: Limit = 50,
    customer: Annotated[
        str | None, Query(pattern=IDENTIFIER_PATTERN, description="Either side's external id.")
    ] = None,
    source: TieSource | None = None,
) -> PageOut[TieOut]:
    page = ties.list_ties(
        session, store_id=caller.store_id, customer=customer, source=source, cursor=cursor, limit=limit
    )
    return PageOut(data=[TieOut.model_validate(t) for t in page.items], next_cursor=page.next_cursor)


@router.get("/{tie_id}", response_model=TieOut)
def get_tie(tie_id: RowIdPath, session: SessionDep, caller: ReaderDep) -> TieOut:
    return TieOut.model_validate(ties.get_tie(session, store_id=caller.store_id, tie_id=tie_id))
