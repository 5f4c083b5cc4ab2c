"""Two stores, every questions endpoint: one store's key never reads, changes or reveals another's rows.

`CASES` is keyed by (method, path) like `test_isolation.CASES`; that module checks every documented endpoint has one.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from goodword.reviews.links import QUESTION_CONFIRMATION, make_token
from goodword.reviews.models import Answer, Question, QuestionStatus
from goodword.reviews.questions import QuestionIn, answer_question, ask_question, confirm_question
from tests.api.assertions import assert_problem
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


def _answer_owner_question(client: TestClient, seeded: Seeded) -> None:
    response = client.post(f"/api/v1/questions/{seeded.owner_question_id}/answers", json={"body": "mine"},
                           headers=seeded.intruder.writer)  # fmt: skip
    assert_problem(response, 404, "not_found")


def _vote_owner_answer(client: TestClient, seeded: Seeded) -> None:
    response = client.post(f"/api/v1/answers/{seeded.owner_answer_id}/votes", json={"helpful": True},
                           headers=seeded.intruder.writer)  # fmt: skip
    assert_problem(response, 404, "not_found")


def _moderate_owner(kind: str) -> Callable[[TestClient, Seeded], None]:
    """404 worded as for an id no store has."""

    def check(client: TestClient, seeded: Seeded) -> None:
        owner_id = seeded.owner_question_id if kind == "questions" else seeded.owner_answer_id
        body = {"action": "hide", "reason": "spam"}
        theirs = client.post(f"/api/v1/{kind}/{owner_id}/moderate", json=body, headers=seeded.intruder.writer)
        nobodys = client.post(f"/api/v1/{kind}/999999/moderate", json=body, headers=seeded.intruder.writer)
        assert_problem(theirs, 404, "not_found")
        assert theirs.json()["detail"].replace(str(owner_id), "<id>") == nobodys.json()["detail"].replace(
            "999999", "<id>"
        )

    return check


CASES: dict[tuple[str, str], Callable[..., Any]] = {
    ("POST", "/api/v1/questions"): _ask_about_owner_product,
    ("GET", "/api/v1/questions"): _own_questions_only,
    ("POST", "/api/v1/questions/{question_id}/answers"): _answer_owner_question,
    ("POST", "/api/v1/answers/{answer_id}/votes"): _vote_owner_answer,
    ("POST", "/api/v1/questions/{question_id}/moderate"): _moderate_owner("questions"),
    ("POST", "/api/v1/answers/{answer_id}/moderate"): _moderate_owner("answers"),
}


@pytest.mark.parametrize("endpoint", list(CASES), ids=[f"{m} {p}" for m, p in CASES])
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
