"""Consent: a customer's marketing consent withdrawn through the API (the shop's own unsubscribe form)."""

from __future__ import annotations

from fastapi import APIRouter

from goodword.messaging.unsubscribe import FROM_API, unsubscribe
from goodword.web.api.v1.common import IdentifierPath
from goodword.web.api.v1.customers import CustomerOut
from goodword.web.deps import SessionDep, WriterDep

router = APIRouter(prefix="/customers", tags=["customers"])


@router.post("/{external_id}/unsubscribe", response_model=CustomerOut)
def unsubscribe_customer(external_id: IdentifierPath, session: SessionDep, caller: WriterDep) -> CustomerOut:
    """Withdraw the customer's marketing consent; the change is recorded once, repeats change nothing."""
    customer = unsubscribe(session, store_id=caller.store_id, external_id=external_id, source=FROM_API)
    return CustomerOut.model_validate(customer)
