"""Demo customers: who they are (names in English and Chinese, contacts, time zone, consent) and when they joined.

Everything is drawn as numpy arrays for the whole population at once; `customer_inputs` turns a slice of it
into the `CustomerIn` models the stores services take, so a million customers never sit in memory as objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from goodword.demo.calendar import Ints, Window, sample_moments, shopping_intensity
from goodword.demo.names import CHINESE_FAMILY, CHINESE_GIVEN, ENGLISH_FAMILY, ENGLISH_GIVEN
from goodword.stores.inputs import CustomerIn

Bools = npt.NDArray[np.bool_]
CHINESE_SHARE = 0.4
# The shop is established: about a third of its customers joined in the year before the demo's history starts.
JOINED_BEFORE_MONTHS = 12


@dataclass(frozen=True)
class Region:
    time_zone: str
    utc_offset: int  # standard time; daylight saving moves shopping hours by one hour, which does not matter
    phone_prefix: str
    phone_digits: int  # random digits after the prefix
    domestic: bool  # served by the shop's US warehouse: cheaper shipping, and sales tax applies
    weight_english: float
    weight_chinese: float


# North American numbers use 555-01XX and British ones 07700 900XXX, the ranges kept free for fiction, so a
# demo message can never reach a real phone there. Asian mobile numbers have no such range; their digits are
# random.
REGIONS = (
    Region("America/New_York", -5, "+121255501", 2, True, 0.24, 0.03),
    Region("America/Chicago", -6, "+131255501", 2, True, 0.12, 0.01),
    Region("America/Denver", -7, "+130355501", 2, True, 0.05, 0.0),
    Region("America/Los_Angeles", -8, "+141555501", 2, True, 0.18, 0.06),
    Region("America/Toronto", -5, "+141655501", 2, False, 0.07, 0.02),
    Region("America/Vancouver", -8, "+160455501", 2, False, 0.03, 0.05),
    Region("Europe/London", 0, "+447700900", 3, False, 0.15, 0.02),
    Region("Australia/Sydney", 10, "+61491570", 3, False, 0.08, 0.02),
    Region("Asia/Singapore", 8, "+658", 7, False, 0.03, 0.05),
    Region("Asia/Shanghai", 8, "+8613", 9, False, 0.03, 0.6),
    Region("Asia/Hong_Kong", 8, "+8529", 7, False, 0.01, 0.09),
    Region("Asia/Taipei", 8, "+8869", 8, False, 0.01, 0.05),
)

ENGLISH_DOMAINS = ("example.com", "example.net", "example.org", "mail.example.com")
CHINESE_DOMAINS = ("qq.example.com", "163.example.com", "126.example.net", "example.org")


class NameStyle:
    ENGLISH = 0  # Emma Wilson
    HANZI = 1  # 王芳
    PINYIN = 2  # Fang Wang
    ENGLISH_GIVEN_CHINESE_FAMILY = 3  # Grace Liu


@dataclass(frozen=True)
class Population:
    """Customer `i` is the i-th to join: `joined_at` is strictly increasing, and may precede the window."""

    joined_at: Ints
    chinese: Bools
    region: Ints
    name_style: Ints
    english_given: Ints
    english_family: Ints
    chinese_given: Ints
    chinese_family: Ints
    email_domain: Ints
    phone: Ints  # -1: no phone given
    consent: Bools
    sociability: npt.NDArray[np.float64]  # how many people they know, relatively: heavy-tailed

    def __len__(self) -> int:
        return len(self.joined_at)

    def utc_offsets(self) -> Ints:
        return np.array([r.utc_offset for r in REGIONS], dtype=np.int64)[self.region]

    def domestic(self) -> Bools:
        return np.array([r.domestic for r in REGIONS], dtype=np.bool_)[self.region]


def draw_population(rng: np.random.Generator, window: Window, *, size: int) -> Population:
    chinese = rng.random(size) < CHINESE_SHARE
    region = np.where(
        chinese,
        rng.choice(len(REGIONS), size, p=_normalised([r.weight_chinese for r in REGIONS])),
        rng.choice(len(REGIONS), size, p=_normalised([r.weight_english for r in REGIONS])),
    )
    offsets = np.array([r.utc_offset for r in REGIONS], dtype=np.int64)[region]
    joined = _joining_moments(rng, window, chinese=chinese, utc_offsets=offsets)
    order = np.argsort(joined, kind="stable")
    # Strictly increasing, so "joined earlier" and "has a smaller index" mean the same thing.
    joined = np.maximum.accumulate(joined[order] - np.arange(size)) + np.arange(size)
    chinese, region = chinese[order], region[order]

    style = np.where(
        chinese,
        rng.choice(4, size, p=[0.0, 0.7, 0.15, 0.15]),
        rng.choice(4, size, p=[0.9, 0.0, 0.0, 0.1]),
    )
    max_digits = max(r.phone_digits for r in REGIONS)
    digits = np.array([r.phone_digits for r in REGIONS], dtype=np.int64)[region]
    phone = rng.integers(0, 10**max_digits, size) % (10**digits)
    has_phone = rng.random(size) < np.where(chinese, 0.85, 0.65)
    return Population(
        joined_at=np.asarray(joined, dtype=np.int64),
        chinese=chinese,
        region=region.astype(np.int64),
        name_style=style.astype(np.int64),
        english_given=rng.integers(0, len(ENGLISH_GIVEN), size),
        english_family=rng.integers(0, len(ENGLISH_FAMILY), size),
        chinese_given=rng.integers(0, len(CHINESE_GIVEN), size),
        # Surnames are far from uniform in China: a few account for most people.
        chinese_family=rng.choice(
            len(CHINESE_FAMILY), size, p=_normalised([1 / (rank + 3) for rank in range(len(CHINESE_FAMILY))])
        ),
        email_domain=rng.integers(0, len(ENGLISH_DOMAINS), size),
        phone=np.where(has_phone, phone, -1),
        consent=rng.random(size) < np.where(chinese, 0.45, 0.55),
        sociability=_pareto_weights(rng, size),
    )


def _joining_moments(rng: np.random.Generator, window: Window, *, chinese: Bools, utc_offsets: Ints) -> Ints:
    joining = window.reaching_back(JOINED_BEFORE_MONTHS)
    # The shop grows: it gains customers about twice as fast at the end as when the joining window opens.
    growth = np.linspace(0.65, 1.35, joining.days)
    joined = np.empty(len(chinese), dtype=np.int64)
    for is_chinese in (False, True):
        group = chinese == is_chinese
        joined[group] = sample_moments(
            rng,
            joining,
            shopping_intensity(joining, chinese=is_chinese) * growth,
            after=np.full(int(group.sum()), joining.start_s - 60, dtype=np.int64),
            utc_offset_hours=utc_offsets[group],
        )
    return joined


def _pareto_weights(rng: np.random.Generator, size: int) -> npt.NDArray[np.float64]:
    # A power law with exponent 2.2: most people know a handful, a few know hundreds (Barabási & Albert 1999).
    weights = (1.0 - rng.random(size)) ** (-1.0 / 1.2)
    return np.asarray(np.minimum(weights, max(size / 20, 1.0)), dtype=np.float64)


def _normalised(weights: list[float]) -> npt.NDArray[np.float64]:
    array = np.array(weights, dtype=np.float64)
    return np.asarray(array / array.sum(), dtype=np.float64)


def customer_external_id(index: int) -> str:
    return f"demo-c{index + 1:07d}"


def customer_inputs(population: Population, start: int, stop: int) -> list[CustomerIn]:
    """The customers `start` to `stop` (exclusive) as the stores services take them."""
    columns = [
        getattr(population, name)[start:stop].tolist()
        for name in (
            "joined_at", "chinese", "region", "name_style", "english_given", "english_family",
            "chinese_given", "chinese_family", "email_domain", "phone", "consent",
        )
    ]  # fmt: skip
    return [_customer(start + offset, *values) for offset, values in enumerate(zip(*columns, strict=True))]


def _customer(
    index: int,
    joined_at: int,
    chinese: bool,
    region_index: int,
    style: int,
    english_given: int,
    english_family: int,
    chinese_given: int,
    chinese_family: int,
    domain: int,
    phone: int,
    consent: bool,
) -> CustomerIn:
    region = REGIONS[region_index]
    given_hanzi, given_pinyin = CHINESE_GIVEN[chinese_given]
    family_hanzi, family_pinyin = CHINESE_FAMILY[chinese_family]
    if style == NameStyle.HANZI:
        name, local = f"{family_hanzi}{given_hanzi}", f"{family_pinyin}{given_pinyin}"
    elif style == NameStyle.PINYIN:
        name, local = f"{given_pinyin} {family_pinyin}", f"{given_pinyin}.{family_pinyin}"
    else:
        given = ENGLISH_GIVEN[english_given]
        family = (
            family_pinyin
            if style == NameStyle.ENGLISH_GIVEN_CHINESE_FAMILY
            else ENGLISH_FAMILY[english_family]
        )
        name, local = f"{given} {family}", f"{given}.{family}"
    domains = CHINESE_DOMAINS if chinese else ENGLISH_DOMAINS
    return CustomerIn(
        external_id=customer_external_id(index),
        name=name,
        email=f"{local.lower()}{index + 1}@{domains[domain]}",
        phone=f"{region.phone_prefix}{phone:0{region.phone_digits}d}" if phone >= 0 else None,
        locale="zh-CN" if chinese else "en",
        time_zone=region.time_zone,
        marketing_consent=consent,
        created_at=datetime.fromtimestamp(joined_at, UTC),
    )
