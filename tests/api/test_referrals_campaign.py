"""A referral campaign end to end through the API: a program, a customer's link, invitations that a real SMTP
server on loopback receives, the friend's click, registration and paid order, the referrer's notices, and the
share reminder a customer who has not shared yet receives."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from goodword.clock import utc_now
from goodword.config import Settings
from goodword.db.session import Database
from goodword.messaging.claims import Backoff
from goodword.messaging.email import SmtpTransport
from goodword.messaging.manners import Manners
from goodword.messaging.models import Channel
from goodword.messaging.worker import Worker
from goodword.referrals.reminders import send_share_reminders
from goodword.web.app import create_app
from tests.factories.stores import StoreAccess, make_store, order_payload
from tests.messaging.smtp_receiver import Mailbox, body, smtp_server


@pytest.fixture
def mailbox() -> Mailbox:
    return Mailbox()


@pytest.fixture
def mail_settings(committing_settings: Settings, mailbox: Mailbox) -> Iterator[Settings]:
    with smtp_server(mailbox) as port:
        yield committing_settings.model_copy(
            update={"smtp_port": port, "smtp_from": "hello@goodword.example",
                    "public_base_url": "https://gw.example"}
        )  # fmt: skip


@pytest.fixture
def shop(committing_database: Database) -> StoreAccess:
    with committing_database.unit_of_work() as session:
        return make_store(session, name="Campaign Teas")


def deliver(database: Database, settings: Settings) -> None:
    transport = SmtpTransport(settings)
    worker = Worker(
        database=database, transports={Channel.EMAIL: transport},
        manners=Manners(marketing_cap_per_week=5, quiet_hours_start=0, quiet_hours_end=0),  # no quiet hours
        backoff=Backoff(base_seconds=10, max_seconds=600), seed=1,
    )  # fmt: skip
    while worker.run_once():
        pass
    transport.close()


def test_a_campaign_from_program_to_paid_order_through_the_api(
    committing_database: Database, mail_settings: Settings, mailbox: Mailbox, shop: StoreAccess
) -> None:
    app = create_app(mail_settings, database=committing_database)
    with TestClient(app) as client:
        # given a program and a referrer
        program = client.post("/api/v1/referral-programs", headers=shop.writer, json={
            "name": "Tea for two", "currency": "USD", "terms_en": "Be nice.", "terms_zh": "友善相待。",
            "rules": {"registration": {"reward": {"form": "points", "amount": 100}},
                      "first_order": {"reward": {"form": "credit", "amount": 1000}},
                      "welcome": {"percent_off": 10}},
        })  # fmt: skip
        assert program.status_code == 201, program.text
        alice = {"external_id": "alice", "email": "alice@example.com", "name": "Alice Wong", "locale": "en"}
        assert client.post("/api/v1/customers", headers=shop.writer, json=alice).status_code == 201
        links = client.get("/api/v1/customers/alice/referral", headers=shop.writer).json()
        channels = {link["channel"]: link for link in links["share_links"]}
        assert links["link"] == f"https://gw.example/r/{links['code']}"
        assert channels["wechat"]["qr"]["data"].endswith("gw_ch=wechat")
        # when alice invites bob, and Goodword sends the invitation
        invited = client.post("/api/v1/customers/alice/invitations", headers=shop.writer,
                              json={"channel": "email", "email": "bob@example.com", "friend_name": "Bob",
                                    "note": "You will love the oolong"})  # fmt: skip
        assert invited.status_code == 201, invited.text
        deliver(committing_database, mail_settings)
        [invitation_mail] = [r for r in mailbox.received if r.recipients == ["bob@example.com"]]
        text = body(invitation_mail.email, "plain")
        assert "Alice Wong" in str(invitation_mail.email["Subject"])
        link = next(word for word in text.split() if word.startswith("https://gw.example/r/"))
        # and bob follows the link, registers with the token and pays his first order
        redirect = client.get(urlsplit(link).path + "?" + urlsplit(link).query, follow_redirects=False)
        assert redirect.status_code == 302
        token = parse_qs(urlsplit(redirect.headers["location"]).query)["gw_ref"][0]
        bob = {"external_id": "bob", "email": "bob@example.com", "name": "Bob", "referral": {"token": token}}
        assert client.post("/api/v1/customers", headers=shop.writer, json=bob).status_code == 201
        paid = client.post(
            "/api/v1/orders", headers=shop.writer, json=order_payload(customer_external_id="bob")
        )
        assert paid.status_code == 201, paid.text
        deliver(committing_database, mail_settings)
        # then the invitation went all the way, and alice was told twice
        [tracked] = client.get("/api/v1/customers/alice/invitations", headers=shop.reader).json()["data"]
        assert tracked["status"] == "converted"
        assert all(tracked[f"{step}_at"] for step in ("sent", "clicked", "registered", "converted"))
        notices = [str(r.email["Subject"]) for r in mailbox.received if r.recipients == ["alice@example.com"]]
        assert sorted(notices) == ["Bob joined Campaign Teas through your referral",
                                   "Bob placed a first order at Campaign Teas"]  # fmt: skip
        [referral] = client.get("/api/v1/referrals?referrer=alice", headers=shop.reader).json()["data"]
        detail = client.get(f"/api/v1/referrals/{referral['id']}", headers=shop.reader).json()
        assert [h["to_status"] for h in detail["history"]] == ["registered", "converted"]
        assert (detail["attributed_by"], detail["channel"]) == ("token", "email")
        assert sorted(r["rule"] for r in detail["rewards"]) == ["first_order", "registration", "welcome"]
        # and an accepted invitation is not sent again
        resent = client.post(
            f"/api/v1/customers/alice/invitations/{tracked['id']}/resend", headers=shop.writer
        )
        assert resent.status_code == 409, resent.text

        # given carol, who agreed to marketing and got her link but has not shared it
        carol = {
            "external_id": "carol",
            "email": "carol@example.com",
            "name": "Carol",
            "marketing_consent": True,
        }
        assert client.post("/api/v1/customers", headers=shop.writer, json=carol).status_code == 201
        carol_code = client.get("/api/v1/customers/carol/referral", headers=shop.writer).json()["code"]
        # when the reminder job comes by four days later, and the worker delivers
        with committing_database.unit_of_work() as session:
            send_share_reminders(
                session, now=utc_now() + timedelta(days=4), public_base_url=mail_settings.public_base_url
            )
        deliver(committing_database, mail_settings)
        # then carol's inbox has the reminder with her link; alice, who shared, got none
        [reminder] = [r for r in mailbox.received if r.recipients == ["carol@example.com"]]
        assert f"https://gw.example/r/{carol_code}?gw_ch=email" in body(reminder.email, "plain")
        assert str(reminder.email["Subject"]) == "Your friends get a gift from Campaign Teas"
        to_alice = [
            str(r.email["Subject"]) for r in mailbox.received if r.recipients == ["alice@example.com"]
        ]
        assert "Your friends get a gift from Campaign Teas" not in to_alice
