"""A review's whole path, on real servers: order fulfilled through the API, request email over SMTP, review
posted with the link, moderated, shown on the public endpoints and in JSON-LD, replied to, and every step
announced to a webhook receiver over HTTP. `Journey` holds what each step hands the next.
"""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from goodword.clock import utc_now
from goodword.config import Settings
from goodword.db.session import Database
from goodword.messaging.claims import Backoff
from goodword.messaging.email import SmtpTransport
from goodword.messaging.manners import Manners
from goodword.messaging.models import Channel
from goodword.messaging.webhook_transport import WebhookTransport
from goodword.messaging.worker import Worker
from goodword.reviews.requests import send_review_requests
from goodword.web.app import create_app
from tests.factories.stores import StoreAccess, make_store
from tests.messaging.http_receiver import Receiver, http_receiver
from tests.messaging.smtp_receiver import Mailbox, body, smtp_server

XSS = '<script>alert("owned")</script>'


@dataclass
class Journey:
    settings: Settings
    database: Database
    api: TestClient
    store: StoreAccess
    mailbox: Mailbox
    hooks: Receiver

    def run_worker(self) -> int:
        transports = {
            Channel.EMAIL: SmtpTransport(self.settings),
            Channel.WEBHOOK: WebhookTransport(Settings(webhook_timeout_seconds=2, worker_concurrency=2)),
        }
        worker = Worker(
            database=self.database,
            transports=transports,  # type: ignore[arg-type]
            manners=Manners(marketing_cap_per_week=5, quiet_hours_start=0, quiet_hours_end=0),
            backoff=Backoff(base_seconds=10, max_seconds=600),
            clock=lambda: utc_now() + timedelta(minutes=1),
            seed=1,
        )
        try:
            return worker.run_once()
        finally:
            for transport in transports.values():
                transport.close()

    def events(self) -> list[str]:
        return [json.loads(r.body)["type"] for r in self.hooks.requests]


@pytest.fixture
def journey(outbox_database: Database) -> Iterator[Journey]:
    mailbox = Mailbox()
    with smtp_server(mailbox) as port, http_receiver() as hooks:
        settings = Settings(
            smtp_port=port,
            smtp_from="hello@goodword.example",
            public_base_url="https://goodword.example",
            secret_key="a-test-secret-that-signs-links",
        )
        with outbox_database.unit_of_work() as session:
            store = make_store(session, name="Tea House")
        with TestClient(create_app(settings, database=outbox_database)) as api:
            registered = api.post("/api/v1/webhook-endpoints", json={"url": hooks.url, "event_types": ["*"]},
                                  headers=store.writer)  # fmt: skip
            assert registered.status_code == 201, registered.text
            yield Journey(settings, outbox_database, api, store, mailbox, hooks)


def fulfil_an_order(journey: Journey, *, fulfilled_at: datetime) -> None:
    api, writer = journey.api, journey.store.writer
    product = {"sku": "OOLONG", "title": "Oolong tea", "url": "https://shop.example/oolong"}
    assert api.post("/api/v1/products", json=product, headers=writer).status_code == 201
    order = {
        "external_id": "A-1001",
        "customer": {"external_id": "mei", "email": "mei@example.com", "name": "Mei Lin", "locale": "en"},
        "status": "fulfilled",
        "currency": "USD",
        "total_minor": 1250,
        "placed_at": (fulfilled_at - timedelta(days=2)).isoformat(),
        "paid_at": (fulfilled_at - timedelta(days=2)).isoformat(),
        "fulfilled_at": fulfilled_at.isoformat(),
        "lines": [{"sku": "OOLONG", "title": "Oolong tea", "quantity": 1, "unit_price_minor": 1250}],
    }
    response = api.post("/api/v1/orders", json=order, headers=writer)
    assert response.status_code == 201, response.text


def test_a_review_travels_from_fulfilment_to_the_shops_pages_and_a_public_reply(journey: Journey) -> None:
    # given an order fulfilled eight days ago, through the API
    fulfil_an_order(journey, fulfilled_at=utc_now() - timedelta(days=8))
    # when the request job and the worker come by
    with journey.database.unit_of_work() as session:
        queued = send_review_requests(
            session,
            now=utc_now(),
            secret_key=journey.settings.secret_key,
            public_base_url=journey.settings.public_base_url,
        )
    journey.run_worker()
    # then the customer's inbox has the request, with a link to the review form
    assert queued == 1
    email = journey.mailbox.only().email
    assert email["Subject"] == "How was your order from Tea House?"
    [link] = re.findall(r"https://goodword\.example/review/(\S+)", body(email, "plain"))

    # when the customer writes a three-star review with the link (typing markup into it)
    written = journey.api.post("/api/v1/reviews", json={"token": link, "rating": 3, "title": XSS,
                                                        "body": "Smooth, a bit weak.", "recommend_score": 9})  # fmt: skip
    # then it is stored as typed, verified, and waits for moderation (three stars are below the rule's four)
    assert written.status_code == 201, written.text
    review = written.json()
    assert (review["title"], review["verified_buyer"], review["status"]) == (XSS, True, "pending")
    # and the link does not work twice
    again = journey.api.post("/api/v1/reviews", json={"token": link, "rating": 5, "body": "again"})
    assert (again.status_code, again.json()["code"]) == (410, "link_used")

    # when staff approve it
    writer = journey.store.writer
    approved = journey.api.post(f"/api/v1/reviews/{review['id']}/moderate", json={"action": "approve"},
                                headers=writer)  # fmt: skip
    # then the shop's pages see it without a key: in the list with its aggregate, and in the JSON-LD
    product = f"/public/v1/stores/{journey.store.store_id}/products/OOLONG"
    page = journey.api.get(f"{product}/reviews").json()
    assert [(r["title"], r["rating"], r["verified_buyer"]) for r in page["data"]] == [(XSS, 3, True)]
    assert (page["aggregate"]["count"], page["aggregate"]["average"]) == (1, 3.0)
    snippet = journey.api.get(f"{product}/jsonld", params={"format": "html"}).text
    assert "</script>" not in snippet.removesuffix("</script>")  # the title's markup cannot end the script
    data = json.loads(snippet[snippet.index(">") + 1 : snippet.rindex("</script>")])
    assert (data["aggregateRating"]["reviewCount"], data["review"][0]["name"]) == (1, XSS)

    # when staff reply in public
    replied = journey.api.post(f"/api/v1/reviews/{review['id']}/replies", json={"body": "Thank you, Mei!"},
                               headers=writer)  # fmt: skip
    journey.run_worker()
    # then its history tells who did what, and the receiver heard every step
    assert approved.json()["status"] == "published"
    assert replied.status_code == 201, replied.text
    detail = journey.api.get(f"/api/v1/reviews/{review['id']}", headers=journey.store.reader).json()
    assert [(d["from_status"], d["to_status"]) for d in detail["decisions"]] == [
        (None, "pending"),
        ("pending", "published"),
    ]
    assert sorted(journey.events()) == ["review.created", "review.published", "review.replied"]
    # and the reviewer got the reply by email
    reply_email = journey.mailbox.received[-1].email
    assert reply_email["Subject"] == "Tea House replied to your review"
    assert "Thank you, Mei!" in body(reply_email, "plain")
    nps = journey.api.get("/api/v1/nps", headers=journey.store.reader).json()
    assert (nps["responses"], nps["score"]) == (1, 100.0)
