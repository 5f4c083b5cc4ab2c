"""Announcements: one message to a segment of customers, in their language, through the outbox as marketing.

Only customers who agreed to marketing and have a working address are written to the outbox; delivery checks
consent again (someone may unsubscribe in between), quiet hours and the weekly cap. Each recipient's message
has the dedupe key `announcement:<id>:<customer>`, so a retried request never mails anyone twice.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session

from goodword.clock import utc_now
from goodword.errors import FieldIssue, InvalidInput
from goodword.messaging.models import Channel, Purpose
from goodword.messaging.outbox import NewMessage, enqueue_many
from goodword.referrals.models import Invitation, ReferralClick
from goodword.referrals.ops_models import Announcement
from goodword.rewards.models import Member, MemberTier
from goodword.stores.models import Customer, Order, OrderStatus
from goodword.stores.pagination import Page, paginate

KIND = "announcement"
LANGUAGES = ("en", "zh")
_PAID = (OrderStatus.PAID, OrderStatus.FULFILLED)


@dataclass(frozen=True)
class Segment:
    """Who gets an announcement; every filter given must hold (an empty segment is every consenting customer)."""

    tier: str | None = None  # the member tier's name
    has_shared: bool | None = None  # sent an invitation or had their referral link opened
    min_paid_orders: int | None = None
    language: str | None = None  # "en" or "zh": customers whose locale starts with it


def announce(
    session: Session,
    *,
    store_id: str,
    subjects: dict[str, str],
    bodies: dict[str, str],
    segment: Segment,
    who: str,
    now: datetime | None = None,
) -> Announcement:
    """Queue an announcement to every consenting customer in the segment; returns it with its recipient count.

    Raises:
        InvalidInput: no English text (the fallback for every other locale), or a language we cannot send.
    """
    now = now or utc_now()
    _check_texts(subjects, bodies)
    announcement = Announcement(
        store_id=store_id, subjects=subjects, bodies=bodies, segment=asdict(segment), recipients=0,
        created_by=who[:200], created_at=now,
    )  # fmt: skip
    session.add(announcement)
    session.flush()
    people = session.execute(_audience(store_id, segment)).all()
    messages = []
    for customer_id, email, locale in people:
        language = "zh" if (locale or "").lower().startswith("zh") and "zh" in subjects else "en"
        messages.append(
            NewMessage(
                channel=Channel.EMAIL, purpose=Purpose.MARKETING, kind=KIND, recipient=email or "",
                payload={"subject": subjects[language], "body": bodies[language]},
                reason=f"announcement {announcement.id} to a segment of customers who agreed to marketing",
                customer_id=customer_id, locale=language, send_at=now,
                dedupe_key=f"announcement:{announcement.id}:{customer_id}",
            )
        )  # fmt: skip
    enqueue_many(session, store_id=store_id, messages=messages)
    announcement.recipients = len(messages)
    session.flush()
    return announcement


def list_announcements(
    session: Session, *, store_id: str, cursor: str | None, limit: int
) -> Page[Announcement]:
    query = select(Announcement).where(Announcement.store_id == store_id)
    return paginate(session, query, Announcement.id, cursor=cursor, limit=limit)


def _audience(store_id: str, segment: Segment) -> Select[int, str | None, str | None]:
    query = select(Customer.id, Customer.email, Customer.locale).where(
        Customer.store_id == store_id,
        Customer.email.is_not(None),
        Customer.email_undeliverable_at.is_(None),
        Customer.erased_at.is_(None),
        Customer.marketing_consent.is_(True),
    )
    if segment.tier is not None:
        query = query.where(
            exists().where(
                Member.store_id == store_id,
                Member.customer_id == Customer.id,
                MemberTier.id == Member.tier_id,
                MemberTier.name == segment.tier,
            )
        )
    if segment.has_shared is not None:
        shared = or_(
            exists().where(Invitation.store_id == store_id, Invitation.referrer_customer_id == Customer.id),
            exists().where(
                ReferralClick.store_id == store_id, ReferralClick.referrer_customer_id == Customer.id
            ),
        )
        query = query.where(shared if segment.has_shared else ~shared)
    if segment.min_paid_orders is not None:
        paid = (
            select(func.count())
            .where(Order.store_id == store_id, Order.customer_id == Customer.id, Order.status.in_(_PAID))
            .scalar_subquery()
        )
        query = query.where(paid >= segment.min_paid_orders)
    if segment.language is not None:
        query = query.where(func.lower(func.coalesce(Customer.locale, "en")).like(f"{segment.language}%"))
    return query.order_by(Customer.id)


def _check_texts(subjects: dict[str, str], bodies: dict[str, str]) -> None:
    issues = [
        FieldIssue(f"{field}.{language}", f"language {language!r} is not one of {list(LANGUAGES)}")
        for field, texts in (("subjects", subjects), ("bodies", bodies))
        for language in texts
        if language not in LANGUAGES
    ]
    if "en" not in subjects or "en" not in bodies:
        issues.append(
            FieldIssue("subjects.en", "English text is required: it is the fallback for every locale")
        )
    if set(subjects) != set(bodies):
        issues.append(FieldIssue("bodies", f"languages {sorted(bodies)!r} differ from {sorted(subjects)!r}"))
    if issues:
        raise InvalidInput("the announcement's texts are not usable", issues)
