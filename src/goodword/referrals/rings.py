"""Referral rings in the referral graph: cycles, and dense clusters of accounts made together.

The graph has an edge referrer → friend for every referral. A friend has one referrer (a referral is unique
per referred customer), so walking up from a customer is a chain of indexed lookups, and walking down a tree
limited to a time window touches only the recent registrations. Nothing here loads the whole graph.

Two shapes give a ring away:

* a **cycle**: A refers B refers … refers A. Honest friends cannot close a loop, because the friend must be
  new to the shop when referred; a loop means accounts that refer each other to farm rewards.
* a **dense cluster**: many accounts in one referral tree registered within minutes from a few IP addresses
  or devices: one person (or script) making "friends".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodword.referrals.models import Referral
from goodword.referrals.ops_models import FraudAssessment, ReferralSignal, SignalKind

# A tree walk stops after this many accounts: a cluster that large is flagged long before, and the check
# must stay cheap at registration time.
MAX_CLUSTER_ACCOUNTS = 500


@dataclass(frozen=True)
class Cluster:
    """Recent accounts in one referral tree and where they registered from."""

    root_customer_id: int
    accounts: list[int]  # the referred customers, in the order found
    distinct_ips: int
    accounts_with_ip: int
    distinct_devices: int
    accounts_with_device: int


def find_cycle(
    session: Session, *, store_id: str, referrer_customer_id: int, referred_customer_id: int, max_depth: int
) -> list[int] | None:
    """The customers on a loop the new edge referrer → referred closes, referred first; None without one.

    Walks up from the referrer through each customer's own referrer, at most `max_depth` steps.
    """
    chain = [referred_customer_id, referrer_customer_id]
    current = referrer_customer_id
    for _ in range(max_depth):
        if current == referred_customer_id:
            return chain
        upstream = session.scalars(
            select(Referral.referrer_customer_id).where(
                Referral.store_id == store_id, Referral.referred_customer_id == current
            )
        ).one_or_none()
        if upstream is None or upstream in chain[1:]:
            return None  # the top of the tree, or a loop that does not pass through the new friend
        chain.append(upstream)
        current = upstream
    return chain if current == referred_customer_id else None


def recent_cluster(
    session: Session,
    *,
    store_id: str,
    referrer_customer_id: int,
    newcomer: int,
    since: datetime,
    max_depth: int,
) -> Cluster:
    """The accounts registered since `since` in the referral tree around the referrer, with the newcomer.

    Climbs while the referrer was itself referred since `since`, then walks the tree down from there,
    following only referrals assessed since `since` (the index on assessments by referrer and time).
    """
    root = _recent_root(
        session, store_id=store_id, customer_id=referrer_customer_id, since=since, max_depth=max_depth
    )
    accounts = [newcomer]  # being assessed: its signals are recorded, its assessment not yet
    frontier = [root]
    seen = {root, newcomer}
    while frontier and len(accounts) < MAX_CLUSTER_ACCOUNTS:
        children = list(
            session.scalars(
                select(FraudAssessment.referred_customer_id).where(
                    FraudAssessment.store_id == store_id,
                    FraudAssessment.referrer_customer_id.in_(frontier),
                    FraudAssessment.assessed_at >= since,
                )
            )
        )
        frontier = [c for c in children if c not in seen]
        seen.update(frontier)
        accounts.extend(frontier)
    ips, devices = _sources(session, store_id=store_id, customer_ids=accounts)
    return Cluster(
        root_customer_id=root,
        accounts=accounts,
        distinct_ips=len(set(ips.values())),
        accounts_with_ip=len(ips),
        distinct_devices=len(set(devices.values())),
        accounts_with_device=len(devices),
    )


def is_dense(cluster: Cluster, *, min_accounts: int, max_sources: int) -> str | None:
    """Which source the cluster's accounts crowd on ("IP address" or "device"), or None when they do not."""
    if cluster.accounts_with_ip >= min_accounts and cluster.distinct_ips <= max_sources:
        return "IP address"
    if cluster.accounts_with_device >= min_accounts and cluster.distinct_devices <= max_sources:
        return "device"
    return None


def _recent_root(
    session: Session, *, store_id: str, customer_id: int, since: datetime, max_depth: int
) -> int:
    current = customer_id
    visited = {current}
    for _ in range(max_depth):
        upstream = session.scalars(
            select(Referral.referrer_customer_id).where(
                Referral.store_id == store_id,
                Referral.referred_customer_id == current,
                Referral.registered_at >= since,
            )
        ).one_or_none()
        if upstream is None or upstream in visited:
            return current
        visited.add(upstream)
        current = upstream
    return current


def _sources(
    session: Session, *, store_id: str, customer_ids: Sequence[int]
) -> tuple[dict[int, str], dict[int, str]]:
    """Each account's registration IP and device hashes (the first recorded, one per account)."""
    ips: dict[int, str] = {}
    devices: dict[int, str] = {}
    if not customer_ids:
        return ips, devices
    rows = session.execute(
        select(ReferralSignal.customer_id, ReferralSignal.kind, ReferralSignal.value_hash)
        .where(
            ReferralSignal.store_id == store_id,
            ReferralSignal.customer_id.in_(customer_ids),
            ReferralSignal.kind.in_([SignalKind.IP, SignalKind.DEVICE]),
        )
        .order_by(ReferralSignal.id)
    )
    for customer_id, kind, value_hash in rows:
        (ips if kind is SignalKind.IP else devices).setdefault(customer_id, value_hash)
    return ips, devices
