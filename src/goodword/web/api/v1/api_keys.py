"""API keys of the calling store: issue (shown once), list, revoke."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from goodword.stores import api_keys
from goodword.stores.inputs import Text200
from goodword.stores.models import ApiKeyScope
from goodword.web.api.v1.common import OutModel, RowIdPath
from goodword.web.deps import SessionDep, WriterDep

router = APIRouter(prefix="/api-keys", tags=["api keys"])


class ApiKeyIn(BaseModel):
    name: Text200
    scope: ApiKeyScope


class ApiKeyOut(OutModel):
    id: int
    name: str
    prefix: str
    scope: ApiKeyScope
    created_at: datetime
    revoked_at: datetime | None


class IssuedApiKeyOut(ApiKeyOut):
    key: str = Field(description="The whole key. It is shown this once and cannot be recovered.")


@router.post("", status_code=201)
def issue_api_key(body: ApiKeyIn, session: SessionDep, caller: WriterDep) -> IssuedApiKeyOut:
    issued = api_keys.issue_api_key(session, store_id=caller.store_id, name=body.name, scope=body.scope)
    return IssuedApiKeyOut(**ApiKeyOut.model_validate(issued.api_key).model_dump(), key=issued.token)


@router.get("")
def list_api_keys(session: SessionDep, caller: WriterDep) -> list[ApiKeyOut]:
    return [ApiKeyOut.model_validate(k) for k in api_keys.list_api_keys(session, store_id=caller.store_id)]


@router.delete("/{api_key_id}")
def revoke_api_key(api_key_id: RowIdPath, session: SessionDep, caller: WriterDep) -> ApiKeyOut:
    revoked = api_keys.revoke_api_key(session, store_id=caller.store_id, api_key_id=api_key_id)
    return ApiKeyOut.model_validate(revoked)
