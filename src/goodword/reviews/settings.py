"""Each store's review settings: when to ask for reviews, and which reviews publish without a person."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, cast

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from goodword.clock import utc_now
from goodword.db.bulk import insert_for
from goodword.reviews.models import RequestChannel, ReviewSettings

_settings = cast(Table, ReviewSettings.__table__)


class ReviewSettingsIn(BaseModel):
    """What a store may set; every field has the default a store without settings gets."""

    model_config = ConfigDict(extra="forbid", frozen=True, from_attributes=True)

    requests_enabled: bool = Field(default=True, description="Ask customers for reviews after fulfilment.")
    request_channel: RequestChannel = RequestChannel.EMAIL
    request_delay_days: Annotated[int, Field(ge=0, le=365)] = 7
    reminder_enabled: bool = True
    reminder_delay_days: Annotated[int, Field(ge=1, le=365)] = 7
    link_valid_days: Annotated[int, Field(ge=1, le=730)] = 60
    ask_recommendation: bool = Field(default=True, description='Ask "would you recommend us" (0-10, NPS).')
    auto_publish_min_rating: Annotated[int, Field(ge=1, le=5)] | None = Field(
        default=4,
        description="Publish without moderation from this rating up; null: staff approve every one.",
    )
    auto_publish_verified_only: bool = True
    rewards_reviews: bool = Field(
        default=False, description="The store rewards reviews: those written from a request are incentivized."
    )


DEFAULTS = ReviewSettingsIn()


def get_review_settings(session: Session, *, store_id: str) -> ReviewSettingsIn:
    row = session.scalars(select(ReviewSettings).where(ReviewSettings.store_id == store_id)).one_or_none()
    return DEFAULTS if row is None else ReviewSettingsIn.model_validate(row)


def settings_by_store(session: Session, *, store_ids: set[str]) -> dict[str, ReviewSettingsIn]:
    """The settings of many stores in one query (the jobs work across stores)."""
    rows = session.scalars(select(ReviewSettings).where(ReviewSettings.store_id.in_(store_ids)))
    found = {row.store_id: ReviewSettingsIn.model_validate(row) for row in rows}
    return {store_id: found.get(store_id, DEFAULTS) for store_id in store_ids}


def put_review_settings(
    session: Session, *, store_id: str, settings: ReviewSettingsIn, now: datetime | None = None
) -> ReviewSettingsIn:
    """Replace the store's review settings as a whole."""
    values = settings.model_dump() | {"store_id": store_id, "updated_at": now or utc_now()}
    statement = insert_for(session, _settings).values(values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[_settings.c.store_id],
            set_={name: statement.excluded[name] for name in values if name != "store_id"},
        )
    )
    return settings
