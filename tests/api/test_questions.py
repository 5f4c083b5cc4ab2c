"""Questions from the storefront: confirmed by email, answered officially or by invited buyers, rate-limited."""

import json
import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from goodword.messaging.models import OutboxMessage
from tests.api.assertions import assert_problem
from tests.factories.reviews import make_purchase
from tests.factories.stores import StoreAccess


def _payload(session: Session, store_id: str, kind: str) -> dict[str, Any]:
    message = session.scalars(
        select(OutboxMessage).where(OutboxMessage.store_id == store_id, OutboxMessage.kind == kind)
    ).one()
    payload: dict[str, Any] = json.loads(message.payload)
    return payload


def test_a_question_is_confirmed_then_a_buyer_answers_it(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given a product someone bought
    purchase = make_purchase(session, store_id=store.store_id)
    asked = {"store_id": store.store_id, "product_sku": purchase.product_sku, "body": "Is it smoky?",
             "author_name": "Li", "email": "li@example.com"}  # fmt: skip
    # when a shopper asks about it and clicks the confirmation link
    question = client.post("/api/v1/questions", json=asked)
    link = _payload(session, store.store_id, "question_confirm")["link"]
    confirmed = client.get(link.removeprefix("http://127.0.0.1:8000"))
    # then the question is published, and the buyer is invited to answer with a link of their own
    assert (question.status_code, question.json()["status"]) == (202, "unconfirmed")
    assert confirmed.status_code == 200, confirmed.text
    invite = _payload(session, store.store_id, "question_invite")["link"]
    [(question_id, token)] = re.findall(r"/q/(\d+)/answer/(\S+)$", invite)
    # when the buyer answers with it
    answered = client.post(
        f"/api/v1/questions/{question_id}/answers", json={"body": "Lightly.", "token": token}
    )
    # then the answer is published, from a verified buyer, not official
    assert answered.status_code == 201, answered.text
    assert (answered.json()["verified_buyer"], answered.json()["official"]) == (True, False)
    # and a replayed confirmation link is refused
    assert client.get(link.removeprefix("http://127.0.0.1:8000")).status_code == 410


def test_questions_are_rate_limited_per_address(make_app: Any, session: Session, store: StoreAccess) -> None:
    purchase = make_purchase(session, store_id=store.store_id)
    with TestClient(make_app(question_limit_per_hour=2)) as client:
        answers = [
            client.post(
                "/api/v1/questions",
                json={
                    "store_id": store.store_id,
                    "product_sku": purchase.product_sku,
                    "body": "Is it smoky?",
                    "author_name": "Li",
                    "email": f"li{n}@example.com",
                },
            )
            for n in range(3)
        ]
    assert [a.status_code for a in answers[:2]] == [202, 202]
    assert_problem(answers[2], 429, "rate_limited")
