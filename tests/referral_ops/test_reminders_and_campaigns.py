"""Share reminders on a back-off, and announcements to a segment, through the outbox as marketing."""

import json
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodword.messaging.models import OutboxMessage, Purpose
from goodword.referrals.campaigns import Segment, announce
from goodword.referrals.codes import ensure_code
from goodword.referrals.models import Invitation, InvitationChannel
from goodword.referrals.reminders import send_share_reminders
from tests.factories.referral_ops import NOW, make_customer
from tests.factories.stores import StoreAccess

BASE = "https://gw.example"


def _keys(session: Session, store_id: str, kind: str) -> list[str]:
    query = select(OutboxMessage.dedupe_key).where(
        OutboxMessage.store_id == store_id, OutboxMessage.kind == kind
    )
    return sorted(k or "" for k in session.scalars(query))


def test_reminders_follow_the_back_off_once_per_step_and_stop_after_the_last(
    session: Session, store: StoreAccess
) -> None:
    # given a customer whose code was made at NOW
    customer = make_customer(session, store_id=store.store_id)
    code = ensure_code(session, store_id=store.store_id, customer_id=customer.id, now=NOW)
    # when the job runs on days 1, 3, 3 again, 12, 40 and 100
    counts = [
        send_share_reminders(session, now=NOW + timedelta(days=d), public_base_url=BASE)
        for d in (1, 3, 3, 12, 40, 100)
    ]
    # then steps 1, 2 and 3 went once each, and nothing after the last
    assert counts == [0, 1, 0, 1, 1, 0]
    assert _keys(session, store.store_id, "referral_reminder") == [
        f"share-reminder:{code.id}:{step}" for step in (1, 2, 3)
    ]
    message = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "referral_reminder")).first()
    assert message is not None
    assert message.purpose is Purpose.MARKETING
    assert json.loads(message.payload)["link"] == f"{BASE}/r/{code.code}?gw_ch=email"


def test_no_reminder_after_sharing_or_without_consent(session: Session, store: StoreAccess) -> None:
    # given one customer who sent an invitation and one who never agreed to marketing
    sharer = make_customer(session, store_id=store.store_id)
    silent = make_customer(session, store_id=store.store_id, marketing_consent=False)
    for customer in (sharer, silent):
        ensure_code(session, store_id=store.store_id, customer_id=customer.id, now=NOW)
    session.add(Invitation(store_id=store.store_id, referrer_customer_id=sharer.id, channel=InvitationChannel.EMAIL,
                           email="pal@example.com", token="tok-share-1", created_at=NOW, sent_at=NOW))  # fmt: skip
    session.flush()
    # when / then
    assert send_share_reminders(session, now=NOW + timedelta(days=5), public_base_url=BASE) == 0


def test_an_announcement_reaches_the_consenting_customers_of_the_segment_in_their_language(
    session: Session, store: StoreAccess
) -> None:
    # given
    english = make_customer(session, store_id=store.store_id, locale="en-GB")
    chinese = make_customer(session, store_id=store.store_id, locale="zh-CN")
    make_customer(session, store_id=store.store_id, marketing_consent=False)
    sharer = make_customer(session, store_id=store.store_id)
    session.add(Invitation(store_id=store.store_id, referrer_customer_id=sharer.id, channel=InvitationChannel.EMAIL,
                           email="pal@example.com", token="tok-share-2", created_at=NOW, sent_at=NOW))  # fmt: skip
    session.flush()
    # when
    announcement = announce(
        session, store_id=store.store_id, subjects={"en": "Spring tea", "zh": "春茶"},
        bodies={"en": "New leaves.", "zh": "新茶上市。"}, segment=Segment(has_shared=False), who="staff:1", now=NOW,
    )  # fmt: skip
    again = announce(session, store_id=store.store_id, subjects={"en": "x"}, bodies={"en": "y"},
                     segment=Segment(has_shared=True), who="staff:1", now=NOW)  # fmt: skip
    # then
    assert (announcement.recipients, again.recipients) == (2, 1)
    sent = session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "announcement").order_by(OutboxMessage.id)
    ).all()
    assert [(m.customer_id, m.locale) for m in sent[:2]] == [(english.id, "en"), (chinese.id, "zh")]
    assert "春茶" in sent[1].payload
    assert {m.purpose for m in sent} == {Purpose.MARKETING}
