"""Questions and answers about products: asked from the storefront, answered by the merchant or buyers."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from goodword.errors import FieldIssue, InvalidInput, TooManyRequests
from goodword.reviews import questions
from goodword.reviews.models import QuestionStatus, Subject
from goodword.reviews.questions import QuestionIn
from goodword.stores.inputs import Sku, Text200
from goodword.web.api.v1.common import Cursor, Limit, OutModel, PageOut, RowIdPath
from goodword.web.api.v1.reviews import (
    ModerateIn,
    OptionalCallerDep,
    VoteIn,
    VoteOut,
    cast_vote,
    required_caller,
)
from goodword.web.deps import ReaderDep, SessionDep, SettingsDep, WriterDep, require_write
from goodword.web.ratelimit import enforce, limiter_for

router = APIRouter(tags=["questions"])


class QuestionPostIn(QuestionIn):
    store_id: str | None = Field(
        default=None, max_length=32, description="The store; not needed with an API key."
    )


class QuestionOut(OutModel):
    id: int
    product_id: int
    body: str
    language: str
    author_name: str
    status: QuestionStatus
    answer_count: int
    created_at: datetime
    confirmed_at: datetime | None
    published_at: datetime | None


class AnswerOut(OutModel):
    id: int
    question_id: int
    body: str
    author_name: str
    official: bool
    verified_buyer: bool
    status: str
    helpful_count: int
    unhelpful_count: int
    created_at: datetime


class StaffQuestionOut(QuestionOut):
    author_email: str
    answers: list[AnswerOut]


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: Annotated[str, Field(min_length=1, max_length=5000)]
    author_name: Text200 | None = Field(
        default=None, description="Shown with the answer; the store's name if unset."
    )
    token: str | None = Field(default=None, max_length=128, description="A buyer's invitation token.")


@router.post("/questions", response_model=QuestionOut, status_code=202)
def ask_question(
    body: QuestionPostIn,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    caller: OptionalCallerDep,
) -> QuestionOut:
    """Ask about a product; it waits until the asker confirms it with the link emailed to them (202)."""
    hourly = settings.question_limit_per_hour
    enforce(limiter_for(request, "questions", limit=hourly, window_seconds=3600), request, what="questions")
    per_email = limiter_for(request, "questions-by-email", limit=hourly, window_seconds=3600)
    wait = per_email.hit(body.email)
    if wait is not None:
        raise TooManyRequests(
            f"too many questions from {body.email!r}: at most {hourly} an hour",
            retry_after_seconds=math.ceil(wait),
        )
    store_id = caller.store_id if caller is not None else body.store_id
    if store_id is None:
        raise InvalidInput(
            "say which store the question is for", [FieldIssue("store_id", "required", "missing")]
        )
    question = questions.ask_question(
        session,
        store_id=store_id,
        question=QuestionIn.model_validate(body.model_dump(exclude={"store_id"})),
        secret_key=settings.secret_key,
        public_base_url=settings.public_base_url,
    )
    return QuestionOut.model_validate(question)


@router.get("/questions", response_model=PageOut[StaffQuestionOut])
def list_questions(
    session: SessionDep,
    caller: ReaderDep,
    cursor: Cursor = None,
    limit: Limit = 50,
    status: QuestionStatus | None = None,
    product_sku: Annotated[Sku | None, Query()] = None,
) -> PageOut[StaffQuestionOut]:
    """The store's questions with their answers, oldest first."""
    page = questions.list_questions(
        session, store_id=caller.store_id, status=status, product_sku=product_sku, cursor=cursor, limit=limit
    )
    answers = questions.answers_of(session, store_id=caller.store_id, question_ids=[q.id for q in page.items])
    data = [
        StaffQuestionOut.model_validate(
            {
                **QuestionOut.model_validate(q).model_dump(),
                "author_email": q.author_email,
                "answers": [AnswerOut.model_validate(a) for a in answers if a.question_id == q.id],
            }
        )
        for q in page.items
    ]
    return PageOut(data=data, next_cursor=page.next_cursor)


@router.post("/questions/{question_id}/answers", response_model=AnswerOut, status_code=201)
def answer_question(
    question_id: RowIdPath,
    body: AnswerIn,
    session: SessionDep,
    settings: SettingsDep,
    caller: OptionalCallerDep,
) -> AnswerOut:
    """Answer: as the merchant with a write key (official), or as an invited buyer with their token."""
    if caller is None and body.token is not None:
        answer = questions.answer_by_invitation(
            session,
            secret_key=settings.secret_key,
            store_id=None,
            question_id=question_id,
            token=body.token,
            body=body.body,
            author_name=body.author_name,
        )
        return AnswerOut.model_validate(answer)
    writer = require_write(required_caller(caller))
    answer = questions.answer_question(
        session,
        store_id=writer.store_id,
        question_id=question_id,
        body=body.body,
        author_name=body.author_name or "The store",
        official=True,
    )
    return AnswerOut.model_validate(answer)


@router.post("/questions/{question_id}/moderate", response_model=QuestionOut)
def moderate_question(
    question_id: RowIdPath, body: ModerateIn, session: SessionDep, settings: SettingsDep, caller: WriterDep
) -> QuestionOut:
    """Publish (`approve`), reject or hide a question; rejecting and hiding need a reason code."""
    question = questions.moderate_question(
        session,
        store_id=caller.store_id,
        question_id=question_id,
        action=body.action,
        actor=f"api-key:{caller.api_key_id}",
        secret_key=settings.secret_key,
        public_base_url=settings.public_base_url,
        reason=body.reason,
        note=body.note,
    )
    return QuestionOut.model_validate(question)


@router.post("/answers/{answer_id}/moderate", response_model=AnswerOut)
def moderate_answer(
    answer_id: RowIdPath, body: ModerateIn, session: SessionDep, caller: WriterDep
) -> AnswerOut:
    """Publish (`approve`), reject or hide an answer; the question's answer count follows."""
    answer = questions.moderate_answer(
        session,
        store_id=caller.store_id,
        answer_id=answer_id,
        action=body.action,
        actor=f"api-key:{caller.api_key_id}",
        reason=body.reason,
        note=body.note,
    )
    return AnswerOut.model_validate(answer)


@router.post("/answers/{answer_id}/votes", response_model=VoteOut)
def vote_on_answer(
    answer_id: RowIdPath,
    body: VoteIn,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    caller: OptionalCallerDep,
) -> VoteOut:
    """Helpful or not, like review votes: one per person."""
    return cast_vote(session, settings, Subject.ANSWER, answer_id, body, request, caller)
