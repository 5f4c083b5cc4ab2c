"""Referral programs, customers' referral links, invitations and referrals."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field, model_validator
from sqlalchemy.orm import Session

from goodword.referrals import invitations, links, programs, queries
from goodword.referrals.history import status_history
from goodword.referrals.models import (
    AttributedBy,
    AttributionModel,
    Audience,
    InvitationChannel,
    Referral,
    ReferralStatus,
    RewardForm,
    RewardRule,
)
from goodword.stores.inputs import Currency, Email, Locale, Moment, Phone, Text200
from goodword.stores.models import Customer
from goodword.web.api.v1.common import Cursor, IdentifierPath, Limit, OutModel, PageOut, RowIdPath
from goodword.web.api.v1.share import ShareLinkOut, _link_out
from goodword.web.deps import ReaderDep, SessionDep, SettingsDep, WriterDep

router = APIRouter(tags=["referrals"])
Days = Annotated[int, Field(ge=1, le=3650)]
Terms = Annotated[str, Field(max_length=20_000, pattern=r"^[^\x00]*$")]


class ProgramIn(BaseModel):
    name: Text200
    currency: Currency
    rules: programs.RewardRules
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    audience: Audience = Audience.EVERYONE
    terms_en: Terms | None = None
    terms_zh: Terms | None = None
    attribution_window_days: Days = 30
    attribution_model: AttributionModel = AttributionModel.LAST_TOUCH
    hold_days: Annotated[int, Field(ge=0, le=365)] = 14


class ProgramPatch(BaseModel):
    name: Text200 | None = None
    rules: programs.RewardRules | None = None
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    audience: Audience | None = None
    terms_en: Terms | None = None
    terms_zh: Terms | None = None
    attribution_window_days: Days | None = None
    attribution_model: AttributionModel | None = None
    hold_days: Annotated[int, Field(ge=0, le=365)] | None = None


class ProgramOut(OutModel):
    id: int
    name: str
    currency: str
    rules: dict[str, Any]
    starts_at: datetime
    ends_at: datetime | None
    audience: Audience
    terms_en: str | None
    terms_zh: str | None
    attribution_window_days: int
    attribution_model: AttributionModel
    hold_days: int
    created_at: datetime
    updated_at: datetime


@router.post("/referral-programs", response_model=ProgramOut, status_code=201)
def create_program(body: ProgramIn, session: SessionDep, caller: WriterDep) -> ProgramOut:
    """Start a referral program with its reward rules (now, unless `starts_at` is given)."""
    program = programs.create_program(
        session, store_id=caller.store_id, **{**body.model_dump(exclude={"rules"}), "rules": body.rules}
    )
    return ProgramOut.model_validate(program)


@router.get("/referral-programs", response_model=PageOut[ProgramOut])
def list_programs(
    session: SessionDep,
    caller: ReaderDep,
    cursor: Cursor = None,
    limit: Limit = 50,
    running_at: Annotated[datetime | None, Query(description="Only programs running at this moment.")] = None,
) -> PageOut[ProgramOut]:
    page = programs.list_programs(
        session, store_id=caller.store_id, running_at=running_at, cursor=cursor, limit=limit
    )
    return PageOut(data=[ProgramOut.model_validate(p) for p in page.items], next_cursor=page.next_cursor)


@router.get("/referral-programs/{program_id}", response_model=ProgramOut)
def get_program(program_id: RowIdPath, session: SessionDep, caller: ReaderDep) -> ProgramOut:
    program = programs.get_program(session, store_id=caller.store_id, program_id=program_id)
    return ProgramOut.model_validate(program)


@router.patch("/referral-programs/{program_id}", response_model=ProgramOut)
def change_program(
    program_id: RowIdPath, body: ProgramPatch, session: SessionDep, caller: WriterDep
) -> ProgramOut:
    """Change a program; referrals already made keep the rules they were made under."""
    fields = body.model_dump(exclude_unset=True, exclude={"rules"})
    changes = programs.ProgramChanges(
        **fields, rules=body.rules, clear_ends_at="ends_at" in fields and body.ends_at is None
    )
    program = programs.change_program(
        session, store_id=caller.store_id, program_id=program_id, changes=changes
    )
    return ProgramOut.model_validate(program)


@router.post("/referral-programs/{program_id}/end", response_model=ProgramOut)
def end_program(program_id: RowIdPath, session: SessionDep, caller: WriterDep) -> ProgramOut:
    """End a program now: no new referrals join it; rewards already earned are still paid."""
    program = programs.end_program(session, store_id=caller.store_id, program_id=program_id)
    return ProgramOut.model_validate(program)


class ReferralLinksOut(BaseModel):
    code: str
    link: str
    share_links: list[ShareLinkOut]


@router.get("/customers/{external_id}/referral", response_model=ReferralLinksOut)
def customer_referral(
    external_id: IdentifierPath, session: SessionDep, caller: WriterDep, settings: SettingsDep
) -> ReferralLinksOut:
    """The customer's stable code and link, and share links per channel (made on first call: a write key)."""
    found = links.links_for_customer(
        session, store_id=caller.store_id, external_id=external_id, base_url=settings.public_base_url
    )
    return ReferralLinksOut(
        code=found.code, link=found.link, share_links=[_link_out(link) for link in found.share_links]
    )


class InvitationIn(BaseModel):
    channel: InvitationChannel
    email: Email | None = None
    phone: Phone | None = None
    friend_name: Text200 | None = None
    note: Annotated[str, Field(max_length=1000, pattern=r"^[^\x00]*$")] | None = None
    locale: Locale | None = None

    @model_validator(mode="after")
    def address_for_channel(self) -> InvitationIn:
        if self.channel is InvitationChannel.EMAIL and self.email is None:
            raise ValueError("an email invitation needs `email`")
        if self.channel is InvitationChannel.SMS and self.phone is None:
            raise ValueError("an SMS invitation needs `phone`")
        return self


class InvitationOut(OutModel):
    id: int
    channel: InvitationChannel
    email: str | None
    phone: str | None
    friend_name: str | None
    status: str
    send_count: int
    created_at: datetime
    sent_at: datetime | None
    last_sent_at: datetime | None
    clicked_at: datetime | None
    registered_at: datetime | None
    converted_at: datetime | None
    referral_id: int | None


def _invitation_out(row: Any) -> InvitationOut:
    return InvitationOut.model_validate(
        {**{k: getattr(row, k) for k in InvitationOut.model_fields if k != "status"},
         "status": invitations.invitation_status(row)}
    )  # fmt: skip


@router.post("/customers/{external_id}/invitations", response_model=InvitationOut, status_code=201)
def send_invitation(
    external_id: IdentifierPath, body: InvitationIn, session: SessionDep, caller: WriterDep,
    settings: SettingsDep,
) -> InvitationOut:  # fmt: skip
    """Send an invitation from this customer by email or SMS (never to an address that opted out or bounced)."""
    row = invitations.send_invitation(
        session, store_id=caller.store_id, referrer_external_id=external_id,
        invitation=invitations.InvitationIn(**body.model_dump()), base_url=settings.public_base_url,
    )  # fmt: skip
    return _invitation_out(row)


@router.get("/customers/{external_id}/invitations", response_model=PageOut[InvitationOut])
def list_invitations(
    external_id: IdentifierPath, session: SessionDep, caller: ReaderDep, cursor: Cursor = None,
    limit: Limit = 50,
) -> PageOut[InvitationOut]:  # fmt: skip
    page = invitations.list_invitations(
        session, store_id=caller.store_id, referrer_external_id=external_id, cursor=cursor, limit=limit
    )
    return PageOut(data=[_invitation_out(row) for row in page.items], next_cursor=page.next_cursor)


@router.post("/customers/{external_id}/invitations/{invitation_id}/resend", response_model=InvitationOut)
def resend_invitation(
    external_id: IdentifierPath, invitation_id: RowIdPath, session: SessionDep, caller: WriterDep,
    settings: SettingsDep,
) -> InvitationOut:  # fmt: skip
    """Send an invitation again (at most three times, a day apart)."""
    row = invitations.resend_invitation(
        session, store_id=caller.store_id, referrer_external_id=external_id, invitation_id=invitation_id,
        base_url=settings.public_base_url,
    )  # fmt: skip
    return _invitation_out(row)


class StatusChangeOut(OutModel):
    from_status: ReferralStatus | None
    to_status: ReferralStatus
    reason: str
    actor: str
    changed_at: datetime


class RewardOut(OutModel):
    rule: RewardRule
    form: RewardForm
    amount: int
    currency: str | None
    customer_external_id: str
    order_id: int | None
    earned_at: datetime
    reversed_at: datetime | None


class ReferralOut(BaseModel):
    id: int
    program_id: int
    referrer_external_id: str
    referred_external_id: str
    status: ReferralStatus
    attributed_by: AttributedBy
    channel: str | None
    invitation_id: int | None
    variant_id: int | None
    registered_at: datetime
    converted_at: datetime | None


class ReferralDetailOut(ReferralOut):
    history: list[StatusChangeOut]
    rewards: list[RewardOut]


def _referral_out(session: Session, referral: Referral) -> dict[str, Any]:
    return {
        "id": referral.id, "program_id": referral.program_id,
        "referrer_external_id": session.get_one(Customer, referral.referrer_customer_id).external_id,
        "referred_external_id": session.get_one(Customer, referral.referred_customer_id).external_id,
        "status": referral.status, "attributed_by": referral.attributed_by, "channel": referral.channel,
        "invitation_id": referral.invitation_id, "variant_id": referral.variant_id,
        "registered_at": referral.registered_at, "converted_at": referral.converted_at,
    }  # fmt: skip


@router.get("/referrals", response_model=PageOut[ReferralOut])
def list_referrals(
    session: SessionDep,
    caller: ReaderDep,
    referrer: Annotated[str | None, Query(max_length=255, description="The referrer's external id.")] = None,
    status: ReferralStatus | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> PageOut[ReferralOut]:
    page = queries.list_referrals(
        session, store_id=caller.store_id, referrer_external_id=referrer, status=status, cursor=cursor,
        limit=limit,
    )  # fmt: skip
    return PageOut(
        data=[ReferralOut(**_referral_out(session, r)) for r in page.items], next_cursor=page.next_cursor
    )


@router.get("/referrals/{referral_id}", response_model=ReferralDetailOut)
def get_referral(referral_id: RowIdPath, session: SessionDep, caller: ReaderDep) -> ReferralDetailOut:
    """One referral with its status history and the rewards it earned."""
    referral = queries.get_referral(session, store_id=caller.store_id, referral_id=referral_id)
    history = status_history(session, store_id=caller.store_id, referral_id=referral_id)
    rewards = [
        RewardOut.model_validate(
            {**{k: getattr(r, k) for k in RewardOut.model_fields if k != "customer_external_id"},
             "customer_external_id": session.get_one(Customer, r.customer_id).external_id}
        )
        for r in queries.referral_rewards(session, store_id=caller.store_id, referral_id=referral_id)
    ]  # fmt: skip
    return ReferralDetailOut(
        **_referral_out(session, referral),
        history=[StatusChangeOut.model_validate(h) for h in history],
        rewards=rewards,
    )
