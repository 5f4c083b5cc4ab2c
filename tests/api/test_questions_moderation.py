"""Staff moderate questions and answers: the same decision log as reviews, the answer count kept right."""

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from goodword.messaging.models import OutboxMessage
from goodword.reviews.links import QUESTION_CONFIRMATION, make_token
from goodword.reviews.models import ModerationDecision, Question, Subject
from goodword.reviews.questions import QuestionIn, answer_question, ask_question, confirm_question
from tests.api.assertions import assert_problem
from tests.factories.reviews import NOW, make_purchase
from tests.factories.stores import StoreAccess

SECRET = "dev-only-secret-change-me"
BASE = "https://g.example"


def _question(session: Session, store_id: str, body: str = "Is it smoky?") -> Question:
    purchase = make_purchase(session, store_id=store_id)
    asked = QuestionIn(product_sku=purchase.product_sku, body=body, author_name="Li", email="li@example.com")
    question = ask_question(session, store_id=store_id, question=asked, secret_key=SECRET,
                            public_base_url=BASE, now=NOW)  # fmt: skip
    token = make_token(SECRET, purpose=QUESTION_CONFIRMATION, store_id=store_id, row_id=question.id)
    return confirm_question(session, secret_key=SECRET, public_base_url=BASE, token=token, now=NOW)


def _announcements(session: Session, store_id: str) -> int:
    return (
        session.scalar(
            select(func.count()).where(
                OutboxMessage.store_id == store_id, OutboxMessage.kind == "question_answered"
            )
        )
        or 0
    )


def test_a_screened_question_waits_in_the_queue_until_staff_publish_it(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given a question the screen held back for its link
    question = _question(session, store.store_id, body="Cheaper at www.example-deals.com?")
    queue = client.get("/api/v1/questions", params={"status": "pending"}, headers=store.reader)
    # when staff publish it
    response = client.post(f"/api/v1/questions/{question.id}/moderate", json={"action": "approve"},
                           headers=store.writer)  # fmt: skip
    # then it was in the pending queue, is published now, and the decision is on record
    assert [q["id"] for q in queue.json()["data"]] == [question.id]
    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["published_at"] is not None) == ("published", True)
    decisions = session.scalars(select(ModerationDecision).where(
        ModerationDecision.subject == Subject.QUESTION, ModerationDecision.subject_id == question.id
    ).order_by(ModerationDecision.id)).all()  # fmt: skip
    assert decisions[-1].to_status == "published"
    assert decisions[-1].actor.startswith("api-key:")


def test_hiding_a_question_needs_a_reason_code(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given
    question = _question(session, store.store_id)
    # when
    without = client.post(
        f"/api/v1/questions/{question.id}/moderate", json={"action": "hide"}, headers=store.writer
    )
    again = client.post(
        f"/api/v1/questions/{question.id}/moderate", json={"action": "approve"}, headers=store.writer
    )
    hidden = client.post(f"/api/v1/questions/{question.id}/moderate", json={"action": "hide", "reason": "off_topic"},
                         headers=store.writer)  # fmt: skip
    # then
    assert_problem(without, 422, "invalid_input")
    assert_problem(again, 409, "already_published")
    assert hidden.json()["status"] == "hidden"


def test_hiding_and_republishing_an_answer_keeps_the_answer_count_and_announces_once(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given a published question with the merchant's published answer
    question = _question(session, store.store_id)
    answer = answer_question(session, store_id=store.store_id, question_id=question.id, body="A little.",
                             author_name="Shop", official=True, now=NOW)  # fmt: skip
    path = f"/api/v1/answers/{answer.id}/moderate"
    # when staff hide it, then publish it again
    hidden = client.post(path, json={"action": "hide", "reason": "wrong"}, headers=store.writer)
    count_hidden = session.get_one(Question, question.id, populate_existing=True).answer_count
    shown = client.post(path, json={"action": "approve"}, headers=store.writer)
    # then the count follows, and the asker heard of the answer only once
    assert (hidden.json()["status"], count_hidden) == ("hidden", 0)
    assert shown.json()["status"] == "published"
    assert session.get_one(Question, question.id, populate_existing=True).answer_count == 1
    assert _announcements(session, store.store_id) == 1


def test_approving_a_held_answer_publishes_and_announces_it(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given a buyer's answer the screen held back
    question = _question(session, store.store_id)
    purchase = make_purchase(session, store_id=store.store_id)
    answer = answer_question(session, store_id=store.store_id, question_id=question.id,
                             body="Buy it at www.example-deals.com", author_name="Bo", official=False,
                             customer_id=purchase.customer_id, now=NOW)  # fmt: skip
    assert (answer.status, _announcements(session, store.store_id)) == ("pending", 0)
    # when staff approve it
    response = client.post(
        f"/api/v1/answers/{answer.id}/moderate", json={"action": "approve"}, headers=store.writer
    )
    # then
    assert response.status_code == 200, response.text
    assert session.get_one(Question, question.id, populate_existing=True).answer_count == 1
    assert _announcements(session, store.store_id) == 1


def test_moderating_needs_a_write_key(client: TestClient, session: Session, store: StoreAccess) -> None:
    question = _question(session, store.store_id)

    response = client.post(f"/api/v1/questions/{question.id}/moderate", json={"action": "approve"},
                           headers=store.reader)  # fmt: skip

    assert response.status_code == 403
