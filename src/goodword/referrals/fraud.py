"""The fraud guard: reasons to hold a new referral for review, each recorded so staff can read it later.

Every rule is one indexed look-up or a short walk of the referral graph, cheap enough to run inside the
registration that created the referral. The guard stores only keyed hashes of what it compared
(`ReferralSignal`), the thresholds in force (`FraudAssessment.policy`) and each reason (`FraudFinding`).

Reason codes (stable; clients may rely on them):

    self_referral        the referrer and the friend are the same customer
    same_email           the same mailbox once normalized (case, +tags, Gmail dots, googlemail.com)
    same_phone           the same phone number in E.164
    same_payment         the friend's payment fingerprint is one the referrer used
    same_address         the friend's address, normalized, is one the referrer used
    same_device          the friend's device is one the referrer used
    same_ip_user_agent   the friend registered from the referrer's IP address and browser, within a window
    payment_reused       the payment fingerprint already paid for another referred friend's registration
    disposable_email     the friend's email domain is a throw-away one
    velocity_referrer    the referrer brought more friends today than the store allows
    velocity_ip          more registrations through referrals from this IP address today than allowed
    velocity_device      more registrations through referrals from this device today than allowed
    referral_cycle       the friend is already upstream of the referrer: A refers B … refers A
    ring_cluster         many accounts in one referral tree, made within minutes, from few IPs or devices
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from goodword.errors import NotFound
from goodword.referrals import rings
from goodword.referrals.models import Referral
from goodword.referrals.normalize import (
    email_domain,
    normalize_address,
    normalize_email,
    normalize_phone,
    normalize_text,
    signal_hash,
)
from goodword.referrals.ops_models import FraudAssessment, FraudFinding, ReferralSignal, SignalKind
from goodword.referrals.ops_policy import Policy, get_policy
from goodword.stores.inputs import ReferralContext
from goodword.stores.models import Customer

DAY = timedelta(days=1)
# Signals a friend shares with their referrer that give the referrer away, and the reason for each.
_SAME_AS_REFERRER = {
    SignalKind.PAYMENT: ("same_payment", "payment fingerprint"),
    SignalKind.ADDRESS: ("same_address", "address"),
    SignalKind.DEVICE: ("same_device", "device"),
}


@dataclass(frozen=True)
class FraudReason:
    """One rule that fired, with a stable code and a sentence staff can read."""

    code: str
    detail: str


def assess_referral(
    session: Session,
    *,
    store_id: str,
    referral_id: int,
    context: ReferralContext | None,
    now: datetime,
) -> list[FraudReason]:
    """Every reason to hold this new (flushed) referral for review; empty when none. Records what it saw and decided.

    Raises:
        NotFound: the store has no such referral.
    """
    referral = session.scalars(
        select(Referral).where(Referral.store_id == store_id, Referral.id == referral_id)
    ).one_or_none()
    if referral is None:
        raise NotFound(f"no referral {referral_id}")
    policy = get_policy(session, store_id=store_id)
    people = {
        c.id: c
        for c in session.scalars(
            select(Customer).where(
                Customer.store_id == store_id,
                Customer.id.in_([referral.referrer_customer_id, referral.referred_customer_id]),
            )
        )
    }
    referrer, friend = people[referral.referrer_customer_id], people[referral.referred_customer_id]
    signals = _signals(store_id, friend, context)
    reasons = [
        *_same_person(
            session,
            store_id=store_id,
            referrer=referrer,
            friend=friend,
            signals=signals,
            policy=policy,
            now=now,
        ),
        *_disposable(friend, policy),
        *_velocity(session, store_id=store_id, referrer=referrer, signals=signals, policy=policy, now=now),
    ]
    _record_signals(session, referral=referral, signals=signals, now=now)
    reasons += _rings(session, referral=referral, referrer=referrer, friend=friend, policy=policy, now=now)
    _record_assessment(session, referral=referral, reasons=reasons, policy=policy, now=now)
    return reasons


def disposable_domains() -> frozenset[str]:
    """The throw-away email domains shipped with Goodword (see the list's header for its source)."""
    return _shipped_disposable_domains()


@functools.cache
def _shipped_disposable_domains() -> frozenset[str]:
    text = resources.files("goodword.referrals").joinpath("disposable_domains.txt").read_text("utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def _signals(store_id: str, friend: Customer, context: ReferralContext | None) -> dict[SignalKind, str]:
    """The friend's signals, normalized and hashed; only those known."""
    values: dict[SignalKind, str | None] = {
        SignalKind.EMAIL: normalize_email(friend.email) if friend.email else None,
        SignalKind.PHONE: normalize_phone(friend.phone) if friend.phone else None,
    }
    if context is not None:
        ip = normalize_text(context.ip) if context.ip else None
        values[SignalKind.IP] = ip
        if ip and context.user_agent:
            values[SignalKind.IP_USER_AGENT] = f"{ip}\x1f{context.user_agent.strip()}"
        values[SignalKind.DEVICE] = normalize_text(context.device_id) if context.device_id else None
        values[SignalKind.PAYMENT] = (
            normalize_text(context.payment_fingerprint) if context.payment_fingerprint else None
        )
        values[SignalKind.ADDRESS] = normalize_address(context.address) if context.address else None
    return {kind: signal_hash(store_id, kind, value) for kind, value in values.items() if value}


def _same_person(
    session: Session,
    *,
    store_id: str,
    referrer: Customer,
    friend: Customer,
    signals: dict[SignalKind, str],
    policy: Policy,
    now: datetime,
) -> list[FraudReason]:
    if referrer.id == friend.id:
        return [FraudReason("self_referral", f"customer {referrer.external_id!r} referred themselves")]
    reasons = []
    if referrer.email and friend.email and normalize_email(referrer.email) == normalize_email(friend.email):
        reasons.append(
            FraudReason(
                "same_email",
                f"{friend.email!r} and the referrer's {referrer.email!r} reach the same mailbox",
            )
        )
    if referrer.phone and friend.phone and normalize_phone(referrer.phone) == normalize_phone(friend.phone):
        reasons.append(
            FraudReason("same_phone", f"the friend and the referrer share the phone {friend.phone!r}")
        )
    theirs = session.execute(
        select(ReferralSignal.kind, ReferralSignal.value_hash, ReferralSignal.seen_at).where(
            ReferralSignal.store_id == store_id, ReferralSignal.customer_id == referrer.id
        )
    ).all()
    for kind, (code, what) in _SAME_AS_REFERRER.items():
        if kind in signals and any(k is kind and h == signals[kind] for k, h, _ in theirs):
            reasons.append(
                FraudReason(code, f"the friend's {what} is one the referrer {referrer.external_id!r} used")
            )
    window = timedelta(hours=policy.same_ip_user_agent_window_hours)
    mine = signals.get(SignalKind.IP_USER_AGENT)
    if mine and any(
        k is SignalKind.IP_USER_AGENT and h == mine and seen >= now - window for k, h, seen in theirs
    ):
        reasons.append(
            FraudReason(
                "same_ip_user_agent",
                f"the friend registered from the IP address and browser the referrer {referrer.external_id!r} "
                f"used within {policy.same_ip_user_agent_window_hours} hours",
            )
        )
    payment = signals.get(SignalKind.PAYMENT)
    if payment and _seen(
        session, store_id, SignalKind.PAYMENT, payment, since=None, except_customer=friend.id
    ):
        reasons.append(
            FraudReason(
                "payment_reused", "the payment fingerprint was already used by another referred friend"
            )
        )
    return reasons


def _disposable(friend: Customer, policy: Policy) -> list[FraudReason]:
    if not friend.email:
        return []
    domain = email_domain(friend.email)
    if domain in disposable_domains() or domain in policy.extra_disposable_domains:
        return [FraudReason("disposable_email", f"{domain!r} is a disposable email domain")]
    return []


def _velocity(
    session: Session,
    *,
    store_id: str,
    referrer: Customer,
    signals: dict[SignalKind, str],
    policy: Policy,
    now: datetime,
) -> list[FraudReason]:
    reasons = []
    earlier = session.scalar(
        select(func.count()).where(
            FraudAssessment.store_id == store_id,
            FraudAssessment.referrer_customer_id == referrer.id,
            FraudAssessment.assessed_at > now - DAY,
        )
    )
    if (earlier or 0) + 1 > policy.max_referrals_per_referrer_per_day:
        reasons.append(
            FraudReason(
                "velocity_referrer",
                f"referrer {referrer.external_id!r} brought {(earlier or 0) + 1} friends within 24 hours; "
                f"the limit is {policy.max_referrals_per_referrer_per_day}",
            )
        )
    for kind, code, what, limit in (
        (SignalKind.IP, "velocity_ip", "IP address", policy.max_registrations_per_ip_per_day),
        (SignalKind.DEVICE, "velocity_device", "device", policy.max_registrations_per_device_per_day),
    ):
        if kind not in signals:
            continue
        count = _seen(session, store_id, kind, signals[kind], since=now - DAY) + 1
        if count > limit:
            reasons.append(
                FraudReason(
                    code,
                    f"{count} registrations through referrals from one {what} within 24 hours; the limit is {limit}",
                )
            )
    return reasons


def _rings(
    session: Session,
    *,
    referral: Referral,
    referrer: Customer,
    friend: Customer,
    policy: Policy,
    now: datetime,
) -> list[FraudReason]:
    store_id = referral.store_id
    reasons = []
    cycle = rings.find_cycle(
        session,
        store_id=store_id,
        referrer_customer_id=referrer.id,
        referred_customer_id=friend.id,
        max_depth=policy.ring_max_depth,
    )
    if cycle is not None:
        names = _external_ids(session, store_id, cycle)
        loop = " → ".join(repr(names[c]) for c in reversed(cycle))
        reasons.append(FraudReason("referral_cycle", f"the referrals form a loop: {loop}"))
    window = policy.cluster_window_minutes
    cluster = rings.recent_cluster(
        session,
        store_id=store_id,
        referrer_customer_id=referrer.id,
        newcomer=friend.id,
        since=now - timedelta(minutes=window),
        max_depth=policy.ring_max_depth,
    )
    crowded_on = rings.is_dense(
        cluster, min_accounts=policy.cluster_min_accounts, max_sources=policy.cluster_max_sources
    )
    if crowded_on is not None:
        sources = cluster.distinct_ips if crowded_on == "IP address" else cluster.distinct_devices
        root = _external_ids(session, store_id, [cluster.root_customer_id])[cluster.root_customer_id]
        plural = "" if sources == 1 else ("es" if crowded_on.endswith("s") else "s")
        reasons.append(
            FraudReason(
                "ring_cluster",
                f"{len(cluster.accounts)} accounts in the referral tree of {root!r} registered within "
                f"{window} minutes from {sources} {crowded_on}{plural}",
            )
        )
    return reasons


def _seen(
    session: Session,
    store_id: str,
    kind: SignalKind,
    value_hash: str,
    *,
    since: datetime | None,
    except_customer: int | None = None,
) -> int:
    """How many recorded registrations carried this signal (since a moment, if given)."""
    query = select(func.count()).where(
        ReferralSignal.store_id == store_id,
        ReferralSignal.kind == kind,
        ReferralSignal.value_hash == value_hash,
    )
    if since is not None:
        query = query.where(ReferralSignal.seen_at > since)
    if except_customer is not None:
        query = query.where(ReferralSignal.customer_id != except_customer)
    return int(session.scalar(query) or 0)


def _record_signals(
    session: Session, *, referral: Referral, signals: dict[SignalKind, str], now: datetime
) -> None:
    session.add_all(
        ReferralSignal(
            store_id=referral.store_id,
            customer_id=referral.referred_customer_id,
            referral_id=referral.id,
            kind=kind,
            value_hash=value_hash,
            seen_at=now,
        )
        for kind, value_hash in signals.items()
    )
    session.flush()


def _record_assessment(
    session: Session, *, referral: Referral, reasons: list[FraudReason], policy: Policy, now: datetime
) -> None:
    assessment = FraudAssessment(
        store_id=referral.store_id,
        referral_id=referral.id,
        referrer_customer_id=referral.referrer_customer_id,
        referred_customer_id=referral.referred_customer_id,
        held=bool(reasons),
        policy=policy.model_dump(mode="json"),
        assessed_at=now,
    )
    session.add(assessment)
    session.flush()
    session.add_all(
        FraudFinding(
            store_id=referral.store_id,
            assessment_id=assessment.id,
            referral_id=referral.id,
            code=reason.code,
            detail=reason.detail[:500],
            created_at=now,
        )
        for reason in reasons
    )
    session.flush()


def _external_ids(session: Session, store_id: str, customer_ids: list[int]) -> dict[int, str]:
    rows = session.execute(
        select(Customer.id, Customer.external_id).where(
            Customer.store_id == store_id, Customer.id.in_(customer_ids)
        )
    )
    return dict(rows.all())
