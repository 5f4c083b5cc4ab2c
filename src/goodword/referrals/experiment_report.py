"""An offer experiment's report: per variant, how many shared, how many friends paid, at what cost, and how sure.

Definitions (also returned with the report, so a reader need not find this file):

* **share rate** = referrers who shared / referrers assigned. A referrer shared when, after being assigned,
  Goodword sent an invitation for them or someone opened their referral link.
* **friends reached** = invitations sent for the variant's referrers after assignment + visits through their
  links that did not come from an invitation (each invitation or anonymous visit counts once; it is at least
  the number of friends who registered).
* **conversion** = friends whose first order was paid (converted referrals of the variant) / friends reached.
* **cost per acquired customer** = rewards earned by the variant's referrals in the program's currency
  (credit, fixed-amount coupons), minor units, not reversed, / converted friends, rounded half up. Points and
  percentage coupons have no money value here; points are reported apart.
* **p-value** = two-sided pooled two-proportion z-test of the variant's conversion against the first variant's.
* **probability best** = posterior probability that the variant's conversion is the highest, Beta(1, 1) prior,
  by Monte Carlo seeded with the experiment's seed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from goodword.referrals.experiment_stats import probability_best, two_proportion_z_test
from goodword.referrals.experiments import get_experiment
from goodword.referrals.models import (
    Invitation,
    Referral,
    ReferralClick,
    ReferralProgram,
    ReferralReward,
    ReferralStatus,
    RewardForm,
)
from goodword.referrals.ops_models import OfferAssignment

DEFINITIONS = {
    "share_rate": "referrers who sent an invitation or whose link was opened after assignment / referrers assigned",
    "friends_reached": "invitations sent + link visits not from an invitation, after assignment (at least registered)",
    "conversion_rate": "friends whose first order was paid / friends reached",
    "cost_per_acquired_customer_minor": "unreversed credit and fixed coupon rewards of the variant's referrals "
    "in the program currency / converted friends, rounded half up",
    "p_value_vs_control": "two-sided pooled two-proportion z-test of conversion against the first variant",
    "probability_best": "posterior probability of the highest conversion, Beta(1,1) prior, seeded Monte Carlo",
}


@dataclass(frozen=True)
class VariantReport:
    variant_id: int
    name: str
    weight: int
    assigned: int
    shared: int
    share_rate: float | None
    friends_reached: int
    registered: int
    converted: int
    conversion_rate: float | None
    reward_cost_minor: int
    reward_points: int
    cost_per_acquired_customer_minor: int | None
    p_value_vs_control: float | None
    probability_best: float


@dataclass(frozen=True)
class ExperimentReport:
    experiment_id: int
    currency: str
    definitions: dict[str, str]
    variants: list[VariantReport]


def experiment_report(session: Session, *, store_id: str, experiment_id: int) -> ExperimentReport:
    """The report of one experiment, as of now.

    Raises:
        NotFound: the store has no such experiment.
    """
    found = get_experiment(session, store_id=store_id, experiment_id=experiment_id)
    experiment, variants = found.experiment, found.variants
    currency = session.get_one(ReferralProgram, experiment.program_id).currency
    ids = [v.id for v in variants]
    assigned = _count_by(session, store_id, experiment_id)
    shared, reached = _sharing(session, store_id=store_id, experiment_id=experiment_id)
    registered, converted = _referrals(session, store_id=store_id, variant_ids=ids)
    cost, points = _costs(session, store_id=store_id, variant_ids=ids, currency=currency)
    trials = [max(reached[v], registered[v]) for v in ids]
    wins = [converted[v] for v in ids]
    best = probability_best(wins, trials, seed=experiment.seed)
    reports = []
    for n, variant in enumerate(variants):
        test = two_proportion_z_test(wins[0], trials[0], wins[n], trials[n]) if n else None
        reports.append(
            VariantReport(
                variant_id=variant.id,
                name=variant.name,
                weight=variant.weight,
                assigned=assigned[variant.id],
                shared=shared[variant.id],
                share_rate=_ratio(shared[variant.id], assigned[variant.id]),
                friends_reached=trials[n],
                registered=registered[variant.id],
                converted=wins[n],
                conversion_rate=_ratio(wins[n], trials[n]),
                reward_cost_minor=cost[variant.id],
                reward_points=points[variant.id],
                cost_per_acquired_customer_minor=(cost[variant.id] * 2 + wins[n]) // (2 * wins[n])
                if wins[n]
                else None,
                p_value_vs_control=test.p_value if test else None,
                probability_best=best[n],
            )
        )
    return ExperimentReport(experiment.id, currency, DEFINITIONS, reports)


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _count_by(session: Session, store_id: str, experiment_id: int) -> defaultdict[int, int]:
    counts: defaultdict[int, int] = defaultdict(int)
    for variant_id, n in session.execute(
        select(OfferAssignment.variant_id, func.count())
        .where(OfferAssignment.store_id == store_id, OfferAssignment.experiment_id == experiment_id)
        .group_by(OfferAssignment.variant_id)
    ):
        counts[variant_id] = int(n)
    return counts


def _sharing(
    session: Session, *, store_id: str, experiment_id: int
) -> tuple[defaultdict[int, int], defaultdict[int, int]]:
    """Per variant: referrers who shared, and friends reached (invitations sent + anonymous link visits)."""
    assigned = OfferAssignment
    invitations = session.execute(
        select(assigned.variant_id, assigned.referrer_customer_id, func.count())
        .join(
            Invitation,
            (Invitation.store_id == assigned.store_id)
            & (Invitation.referrer_customer_id == assigned.referrer_customer_id)
            & (Invitation.sent_at >= assigned.assigned_at),
        )
        .where(assigned.store_id == store_id, assigned.experiment_id == experiment_id)
        .group_by(assigned.variant_id, assigned.referrer_customer_id)
    ).all()
    clicks = session.execute(
        select(
            assigned.variant_id,
            assigned.referrer_customer_id,
            func.count(),
            func.count(ReferralClick.invitation_id),
        )
        .join(
            ReferralClick,
            (ReferralClick.store_id == assigned.store_id)
            & (ReferralClick.referrer_customer_id == assigned.referrer_customer_id)
            & (ReferralClick.clicked_at >= assigned.assigned_at),
        )
        .where(assigned.store_id == store_id, assigned.experiment_id == experiment_id)
        .group_by(assigned.variant_id, assigned.referrer_customer_id)
    ).all()
    sharers: defaultdict[int, set[int]] = defaultdict(set)
    reached: defaultdict[int, int] = defaultdict(int)
    for variant_id, referrer, sent in invitations:
        sharers[variant_id].add(referrer)
        reached[variant_id] += int(sent)
    for variant_id, referrer, visits, through_invitation in clicks:
        sharers[variant_id].add(referrer)
        reached[variant_id] += int(visits) - int(through_invitation)
    shared: defaultdict[int, int] = defaultdict(int, {v: len(s) for v, s in sharers.items()})
    return shared, reached


def _referrals(
    session: Session, *, store_id: str, variant_ids: list[int]
) -> tuple[defaultdict[int, int], defaultdict[int, int]]:
    registered: defaultdict[int, int] = defaultdict(int)
    converted: defaultdict[int, int] = defaultdict(int)
    for variant_id, status, n in session.execute(
        select(Referral.variant_id, Referral.status, func.count())
        .where(Referral.store_id == store_id, Referral.variant_id.in_(variant_ids))
        .group_by(Referral.variant_id, Referral.status)
    ):
        if variant_id is None:  # pragma: no cover - filtered out by the query
            continue
        if status in (ReferralStatus.REGISTERED, ReferralStatus.CONVERTED):
            registered[variant_id] += int(n)
        if status is ReferralStatus.CONVERTED:
            converted[variant_id] += int(n)
    return registered, converted


def _costs(
    session: Session, *, store_id: str, variant_ids: list[int], currency: str
) -> tuple[defaultdict[int, int], defaultdict[int, int]]:
    money: defaultdict[int, int] = defaultdict(int)
    points: defaultdict[int, int] = defaultdict(int)
    for variant_id, form, reward_currency, amount in session.execute(
        select(
            Referral.variant_id, ReferralReward.form, ReferralReward.currency, func.sum(ReferralReward.amount)
        )
        .join(
            Referral,
            (Referral.store_id == ReferralReward.store_id) & (Referral.id == ReferralReward.referral_id),
        )
        .where(
            ReferralReward.store_id == store_id,
            Referral.variant_id.in_(variant_ids),
            ReferralReward.reversed_at.is_(None),
        )
        .group_by(Referral.variant_id, ReferralReward.form, ReferralReward.currency)
    ):
        if variant_id is None:  # pragma: no cover - filtered out by the query
            continue
        if form is RewardForm.POINTS:
            points[variant_id] += int(amount or 0)
        elif reward_currency == currency:  # credit, and coupons with a fixed amount in the program's money
            money[variant_id] += int(amount or 0)
    return money, points
