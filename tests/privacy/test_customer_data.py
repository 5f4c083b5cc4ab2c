"""A customer's data across every domain: the export misses nothing, the erasure reaches everything."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from goodword.referrals.invitations import InvitationIn, send_invitation
from goodword.referrals.models import Invitation, InvitationChannel, ReferralCode
from goodword.reviews.models import Review
from goodword.reviews.privacy import ANONYMOUS_AUTHOR
from tests.factories.referrals import make_customer, make_program, refer, referral_of
from tests.factories.reviews import make_purchase, make_review
from tests.factories.stores import StoreAccess


def test_an_export_holds_the_customers_reviews_beside_their_orders_and_rewards(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given
    purchase = make_purchase(session, store_id=store.store_id)
    make_review(session, purchase, rating=4, body="Smooth, <b>floral</b> and fresh.")
    # when
    export = client.get(
        f"/api/v1/customers/{purchase.customer_external_id}/export", headers=store.reader
    ).json()
    # then
    assert [(r["sku"], r["rating"], r["body"]) for r in export["reviews"]] == [
        (purchase.product_sku, 4, "Smooth, <b>floral</b> and fresh.")
    ]
    assert [o["external_id"] for o in export["orders"]] == [purchase.order_external_id]
    assert "rewards" in export


def test_erasure_anonymizes_the_customers_reviews_and_keeps_their_words(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given
    purchase = make_purchase(session, store_id=store.store_id, email="mei@example.com")
    review_id = make_review(session, purchase, body="Smooth and fresh.").id
    # when
    response = client.post(f"/api/v1/customers/{purchase.customer_external_id}/erase", headers=store.writer)
    # then
    assert response.status_code == 200, response.text
    session.expire_all()
    review = session.get(Review, review_id)
    assert review is not None
    assert (review.author_name, review.author_email, review.body) == (
        ANONYMOUS_AUTHOR,
        None,
        "Smooth and fresh.",
    )


def test_an_export_holds_the_customers_code_invitations_and_referrals(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given a referrer who invited a friend by email, and another friend who came through their link
    make_program(session, store_id=store.store_id)
    referrer = make_customer(session, store_id=store.store_id)
    send_invitation(
        session, store_id=store.store_id, referrer_external_id=referrer.external_id,
        invitation=InvitationIn(channel=InvitationChannel.EMAIL, email="li@example.com", friend_name="Li"),
        base_url="https://goodword.example",
    )  # fmt: skip
    refer(session, store_id=store.store_id, referrer=referrer)
    # when
    export = client.get(f"/api/v1/customers/{referrer.external_id}/export", headers=store.reader).json()
    # then
    assert [(i["email"], i["friend_name"]) for i in export["invitations_sent"]] == [("li@example.com", "Li")]
    assert [(r["role"], r["status"]) for r in export["referrals"]] == [("referrer", "registered")]
    assert len(export["referral_codes"]) == 1


def test_erasure_retires_the_referrers_code_and_forgets_whom_they_invited(
    client: TestClient, session: Session, store: StoreAccess
) -> None:
    # given
    make_program(session, store_id=store.store_id)
    referrer = make_customer(session, store_id=store.store_id)
    invitation_id = send_invitation(
        session, store_id=store.store_id, referrer_external_id=referrer.external_id,
        invitation=InvitationIn(channel=InvitationChannel.EMAIL, email="li@example.com", friend_name="Li"),
        base_url="https://goodword.example",
    ).id  # fmt: skip
    friend = refer(session, store_id=store.store_id, referrer=referrer)
    # when
    response = client.post(f"/api/v1/customers/{referrer.external_id}/erase", headers=store.writer)
    # then: the referral stays (rewards rest on it); the code and the friend's address do not
    assert response.status_code == 200, response.text
    session.expire_all()
    invitation = session.get_one(Invitation, invitation_id)
    assert (invitation.email, invitation.friend_name) == (None, None)
    code = session.scalars(select(ReferralCode).where(ReferralCode.customer_id == referrer.id)).one()
    assert code.retired_at is not None
    assert referral_of(session, store_id=store.store_id, friend=friend).referrer_customer_id == referrer.id
