"""Offer experiments: split a program's referrers between reward variants, and say which offer works better.

A referrer is assigned on first need (when their first friend registers) and keeps the variant for good; the
assignment is a row whose unique key settles racing first calls. Two allocations:

* `fixed`: weights, by a hash of the experiment and the referrer: the same split on every run, no state.
* `thompson`: Thompson sampling on each variant's conversion (referrers with a paying friend / referrers
  assigned), Beta(1, 1) prior. The draw's generator is seeded with the experiment's seed and the referrer,
  so an assignment can be replayed exactly; traffic shifts towards the offer that converts better.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import numpy as np
from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from goodword.clock import utc_now
from goodword.db.bulk import insert_for
from goodword.errors import Conflict, FieldIssue, InvalidInput, NotFound
from goodword.referrals.experiment_stats import thompson_choice, weighted_bucket
from goodword.referrals.models import Referral, ReferralProgram, ReferralStatus
from goodword.referrals.ops_models import Allocation, OfferAssignment, OfferExperiment, OfferVariant
from goodword.referrals.programs import get_program, parse_rules

_assignments = cast(Table, OfferAssignment.__table__)
MAX_VARIANTS = 10


@dataclass(frozen=True)
class VariantChoice:
    """The variant a referrer is in, and the reward rules it overrides (same shape as a program's rules)."""

    variant_id: int
    rules: dict[str, Any]


@dataclass(frozen=True)
class VariantSpec:
    """A variant as staff describe it: its rules override the program's, key by key."""

    name: str
    weight: int
    rules: dict[str, Any]


@dataclass(frozen=True)
class Experiment:
    experiment: OfferExperiment
    variants: list[OfferVariant]


def create_experiment(
    session: Session,
    *,
    store_id: str,
    program_id: int,
    name: str,
    allocation: Allocation,
    variants: Sequence[VariantSpec],
    who: str,
    seed: int | None = None,
    now: datetime | None = None,
) -> Experiment:
    """Start an experiment on a program; its referrers are assigned from now on.

    Without a `seed`, one is drawn and stored, so every Thompson draw can still be replayed.

    Raises:
        NotFound: the store has no such program.
        Conflict: the program already runs an experiment.
        InvalidInput: fewer than two variants, names repeated, no positive weight, or rules that do not parse.
    """
    now = now or utc_now()
    program = _locked_program(session, store_id=store_id, program_id=program_id)
    _check_variants(program, variants)
    running = _running(session, store_id=store_id, program_id=program_id, now=now)
    if running is not None:
        raise Conflict(f"program {program_id} already runs experiment {running.id}; stop it first")
    experiment = OfferExperiment(
        store_id=store_id,
        program_id=program_id,
        name=name,
        allocation=allocation,
        seed=secrets.randbelow(2**62) if seed is None else seed,
        created_by=who[:200],
        started_at=now,
    )
    session.add(experiment)
    session.flush()
    rows = [
        OfferVariant(
            store_id=store_id,
            experiment_id=experiment.id,
            position=position,
            name=spec.name,
            weight=spec.weight,
            rules=spec.rules,
        )
        for position, spec in enumerate(variants)
    ]
    session.add_all(rows)
    session.flush()
    return Experiment(experiment, rows)


def list_experiments(session: Session, *, store_id: str, program_id: int) -> list[Experiment]:
    """The program's experiments, newest first.

    Raises:
        NotFound: the store has no such program.
    """
    get_program(session, store_id=store_id, program_id=program_id)
    experiments = list(
        session.scalars(
            select(OfferExperiment)
            .where(OfferExperiment.store_id == store_id, OfferExperiment.program_id == program_id)
            .order_by(OfferExperiment.id.desc())
        )
    )
    variants = _variants(session, store_id=store_id, experiment_ids=[e.id for e in experiments])
    return [Experiment(e, variants.get(e.id, [])) for e in experiments]


def get_experiment(session: Session, *, store_id: str, experiment_id: int) -> Experiment:
    """Raises:
    NotFound: the store has no such experiment.
    """
    experiment = session.scalars(
        select(OfferExperiment).where(
            OfferExperiment.store_id == store_id, OfferExperiment.id == experiment_id
        )
    ).one_or_none()
    if experiment is None:
        raise NotFound(f"no experiment {experiment_id}")
    variants = _variants(session, store_id=store_id, experiment_ids=[experiment.id])
    return Experiment(experiment, variants.get(experiment.id, []))


def stop_experiment(
    session: Session, *, store_id: str, experiment_id: int, who: str, now: datetime | None = None
) -> Experiment:
    """Stop assigning; referrers already assigned keep their variant's rules on the referrals they made.

    Raises:
        NotFound: the store has no such experiment.
        Conflict: it was stopped already.
    """
    now = now or utc_now()
    found = get_experiment(session, store_id=store_id, experiment_id=experiment_id)
    if found.experiment.stopped_at is not None:
        raise Conflict(f"experiment {experiment_id} was stopped already")
    found.experiment.stopped_at = now
    found.experiment.stopped_by = who[:200]
    session.flush()
    return found


def variant_for_referrer(
    session: Session, *, store_id: str, program_id: int, referrer_customer_id: int, now: datetime
) -> VariantChoice | None:
    """The referrer's variant in the program's running experiment (assigned on first call); None without one."""
    experiment = _running(session, store_id=store_id, program_id=program_id, now=now)
    if experiment is None:
        return None
    variant_id = _assigned(
        session, store_id=store_id, experiment_id=experiment.id, customer_id=referrer_customer_id
    )
    variants = _variants(session, store_id=store_id, experiment_ids=[experiment.id])[experiment.id]
    if variant_id is None:
        chosen = _choose(session, experiment=experiment, variants=variants, customer_id=referrer_customer_id)
        # Two first friends registering at once: the unique key keeps the first assignment, both read it.
        session.execute(
            insert_for(session, _assignments)
            .values(
                store_id=store_id,
                experiment_id=experiment.id,
                variant_id=chosen.id,
                referrer_customer_id=referrer_customer_id,
                assigned_at=now,
            )
            .on_conflict_do_nothing()
        )
        variant_id = _assigned(
            session, store_id=store_id, experiment_id=experiment.id, customer_id=referrer_customer_id
        )
    variant = next(v for v in variants if v.id == variant_id)
    program = session.get_one(ReferralProgram, program_id)
    return VariantChoice(variant.id, {**program.rules, **variant.rules})


def conversion_counts(session: Session, *, store_id: str, experiment_id: int) -> dict[int, tuple[int, int]]:
    """Per variant id: (referrers with at least one converted friend, referrers assigned)."""
    assigned = dict(
        session.execute(
            select(OfferAssignment.variant_id, func.count())
            .where(OfferAssignment.store_id == store_id, OfferAssignment.experiment_id == experiment_id)
            .group_by(OfferAssignment.variant_id)
        ).all()
    )
    converted = dict(
        session.execute(
            select(
                OfferAssignment.variant_id, func.count(func.distinct(OfferAssignment.referrer_customer_id))
            )
            .join(
                Referral,
                (Referral.store_id == OfferAssignment.store_id)
                & (Referral.referrer_customer_id == OfferAssignment.referrer_customer_id)
                & (Referral.variant_id == OfferAssignment.variant_id),
            )
            .where(
                OfferAssignment.store_id == store_id,
                OfferAssignment.experiment_id == experiment_id,
                Referral.status == ReferralStatus.CONVERTED,
            )
            .group_by(OfferAssignment.variant_id)
        ).all()
    )
    return {variant_id: (int(converted.get(variant_id, 0)), int(n)) for variant_id, n in assigned.items()}


def _choose(
    session: Session, *, experiment: OfferExperiment, variants: list[OfferVariant], customer_id: int
) -> OfferVariant:
    live = [v for v in variants if v.weight > 0]
    if experiment.allocation is Allocation.FIXED:
        return live[weighted_bucket(f"{experiment.id}:{customer_id}", [v.weight for v in live])]
    counts = conversion_counts(session, store_id=experiment.store_id, experiment_id=experiment.id)
    successes = [counts.get(v.id, (0, 0))[0] for v in live]
    trials = [counts.get(v.id, (0, 0))[1] for v in live]
    rng = np.random.default_rng([experiment.seed, customer_id])
    return live[thompson_choice(successes, trials, rng)]


def _assigned(session: Session, *, store_id: str, experiment_id: int, customer_id: int) -> int | None:
    return session.scalars(
        select(OfferAssignment.variant_id).where(
            OfferAssignment.store_id == store_id,
            OfferAssignment.experiment_id == experiment_id,
            OfferAssignment.referrer_customer_id == customer_id,
        )
    ).one_or_none()


def _running(session: Session, *, store_id: str, program_id: int, now: datetime) -> OfferExperiment | None:
    return session.scalars(
        select(OfferExperiment)
        .where(
            OfferExperiment.store_id == store_id,
            OfferExperiment.program_id == program_id,
            OfferExperiment.started_at <= now,
            OfferExperiment.stopped_at.is_(None),
        )
        .order_by(OfferExperiment.id)
        .limit(1)
    ).one_or_none()


def _variants(session: Session, *, store_id: str, experiment_ids: list[int]) -> dict[int, list[OfferVariant]]:
    found: dict[int, list[OfferVariant]] = {}
    if not experiment_ids:
        return found
    for variant in session.scalars(
        select(OfferVariant)
        .where(OfferVariant.store_id == store_id, OfferVariant.experiment_id.in_(experiment_ids))
        .order_by(OfferVariant.experiment_id, OfferVariant.position)
    ):
        found.setdefault(variant.experiment_id, []).append(variant)
    return found


def _locked_program(session: Session, *, store_id: str, program_id: int) -> ReferralProgram:
    # Locking the program serializes two experiments started on it at once (PostgreSQL; SQLite's writer
    # transactions are serialized already).
    program = session.scalars(
        select(ReferralProgram)
        .where(ReferralProgram.store_id == store_id, ReferralProgram.id == program_id)
        .with_for_update()
    ).one_or_none()
    if program is None:
        raise NotFound(f"no referral program {program_id}")
    return program


def _check_variants(program: ReferralProgram, variants: Sequence[VariantSpec]) -> None:
    issues = []
    if not 2 <= len(variants) <= MAX_VARIANTS:
        issues.append(
            FieldIssue("variants", f"{len(variants)} variants; an experiment has 2 to {MAX_VARIANTS}")
        )
    names = [v.name for v in variants]
    if len(set(names)) != len(names):
        issues.append(FieldIssue("variants", f"variant names {names!r} repeat"))
    if not any(v.weight > 0 for v in variants):
        issues.append(FieldIssue("variants", "at least one variant needs a weight above 0"))
    for n, spec in enumerate(variants):
        try:
            parse_rules({**program.rules, **spec.rules})
        except InvalidInput as error:
            issues += [FieldIssue(f"variants.{n}.{i.field}", i.message) for i in error.issues]
    if issues:
        raise InvalidInput("the experiment's variants are not usable", issues)
