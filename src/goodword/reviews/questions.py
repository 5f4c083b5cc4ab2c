"""Questions about products and their answers.

A storefront question waits, `unconfirmed`, until its asker clicks the signed link emailed to them; then it is
screened like a review and published (or queued), and up to `INVITED_BUYERS` recent buyers of the product are
invited to answer through a link signed for them and that question. The merchant's answers are `official`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from goodword.clock import utc_now
from goodword.errors import Conflict, FieldIssue, Gone, InvalidInput, NotFound
from goodword.messaging.events import publish_event
from goodword.messaging.models import Channel, Purpose
from goodword.messaging.outbox import NewMessage, enqueue, enqueue_many
from goodword.reviews import links
from goodword.reviews.models import Answer, AnswerStatus, Question, QuestionStatus, Subject
from goodword.reviews.moderation import ModerationAction, check_reason, record_decision
from goodword.reviews.payloads import answer_data, question_data
from goodword.reviews.screening import detect_language, screen
from goodword.reviews.submission import customer_by_email, is_verified_buyer
from goodword.stores.inputs import Email, Sku, Text200
from goodword.stores.models import Customer, Order, OrderLine, OrderStatus, Product
from goodword.stores.pagination import Page, paginate

CONFIRMATION_VALID = timedelta(days=7)
INVITED_BUYERS = 20
QuestionBody = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)]


class QuestionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    product_sku: Sku
    body: QuestionBody
    author_name: Text200
    email: Email = Field(description="Where the confirmation link goes; never shown.")


def answer_purpose(question_id: int) -> str:
    return f"answer-invite-{question_id}"


def ask_question(
    session: Session,
    *,
    store_id: str,
    question: QuestionIn,
    secret_key: str,
    public_base_url: str,
    now: datetime | None = None,
) -> Question:
    """Store an unconfirmed question and email its asker the confirmation link.

    Raises:
        InvalidInput: the store has no such product.
    """
    now = now or utc_now()
    product = _product(session, store_id=store_id, sku=question.product_sku)
    row = Question(
        store_id=store_id,
        product_id=product.id,
        customer_id=customer_by_email(session, store_id=store_id, email=question.email),
        body=question.body,
        language=detect_language(question.body),
        author_name=question.author_name,
        author_email=question.email,
        status=QuestionStatus.UNCONFIRMED,
        answer_count=0,
        created_at=now,
    )
    session.add(row)
    session.flush()
    token = links.make_token(
        secret_key, purpose=links.QUESTION_CONFIRMATION, store_id=store_id, row_id=row.id
    )
    enqueue(
        session,
        store_id=store_id,
        message=NewMessage(
            channel=Channel.EMAIL,
            purpose=Purpose.TRANSACTIONAL,
            kind="question_confirm",
            recipient=question.email,
            payload={
                "author_name": row.author_name,
                "product_title": product.title,
                "question": row.body,
                "link": links.question_confirmation_link(public_base_url, token),
            },
            reason=f"someone asked question {row.id} with this address",
            customer_id=row.customer_id,
            locale=row.language,
            send_at=now,
            dedupe_key=f"question-confirm:{row.id}",
        ),
    )
    return row


def confirm_question(
    session: Session, *, secret_key: str, public_base_url: str, token: str, now: datetime | None = None
) -> Question:
    """The asker clicked the link: screen the question, publish or queue it, invite buyers to answer.

    Raises:
        NotFound: the link is not valid.
        Gone: the question was already confirmed (`link_used`) or the link expired (`link_expired`).
    """
    now = now or utc_now()
    target = links.read_token(secret_key, token, purpose=links.QUESTION_CONFIRMATION)
    question = session.scalars(
        select(Question)
        .where(Question.store_id == target.store_id, Question.id == target.row_id)
        .with_for_update()
    ).one_or_none()
    if question is None:
        raise NotFound(f"this confirmation link is not valid: {token[:40]!r}", code="invalid_link")
    if question.status is not QuestionStatus.UNCONFIRMED:
        raise Gone("this question was already confirmed", code="link_used")
    if question.created_at + CONFIRMATION_VALID <= now:
        raise Gone(f"this confirmation link expired on {question.created_at + CONFIRMATION_VALID:%Y-%m-%d}",
                   code="link_expired")  # fmt: skip
    findings = screen(question.body)
    status = QuestionStatus.PENDING if findings else QuestionStatus.PUBLISHED
    record_decision(
        session,
        store_id=question.store_id,
        subject=Subject.QUESTION,
        subject_id=question.id,
        from_status=question.status.value,
        to_status=status.value,
        actor="asker:confirmed" if not findings else "system:screen",
        reason=findings[0].code if findings else "confirmed",
        note="; ".join(f"{f.code}: {f.detail}" for f in findings) or None,
        now=now,
    )
    question.status, question.confirmed_at = status, now
    if status is QuestionStatus.PUBLISHED:
        question.published_at = now
    product = session.get_one(Product, question.product_id)
    publish_event(
        session,
        store_id=question.store_id,
        event_type="question.created",
        data=question_data(question, product_sku=product.sku),
        event_id=f"question.created.{question.id}",
        now=now,
    )
    if status is QuestionStatus.PUBLISHED:
        _invite_buyers(session, question=question, product=product, secret_key=secret_key,
                       base_url=public_base_url, now=now)  # fmt: skip
    session.flush()
    return question


def answer_question(
    session: Session,
    *,
    store_id: str,
    question_id: int,
    body: str,
    author_name: str,
    official: bool,
    customer_id: int | None = None,
    now: datetime | None = None,
) -> Answer:
    """Answer a question: the merchant's answer is official and published; a buyer's is screened first.

    Raises:
        NotFound: the store has no such confirmed question.
    """
    now = now or utc_now()
    question = session.scalars(
        select(Question).where(
            Question.store_id == store_id,
            Question.id == question_id,
            Question.status != QuestionStatus.UNCONFIRMED,
        )
    ).one_or_none()
    if question is None:
        raise NotFound(f"no question {question_id}")
    findings = [] if official else screen(body)
    status = AnswerStatus.PENDING if findings else AnswerStatus.PUBLISHED
    verified = customer_id is not None and is_verified_buyer(
        session, store_id=store_id, customer_id=customer_id, product_id=question.product_id
    )
    answer = Answer(
        store_id=store_id,
        question_id=question.id,
        customer_id=customer_id,
        body=body,
        author_name=author_name,
        official=official,
        verified_buyer=verified,
        status=status,
        helpful_count=0,
        unhelpful_count=0,
        created_at=now,
        published_at=now if status is AnswerStatus.PUBLISHED else None,
    )
    session.add(answer)
    session.flush()
    record_decision(
        session,
        store_id=store_id,
        subject=Subject.ANSWER,
        subject_id=answer.id,
        from_status=None,
        to_status=status.value,
        actor="merchant" if official else f"customer:{customer_id}",
        reason=findings[0].code if findings else None,
        note="; ".join(f"{f.code}: {f.detail}" for f in findings) or None,
        now=now,
    )
    if status is AnswerStatus.PUBLISHED:
        session.execute(
            update(Question)
            .where(Question.store_id == store_id, Question.id == question.id)
            .values(answer_count=Question.answer_count + 1)
            .execution_options(synchronize_session=False)
        )
        _announce_answer(session, question=question, answer=answer, now=now)
    return answer


def answer_by_invitation(
    session: Session,
    *,
    secret_key: str,
    store_id: str | None,
    question_id: int,
    token: str,
    body: str,
    author_name: str | None,
    now: datetime | None = None,
) -> Answer:
    """A buyer answers through the link their invitation carried.

    Raises:
        NotFound: the link is not valid for this question, or the question does not exist.
    """
    target = links.read_token(secret_key, token, purpose=answer_purpose(question_id))
    if store_id is not None and store_id != target.store_id:
        raise NotFound(f"this answer link is not valid: {token[:40]!r}", code="invalid_link")
    customer = session.scalars(
        select(Customer).where(Customer.store_id == target.store_id, Customer.id == target.row_id)
    ).one_or_none()
    if customer is None or customer.erased_at is not None:
        raise NotFound(f"this answer link is not valid: {token[:40]!r}", code="invalid_link")
    name = author_name or (customer.name or "A customer").split(" ")[0]
    return answer_question(
        session,
        store_id=target.store_id,
        question_id=question_id,
        body=body,
        author_name=name,
        official=False,
        customer_id=customer.id,
        now=now,
    )


_QUESTION_TARGET = {
    ModerationAction.APPROVE: QuestionStatus.PUBLISHED,
    ModerationAction.REJECT: QuestionStatus.REJECTED,
    ModerationAction.HIDE: QuestionStatus.HIDDEN,
}
_ANSWER_TARGET = {
    ModerationAction.APPROVE: AnswerStatus.PUBLISHED,
    ModerationAction.REJECT: AnswerStatus.REJECTED,
    ModerationAction.HIDE: AnswerStatus.HIDDEN,
}


def moderate_question(
    session: Session,
    *,
    store_id: str,
    question_id: int,
    action: ModerationAction,
    actor: str,
    secret_key: str,
    public_base_url: str,
    reason: str | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> Question:
    """Publish, reject or hide a confirmed question, recording who did it and why; its first publication
    invites buyers to answer, as confirming does.

    Raises:
        NotFound: the store has no such question.
        InvalidInput: a rejection or take-down without a reason code, or a reason that is not a code.
        Conflict: the question already has that status, or its asker has not confirmed it.
    """
    now = now or utc_now()
    question = session.scalars(
        select(Question).where(Question.store_id == store_id, Question.id == question_id).with_for_update()
    ).one_or_none()
    if question is None:
        raise NotFound(f"no question {question_id}")
    target = _QUESTION_TARGET[action]
    check_reason(reason, action=action, subject=Subject.QUESTION)
    if question.status is QuestionStatus.UNCONFIRMED:
        raise Conflict(f"question {question_id} is not confirmed by its asker yet", code="unconfirmed")
    if question.status is target:
        raise Conflict(f"question {question_id} is already {target.value}", code="already_" + target.value)
    record_decision(
        session,
        store_id=store_id,
        subject=Subject.QUESTION,
        subject_id=question.id,
        from_status=question.status.value,
        to_status=target.value,
        actor=actor,
        reason=reason,
        note=note,
        now=now,
    )
    first_publication = target is QuestionStatus.PUBLISHED and question.published_at is None
    question.status = target
    if first_publication:
        question.published_at = now
        product = session.get_one(Product, question.product_id)
        _invite_buyers(session, question=question, product=product, secret_key=secret_key,
                       base_url=public_base_url, now=now)  # fmt: skip
    session.flush()
    return question


def moderate_answer(
    session: Session,
    *,
    store_id: str,
    answer_id: int,
    action: ModerationAction,
    actor: str,
    reason: str | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> Answer:
    """Publish, reject or hide an answer, keeping its question's `answer_count` to the published answers; the
    first publication announces it (`question.answered` and the asker's email).

    Raises:
        NotFound: the store has no such answer.
        InvalidInput: a rejection or take-down without a reason code, or a reason that is not a code.
        Conflict: the answer already has that status.
    """
    now = now or utc_now()
    answer = session.scalars(
        select(Answer).where(Answer.store_id == store_id, Answer.id == answer_id).with_for_update()
    ).one_or_none()
    if answer is None:
        raise NotFound(f"no answer {answer_id}")
    target = _ANSWER_TARGET[action]
    check_reason(reason, action=action, subject=Subject.ANSWER)
    if answer.status is target:
        raise Conflict(f"answer {answer_id} is already {target.value}", code="already_" + target.value)
    record_decision(
        session,
        store_id=store_id,
        subject=Subject.ANSWER,
        subject_id=answer.id,
        from_status=answer.status.value,
        to_status=target.value,
        actor=actor,
        reason=reason,
        note=note,
        now=now,
    )
    was_published = answer.status is AnswerStatus.PUBLISHED
    first_publication = target is AnswerStatus.PUBLISHED and answer.published_at is None
    answer.status = target
    delta = (target is AnswerStatus.PUBLISHED) - was_published
    if delta:
        session.execute(
            update(Question)
            .where(Question.store_id == store_id, Question.id == answer.question_id)
            .values(answer_count=Question.answer_count + delta)
            .execution_options(synchronize_session=False)
        )
    if first_publication:
        answer.published_at = now
        # populate_existing: the answer_count update above bypassed the session.
        question = session.scalars(
            select(Question)
            .where(Question.store_id == store_id, Question.id == answer.question_id)
            .execution_options(populate_existing=True)
        ).one()
        _announce_answer(session, question=question, answer=answer, now=now)
    session.flush()
    return answer


def list_questions(
    session: Session,
    *,
    store_id: str,
    status: QuestionStatus | None,
    product_sku: str | None,
    cursor: str | None,
    limit: int,
) -> Page[Question]:
    query = select(Question).where(Question.store_id == store_id)
    if status is not None:
        query = query.where(Question.status == status)
    if product_sku is not None:
        product_id = select(Product.id).where(Product.store_id == store_id, Product.sku == product_sku)
        query = query.where(Question.product_id == product_id.scalar_subquery())
    return paginate(session, query, Question.id, cursor=cursor, limit=limit)


def answers_of(session: Session, *, store_id: str, question_ids: list[int]) -> list[Answer]:
    query = (
        select(Answer)
        .where(Answer.store_id == store_id, Answer.question_id.in_(question_ids))
        .order_by(Answer.question_id, Answer.official.desc(), Answer.id)
    )
    return list(session.scalars(query))


def _invite_buyers(
    session: Session, *, question: Question, product: Product, secret_key: str, base_url: str, now: datetime
) -> None:
    buyers = session.scalars(
        select(Customer)
        .join(Order, Order.customer_id == Customer.id)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .where(
            OrderLine.store_id == question.store_id,
            OrderLine.product_id == question.product_id,
            Order.status.in_((OrderStatus.PAID, OrderStatus.FULFILLED)),
            Customer.email.is_not(None),
            Customer.erased_at.is_(None),
            Customer.email_undeliverable_at.is_(None),
            Customer.email != question.author_email,
        )
        .group_by(Customer.id)
        .order_by(Customer.id.desc())
        .limit(INVITED_BUYERS)
    )
    messages = []
    for buyer in buyers:
        token = links.make_token(
            secret_key, purpose=answer_purpose(question.id), store_id=question.store_id, row_id=buyer.id
        )
        link = f"{base_url.rstrip('/')}/q/{question.id}/answer/{token}"
        messages.append(
            NewMessage(
                channel=Channel.EMAIL,
                # Asking a past buyer for help is not something they asked for: it needs their consent.
                purpose=Purpose.MARKETING,
                kind="question_invite",
                recipient=buyer.email or "",
                payload={
                    "customer_name": (buyer.name or "").split(" ")[0],
                    "product_title": product.title,
                    "question": question.body,
                    "link": link,
                },
                reason=f"you bought {product.sku}; question {question.id} asks about it",
                customer_id=buyer.id,
                locale=buyer.locale,
                send_at=now,
                dedupe_key=f"question-invite:{question.id}:{buyer.id}",
            )
        )
    enqueue_many(session, store_id=question.store_id, messages=messages)


def _announce_answer(session: Session, *, question: Question, answer: Answer, now: datetime) -> None:
    product = session.get_one(Product, question.product_id)
    publish_event(
        session,
        store_id=question.store_id,
        event_type="question.answered",
        data=answer_data(answer) | {"question": question_data(question, product_sku=product.sku)},
        event_id=f"question.answered.{answer.id}",
        now=now,
    )
    enqueue(
        session,
        store_id=question.store_id,
        message=NewMessage(
            channel=Channel.EMAIL,
            purpose=Purpose.TRANSACTIONAL,
            kind="question_answered",
            recipient=question.author_email,
            payload={
                "author_name": question.author_name,
                "product_title": product.title,
                "question": question.body,
                "answer": answer.body,
                "official": answer.official,
                "answer_author": answer.author_name,
            },
            reason=f"you asked question {question.id}, which has a new answer",
            customer_id=question.customer_id,
            locale=question.language,
            send_at=now,
            dedupe_key=f"question-answered:{answer.id}",
        ),
    )


def _product(session: Session, *, store_id: str, sku: str) -> Product:
    product = session.scalars(
        select(Product).where(Product.store_id == store_id, Product.sku == sku)
    ).one_or_none()
    if product is None:
        raise InvalidInput(
            f"no product {sku!r}", [FieldIssue("product_sku", f"{sku!r} does not exist", "not_found")]
        )
    return product
