"""Outgoing webhook endpoints of the calling store: create, list, read, delete, rotate, test, delivery log.

A secret appears in two answers only: creation and rotation. Neither honours Idempotency-Key, because a
replayable answer would have to be stored, and a signing secret is not kept a second time in the idempotency
table nor handed out again. A retried rotation is safe anyway (see `rotate_secret`); a retried creation
shows up in the list and can be deleted.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel, Field

from goodword.messaging import endpoints, events
from goodword.messaging.models import WebhookEndpoint
from goodword.stores.inputs import Text500
from goodword.web.api.v1.common import (
    Cursor,
    Limit,
    OutModel,
    PageOut,
    RowIdPath,
    fingerprint,
    respond_idempotently,
)
from goodword.web.deps import IdempotencyKeyDep, ReaderDep, SessionDep, WriterDep

router = APIRouter(prefix="/webhook-endpoints", tags=["webhook endpoints"])


class EndpointIn(BaseModel):
    url: Annotated[str, Field(min_length=1, max_length=endpoints.MAX_URL_LENGTH)]
    event_types: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=64)]], Field(min_length=1, max_length=100)
    ] = Field(description="Event types to receive; `*` for every type, including ones added later.")
    description: Text500 | None = None


class RotateIn(BaseModel):
    overlap_hours: float = Field(
        default=24, ge=0, le=24 * 7, description="How long the old secret keeps signing beside the new one."
    )


class EndpointOut(OutModel):
    id: int
    url: str
    description: str | None
    event_types: list[str]
    enabled: bool
    disabled_reason: str | None
    failing_since: datetime | None
    previous_secret_expires_at: datetime | None = Field(
        description="While set and in the future, the previous secret signs beside the current one."
    )
    created_at: datetime

    @classmethod
    def of(cls, endpoint: WebhookEndpoint) -> EndpointOut:
        return cls.model_validate(
            {
                **{f: getattr(endpoint, f) for f in cls.model_fields},
                "event_types": endpoints.event_types_of(endpoint),
            }
        )


class EndpointWithSecretOut(EndpointOut):
    secret: str = Field(
        description="The signing secret (`whsec_...`). Shown this once; rotate to get another."
    )


class QueuedTestEventOut(BaseModel):
    event_id: str
    message_id: int


class DeliveryOut(OutModel):
    id: int
    message_id: int
    event_type: str
    attempt: int
    succeeded: bool
    status_code: int | None
    error: str | None
    duration_ms: int
    started_at: datetime


def _with_secret(endpoint: WebhookEndpoint) -> EndpointWithSecretOut:
    return EndpointWithSecretOut(**EndpointOut.of(endpoint).model_dump(), secret=endpoint.secret)


@router.post("", status_code=201)
def create_endpoint(body: EndpointIn, session: SessionDep, caller: WriterDep) -> EndpointWithSecretOut:
    """Register an endpoint; the answer carries its signing secret, shown this once."""
    endpoint = endpoints.create_endpoint(
        session,
        store_id=caller.store_id,
        url=body.url,
        event_types=body.event_types,
        description=body.description,
    )
    return _with_secret(endpoint)


@router.get("")
def list_endpoints(
    session: SessionDep, caller: ReaderDep, cursor: Cursor = None, limit: Limit = 50
) -> PageOut[EndpointOut]:
    page = endpoints.list_endpoints(session, store_id=caller.store_id, cursor=cursor, limit=limit)
    return PageOut(data=[EndpointOut.of(e) for e in page.items], next_cursor=page.next_cursor)


@router.get("/{endpoint_id}")
def get_endpoint(endpoint_id: RowIdPath, session: SessionDep, caller: ReaderDep) -> EndpointOut:
    return EndpointOut.of(endpoints.get_endpoint(session, store_id=caller.store_id, endpoint_id=endpoint_id))


@router.delete("/{endpoint_id}")
def delete_endpoint(endpoint_id: RowIdPath, session: SessionDep, caller: WriterDep) -> EndpointOut:
    """Delete the endpoint; what is still pending for it is not sent."""
    deleted = endpoints.delete_endpoint(session, store_id=caller.store_id, endpoint_id=endpoint_id)
    return EndpointOut.of(deleted)


@router.post("/{endpoint_id}/rotate-secret")
def rotate_secret(
    endpoint_id: RowIdPath, session: SessionDep, caller: WriterDep, body: RotateIn | None = None
) -> EndpointWithSecretOut:
    """A new signing secret, shown this once; the old one signs beside it until the overlap ends."""
    overlap = (body or RotateIn()).overlap_hours
    rotated = endpoints.rotate_secret(
        session,
        store_id=caller.store_id,
        endpoint_id=endpoint_id,
        overlap=timedelta(hours=overlap),
    )
    return _with_secret(rotated)


@router.post("/{endpoint_id}/test", status_code=202, response_model=QueuedTestEventOut)
def send_test_event(
    endpoint_id: RowIdPath, session: SessionDep, caller: WriterDep, key: IdempotencyKeyDep
) -> Response:
    """Queue a `webhook.test` event for this endpoint; its delivery shows in the delivery log."""

    def produce() -> tuple[int, BaseModel]:
        sent = events.send_test_event(session, store_id=caller.store_id, endpoint_id=endpoint_id)
        return 202, QueuedTestEventOut(event_id=sent.event_id, message_id=sent.message_ids[0])

    return respond_idempotently(
        session,
        caller=caller,
        key=key,
        request_fingerprint=fingerprint(f"webhook-endpoints/{endpoint_id}/test"),
        produce=produce,
    )


@router.get("/{endpoint_id}/deliveries")
def list_deliveries(
    endpoint_id: RowIdPath, session: SessionDep, caller: ReaderDep, cursor: Cursor = None, limit: Limit = 50
) -> PageOut[DeliveryOut]:
    """Every attempt at delivering an event to this endpoint, oldest first."""
    page = endpoints.list_deliveries(
        session, store_id=caller.store_id, endpoint_id=endpoint_id, cursor=cursor, limit=limit
    )
    return PageOut(data=[DeliveryOut.model_validate(d) for d in page.items], next_cursor=page.next_cursor)
