"""Two stores, every questions endpoint: one store's key never reads, changes or reveals another's rows.

`CASES` is keyed by (method, path) like `test_isolation.CASES`; that module checks every documented endpoint has one.
"""

from dataclasses import dataclass

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from goodword.reviews.links import QUESTION_CONFIRMATION, make_token
from goodword.reviews.models import Answer, Question, QuestionStatus
from goodword.reviews.questions import QuestionIn, answer_question, ask_question, confirm_question
from tests.api.assertions import assert_problem
from tests.api.isolation import Check, isolation_cases, not_found
from tests.factories.reviews import NOW, make_purchase
from tests.factories.stores import StoreAccess

SECRET = "dev-only-secret-change-me"


@dataclass(frozen=True)
class Seeded:
    owner: StoreAccess
    intruder: StoreAccess
    owner_question_id: int
    owner_answer_id: int


def _seed(session: Session, owner: StoreAccess, intruder: StoreAccess) -> Seeded:
    found = {}
    for store, label in ((owner, "owner"), (intruder, "intruder")):
        make_purchase(session, store_id=store.store_id, sku=f"{label}-tea")
        asked = QuestionIn(
            product_sku=f"{label}-tea", body="Is it smoky?", author_name="Li", email="li@example.com"
        )
        question = ask_question(session, store_id=store.store_id, question=asked, secret_key=SECRET,
                                public_base_url="https://g.example", now=NOW)  # fmt: skip
        token = make_token(SECRET, purpose=QUESTION_CONFIRMATION, store_id=store.store_id, row_id=question.id)
        confirm_question(
            session, secret_key=SECRET, public_base_url="https://g.example", token=token, now=NOW
        )
        answer = answer_question(session, store_id=store.store_id, question_id=question.id, body="A little.",
                                 author_name="Shop", official=True, now=NOW)  # fmt: skip
        found[label] = (question.id, answer.id)
    return Seeded(owner, intruder, *found["owner"])


def _owner_unchanged(session: Session, seeded: Seeded) -> None:
    session.expire_all()
    question = session.get_one(Question, seeded.owner_question_id)
    assert (question.status, question.answer_count) == (QuestionStatus.PUBLISHED, 1)
    answers = session.scalars(select(Answer).where(Answer.question_id == question.id)).all()
    assert [(a.id, a.helpful_count) for a in answers] == [(seeded.owner_answer_id, 0)]


def _ask_about_owner_product(client: TestClient, seeded: Seeded) -> None:
    body = {"product_sku": "owner-tea", "body": "Is it good?", "author_name": "X", "email": "x@example.com"}
    response = client.post("/api/v1/questions", json=body, headers=seeded.intruder.writer)
    assert_problem(response, 422, "invalid_input")


def _own_questions_only(client: TestClient, seeded: Seeded) -> None:
    response = client.get("/api/v1/questions", headers=seeded.intruder.reader)
    assert response.status_code == 200, response.text
    assert [q["id"] for q in response.json()["data"]] == [seeded.owner_question_id + 1]


HIDE_AS_SPAM = {"action": "hide", "reason": "spam"}
CASES: dict[tuple[str, str], Check] = {
    ("POST", "/api/v1/questions"): _ask_about_owner_product,
    ("GET", "/api/v1/questions"): _own_questions_only,
    ("POST", "/api/v1/questions/{question_id}/answers"): not_found(
        "POST", "/api/v1/questions/{seeded.owner_question_id}/answers", "/api/v1/questions/999999/answers",
        {"body": "mine"},
    ),
    ("POST", "/api/v1/answers/{answer_id}/votes"): not_found(
        "POST", "/api/v1/answers/{seeded.owner_answer_id}/votes", "/api/v1/answers/999999/votes", {"helpful": True}
    ),
    ("POST", "/api/v1/questions/{question_id}/moderate"): not_found(
        "POST", "/api/v1/questions/{seeded.owner_question_id}/moderate", "/api/v1/questions/999999/moderate",
        HIDE_AS_SPAM,
    ),
    ("POST", "/api/v1/answers/{answer_id}/moderate"): not_found(
        "POST", "/api/v1/answers/{seeded.owner_answer_id}/moderate", "/api/v1/answers/999999/moderate", HIDE_AS_SPAM
    ),
}  # fmt: skip


@isolation_cases(CASES)
def test_another_stores_key_neither_sees_nor_changes_the_first_stores_questions(
    client: TestClient,
    session: Session,
    store: StoreAccess,
    other_store: StoreAccess,
    endpoint: tuple[str, str],
) -> None:
    # given
    seeded = _seed(session, store, other_store)
    # when / then
    CASES[endpoint](client, seeded)
    _owner_unchanged(session, seeded)
