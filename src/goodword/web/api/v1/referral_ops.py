"""Referral operations: fraud review, thresholds, follow-ups, reminders and campaigns, offer experiments."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from goodword.referrals import campaigns, experiments, followups, review
from goodword.referrals.experiment_report import experiment_report
from goodword.referrals.ops_models import Allocation, FollowUpSubject, ReviewDecision
from goodword.referrals.ops_policy import Policy, get_policy, set_policy
from goodword.web.api.v1.common import Cursor, Limit, OutModel, PageOut, RowIdPath
from goodword.web.deps import Caller, ReaderDep, SessionDep, WriterDep

router = APIRouter(tags=["referral operations"])


def staff(caller: Caller) -> str:
    """Who acted, as decisions record it: the API key that made the request."""
    return f"staff:api-key:{caller.api_key_id}"


class FindingOut(OutModel):
    code: str
    detail: str


class DecisionOut(OutModel):
    decision: ReviewDecision
    note: str | None
    decided_by: str
    decided_at: datetime


class ReferralCaseOut(BaseModel):
    referral_id: int
    status: str
    program_id: int
    referrer_external_id: str
    friend_external_id: str
    registered_at: datetime
    held: bool = Field(description="Whether the fraud guard held the referral for review.")
    reasons: list[FindingOut]
    thresholds: dict[str, Any] | None = Field(description="The fraud policy in force when it was assessed.")
    assessed_at: datetime | None
    decision: DecisionOut | None

    @classmethod
    def of(cls, case: review.ReferralCase) -> ReferralCaseOut:
        assessment = case.assessment
        return cls(
            referral_id=case.referral.id,
            status=case.referral.status.value,
            program_id=case.referral.program_id,
            referrer_external_id=case.referrer_external_id,
            friend_external_id=case.friend_external_id,
            registered_at=case.referral.registered_at,
            held=bool(assessment and assessment.held),
            reasons=[FindingOut.model_validate(f) for f in case.findings],
            thresholds=assessment.policy if assessment else None,
            assessed_at=assessment.assessed_at if assessment else None,
            decision=DecisionOut.model_validate(case.decision) if case.decision else None,
        )


class ReviewIn(BaseModel):
    decision: ReviewDecision
    note: Annotated[str, Field(max_length=1000, pattern=r"^[^\x00]*$")] | None = None


@router.get("/referral-reviews", response_model=PageOut[ReferralCaseOut])
def list_referral_reviews(
    session: SessionDep, caller: ReaderDep, cursor: Cursor = None, limit: Limit = 50
) -> PageOut[ReferralCaseOut]:
    """Held referrals awaiting a decision, oldest first, each with every reason the fraud guard gave."""
    page = review.review_queue(session, store_id=caller.store_id, cursor=cursor, limit=limit)
    return PageOut(data=[ReferralCaseOut.of(c) for c in page.items], next_cursor=page.next_cursor)


@router.get("/referrals/{referral_id}/fraud-reasons", response_model=ReferralCaseOut)
def get_fraud_reasons(referral_id: RowIdPath, session: SessionDep, caller: ReaderDep) -> ReferralCaseOut:
    """What the fraud guard saw and decided about one referral, and staff's decision if any."""
    case = review.referral_case(session, store_id=caller.store_id, referral_id=referral_id)
    return ReferralCaseOut.of(case)


@router.post("/referrals/{referral_id}/review", response_model=ReferralCaseOut)
def review_referral(
    referral_id: RowIdPath, body: ReviewIn, session: SessionDep, caller: WriterDep
) -> ReferralCaseOut:
    """Approve (rewards follow) or reject (nothing is earned) a held referral; decided once, recorded."""
    case = review.decide(
        session,
        store_id=caller.store_id,
        referral_id=referral_id,
        decision=body.decision,
        note=body.note,
        who=staff(caller),
    )
    return ReferralCaseOut.of(case)


@router.get("/referral-ops/policy", response_model=Policy)
def get_ops_policy(session: SessionDep, caller: ReaderDep) -> Policy:
    """The store's fraud thresholds, reminder steps and follow-up windows (defaults filled in)."""
    return get_policy(session, store_id=caller.store_id)


@router.patch("/referral-ops/policy", response_model=Policy)
def change_ops_policy(body: dict[str, Any], session: SessionDep, caller: WriterDep) -> Policy:
    """Change some thresholds; the names are those `GET /referral-ops/policy` returns."""
    return set_policy(session, store_id=caller.store_id, changes=body, who=staff(caller))


class VariantIn(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[^\x00]*$")]
    weight: Annotated[int, Field(ge=0, le=10_000)] = 1
    rules: dict[str, Any] = Field(
        default_factory=dict, description="Overrides of the program's reward rules."
    )


class ExperimentIn(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00]*$")]
    allocation: Allocation = Allocation.FIXED
    seed: Annotated[int, Field(ge=0, le=2**62)] | None = Field(
        default=None, description="Seeds Thompson sampling and the report's Monte Carlo; drawn when absent."
    )
    variants: list[VariantIn] = Field(min_length=2, max_length=10)


class VariantOut(OutModel):
    id: int
    name: str
    weight: int
    rules: dict[str, Any]


class ExperimentOut(BaseModel):
    id: int
    program_id: int
    name: str
    allocation: Allocation
    seed: int
    started_at: datetime
    stopped_at: datetime | None
    variants: list[VariantOut]

    @classmethod
    def of(cls, found: experiments.Experiment) -> ExperimentOut:
        e = found.experiment
        return cls(
            id=e.id, program_id=e.program_id, name=e.name, allocation=e.allocation, seed=e.seed,
            started_at=e.started_at, stopped_at=e.stopped_at,
            variants=[VariantOut.model_validate(v) for v in found.variants],
        )  # fmt: skip


class VariantReportOut(OutModel):
    variant_id: int
    name: str
    weight: int
    assigned: int
    shared: int
    share_rate: float | None
    friends_reached: int
    registered: int
    converted: int
    conversion_rate: float | None
    reward_cost_minor: int
    reward_points: int
    cost_per_acquired_customer_minor: int | None
    p_value_vs_control: float | None
    probability_best: float


class ExperimentReportOut(OutModel):
    experiment_id: int
    currency: str
    definitions: dict[str, str]
    variants: list[VariantReportOut]


@router.post("/referral-programs/{program_id}/experiments", response_model=ExperimentOut, status_code=201)
def create_experiment(
    program_id: RowIdPath, body: ExperimentIn, session: SessionDep, caller: WriterDep
) -> ExperimentOut:
    """Split the program's referrers between reward variants (fixed weights or Thompson sampling)."""
    found = experiments.create_experiment(
        session, store_id=caller.store_id, program_id=program_id, name=body.name, allocation=body.allocation,
        variants=[experiments.VariantSpec(v.name, v.weight, v.rules) for v in body.variants],
        who=staff(caller), seed=body.seed,
    )  # fmt: skip
    return ExperimentOut.of(found)


@router.get("/referral-programs/{program_id}/experiments", response_model=list[ExperimentOut])
def list_experiments(program_id: RowIdPath, session: SessionDep, caller: ReaderDep) -> list[ExperimentOut]:
    found = experiments.list_experiments(session, store_id=caller.store_id, program_id=program_id)
    return [ExperimentOut.of(e) for e in found]


@router.post("/experiments/{experiment_id}/stop", response_model=ExperimentOut)
def stop_experiment(experiment_id: RowIdPath, session: SessionDep, caller: WriterDep) -> ExperimentOut:
    """Stop assigning referrers; those assigned keep their variant."""
    found = experiments.stop_experiment(
        session, store_id=caller.store_id, experiment_id=experiment_id, who=staff(caller)
    )
    return ExperimentOut.of(found)


@router.get("/experiments/{experiment_id}/report", response_model=ExperimentReportOut)
def get_experiment_report(
    experiment_id: RowIdPath, session: SessionDep, caller: ReaderDep
) -> ExperimentReportOut:
    """Per variant: share rate, conversion, cost per acquired customer, p-value and probability of being best."""
    report = experiment_report(session, store_id=caller.store_id, experiment_id=experiment_id)
    return ExperimentReportOut.model_validate(report)


FollowUpKey = Annotated[str, PathParam(pattern=r"^(invitation|referral)-[0-9]{1,18}$")]


class ClaimOut(OutModel):
    claimed_by: str
    claimed_at: datetime
    closed_at: datetime | None
    closed_by: str | None
    outcome: str | None


class StalledOut(OutModel):
    id: str = Field(validation_alias="key")
    subject: FollowUpSubject
    subject_id: int
    contact_email: str | None
    contact_phone: str | None
    friend_name: str | None
    stalled_since: datetime
    claim: ClaimOut | None


class NoteIn(BaseModel):
    text: Annotated[str, Field(min_length=1, max_length=5000, pattern=r"^[^\x00]*$")]


class NoteOut(OutModel):
    text: str
    author: str
    created_at: datetime


class CloseIn(BaseModel):
    outcome: followups.Outcome
    note: Annotated[str, Field(max_length=5000, pattern=r"^[^\x00]*$")] | None = None


@router.get("/follow-ups", response_model=PageOut[StalledOut])
def list_follow_ups(
    session: SessionDep,
    caller: ReaderDep,
    kind: FollowUpSubject = FollowUpSubject.INVITATION,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> PageOut[StalledOut]:
    """Stalled invitations (clicked, not registered) or referrals (registered, not bought) not yet closed."""
    page = followups.stalled(session, store_id=caller.store_id, subject=kind, cursor=cursor, limit=limit)
    return PageOut(data=[StalledOut.model_validate(i) for i in page.items], next_cursor=page.next_cursor)


@router.post("/follow-ups/{follow_up_id}/claim", response_model=ClaimOut)
def claim_follow_up(follow_up_id: FollowUpKey, session: SessionDep, caller: WriterDep) -> ClaimOut:
    """Claim a stalled item so nobody else calls the same friend."""
    return ClaimOut.model_validate(
        followups.claim(session, store_id=caller.store_id, key=follow_up_id, who=staff(caller))
    )


@router.post("/follow-ups/{follow_up_id}/notes", response_model=NoteOut, status_code=201)
def add_follow_up_note(
    follow_up_id: FollowUpKey, body: NoteIn, session: SessionDep, caller: WriterDep
) -> NoteOut:
    note = followups.add_note(
        session, store_id=caller.store_id, key=follow_up_id, text=body.text, who=staff(caller)
    )
    return NoteOut.model_validate(note)


@router.post("/follow-ups/{follow_up_id}/close", response_model=ClaimOut)
def close_follow_up(
    follow_up_id: FollowUpKey, body: CloseIn, session: SessionDep, caller: WriterDep
) -> ClaimOut:
    closed = followups.close(
        session,
        store_id=caller.store_id,
        key=follow_up_id,
        outcome=body.outcome,
        note=body.note,
        who=staff(caller),
    )
    return ClaimOut.model_validate(closed)


Text200 = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00]*$")]
Text20k = Annotated[str, Field(min_length=1, max_length=20_000, pattern=r"^[^\x00]*$")]


class SegmentIn(BaseModel):
    tier: Annotated[str, Field(max_length=64)] | None = Field(
        default=None, description="A member tier's name."
    )
    has_shared: bool | None = None
    min_paid_orders: Annotated[int, Field(ge=0, le=100_000)] | None = None
    language: Literal["en", "zh"] | None = None


class AnnouncementIn(BaseModel):
    subjects: dict[Literal["en", "zh"], Text200] = Field(
        description="Subject per language; English required."
    )
    bodies: dict[Literal["en", "zh"], Text20k]
    segment: SegmentIn = Field(default_factory=SegmentIn)


class AnnouncementOut(OutModel):
    id: int
    subjects: dict[str, str]
    bodies: dict[str, str]
    segment: dict[str, Any]
    recipients: int
    created_by: str
    created_at: datetime


@router.post("/announcements", response_model=AnnouncementOut, status_code=201)
def create_announcement(body: AnnouncementIn, session: SessionDep, caller: WriterDep) -> AnnouncementOut:
    """Queue a marketing email to every consenting customer in the segment (consent is checked again at delivery)."""
    announcement = campaigns.announce(
        session, store_id=caller.store_id, subjects={str(k): v for k, v in body.subjects.items()},
        bodies={str(k): v for k, v in body.bodies.items()},
        segment=campaigns.Segment(**body.segment.model_dump()), who=staff(caller),
    )  # fmt: skip
    return AnnouncementOut.model_validate(announcement)


@router.get("/announcements", response_model=PageOut[AnnouncementOut])
def list_announcements(
    session: SessionDep, caller: ReaderDep, cursor: Cursor = None, limit: Limit = 50
) -> PageOut[AnnouncementOut]:
    page = campaigns.list_announcements(session, store_id=caller.store_id, cursor=cursor, limit=limit)
    return PageOut(data=[AnnouncementOut.model_validate(a) for a in page.items], next_cursor=page.next_cursor)
