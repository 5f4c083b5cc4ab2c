"""Email bounces and complaints, reported by the shop's mail provider (or a relay that parses DSNs)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field, StringConstraints

from goodword.messaging.bounces import record_bounce
from goodword.messaging.models import BounceKind
from goodword.web.api.v1.common import OutModel
from goodword.web.deps import SessionDep, WriterDep

router = APIRouter(prefix="/email-bounces", tags=["messages"])

# Not validated as deliverable syntax: a bounce is reported for whatever address the mail went to.
BouncedAddress = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
]


class BounceIn(BaseModel):
    email: BouncedAddress
    kind: BounceKind = Field(description="`hard` and `complaint` stop all further mail to the address.")
    message_id: int | None = Field(
        default=None, ge=1, le=2**63 - 1, description="The outbox message that bounced."
    )
    detail: str | None = Field(default=None, max_length=1000)


class BounceOut(OutModel):
    id: int
    email: str
    kind: BounceKind
    message_id: int | None
    detail: str | None
    recorded_at: datetime
    customers_stopped: int = Field(description="Customers who get no more email because of this report.")


@router.post("", response_model=BounceOut, status_code=201)
def report_bounce(body: BounceIn, session: SessionDep, caller: WriterDep) -> BounceOut:
    """Record a bounce or spam complaint; hard bounces and complaints stop mail to the address for good."""
    recorded = record_bounce(
        session,
        store_id=caller.store_id,
        email=body.email,
        kind=body.kind,
        message_id=body.message_id,
        detail=body.detail,
    )
    bounce = recorded.bounce
    return BounceOut(
        id=bounce.id,
        email=bounce.email,
        kind=bounce.kind,
        message_id=bounce.message_id,
        detail=bounce.detail,
        recorded_at=bounce.recorded_at,
        customers_stopped=recorded.customers_stopped,
    )
