"""When people shop: the demo's time window and a daily shopping intensity with its seasons and holidays.

Moments are integer seconds since the Unix epoch, so whole populations are sampled with numpy at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
import numpy.typing as npt

DEFAULT_LAST_DAY = date(2026, 10, 31)
WINDOW_MONTHS = 18
DAY = 86_400

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

# Relative weight of Monday … Sunday: online tea orders lean to Sunday and Monday evenings.
_WEEKDAY = np.array([1.06, 1.0, 0.97, 0.96, 0.94, 0.92, 1.15])
# Share of a day's orders per local hour: quiet at night, a lunch bump and an evening peak.
_HOURLY = np.array(
    [0.6, 0.35, 0.2, 0.15, 0.15, 0.25, 0.6, 1.2, 2.0, 2.6, 3.0, 3.4,
     4.0, 3.8, 3.4, 3.3, 3.5, 3.9, 4.4, 5.2, 6.2, 6.6, 5.2, 2.6]
)  # fmt: skip
_HOUR_CDF = np.concatenate([[0.0], np.cumsum(_HOURLY) / _HOURLY.sum()])


@dataclass(frozen=True)
class Window:
    """The demo's history: `months` months of days ending with `last_day` (UTC)."""

    start: datetime
    end: datetime  # exclusive: midnight after the last day

    @classmethod
    def ending(cls, last_day: date, months: int = WINDOW_MONTHS) -> Window:
        end = last_day + timedelta(days=1)
        month_index = end.year * 12 + end.month - 1 - months
        start = date(month_index // 12, month_index % 12 + 1, min(end.day, 28))
        return cls(_midnight(start), _midnight(end))

    def reaching_back(self, months: int) -> Window:
        """The same end, starting `months` earlier: when the customers of an established shop joined."""
        start = self.start.date()
        month_index = start.year * 12 + start.month - 1 - months
        return Window(_midnight(date(month_index // 12, month_index % 12 + 1, start.day)), self.end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def start_s(self) -> int:
        return int(self.start.timestamp())

    @property
    def end_s(self) -> int:
        return int(self.end.timestamp())

    def dates(self) -> list[date]:
        first = self.start.date()
        return [first + timedelta(days=i) for i in range(self.days)]


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def shopping_intensity(window: Window, *, chinese: bool) -> Floats:
    """Relative order volume per day: week rhythm, a winter-heavy year and the shopping festivals.

    Singles' Day (11 November) dominates for Chinese-speaking customers; Black Friday, Cyber Monday and the
    Christmas run-up for the others. Both buy more tea in the cold months and for Lunar New Year.
    """
    days = window.dates()
    weekday = np.array([d.weekday() for d in days])
    day_of_year = np.array([d.timetuple().tm_yday for d in days], dtype=np.float64)
    yearly = 1.0 + 0.25 * np.cos(2 * np.pi * (day_of_year - 20) / 365.25)
    festival = np.array([_festival_boost(d, chinese=chinese) for d in days])
    return np.asarray(_WEEKDAY[weekday] * yearly * festival, dtype=np.float64)


def _festival_boost(day: date, *, chinese: bool) -> float:
    black_friday = _black_friday(day.year)
    boosts = {
        date(day.year, 11, 10): 1.6 if chinese else 1.1,
        date(day.year, 11, 11): 4.5 if chinese else 1.6,
        date(day.year, 11, 12): 1.8 if chinese else 1.1,
        black_friday: 1.6 if chinese else 3.6,
        black_friday + timedelta(days=1): 1.3 if chinese else 2.2,
        black_friday + timedelta(days=2): 1.2 if chinese else 1.8,
        black_friday + timedelta(days=3): 1.5 if chinese else 2.8,  # Cyber Monday
        date(day.year, 12, 24): 0.7,
        date(day.year, 12, 25): 0.5,
    }
    if day in boosts:
        return boosts[day]
    if day.month == 12 and day.day <= 21:
        return 1.9 if not chinese else 1.4  # Christmas gifting
    if date(day.year, 11, 1) <= day < date(day.year, 11, 10):
        return 1.25 if chinese else 1.1  # Singles' Day pre-sales
    new_year = _LUNAR_NEW_YEAR.get(day.year)
    if new_year is not None and timedelta(days=-21) <= day - new_year < timedelta(0):
        return 1.7 if chinese else 1.15  # gifts before Lunar New Year
    return 1.0


_LUNAR_NEW_YEAR = {
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
}


def _black_friday(year: int) -> date:
    first = date(year, 11, 1)
    thanksgiving = first + timedelta(days=(3 - first.weekday()) % 7 + 21)
    return thanksgiving + timedelta(days=1)


def sample_moments(
    rng: np.random.Generator,
    window: Window,
    intensity: Floats,
    *,
    after: Ints,
    utc_offset_hours: Ints,
) -> Ints:
    """One moment per entry of `after`, later than it and before the window ends, following `intensity`.

    The day is drawn from the daily intensity; the hour from the local hourly profile (shifted by each
    customer's UTC offset), so a Shanghai customer's evening peak lands at noon UTC.
    """
    cumulative = np.concatenate([[0.0], np.cumsum(intensity)])
    position = np.clip((after - window.start_s) / DAY, 0.0, window.days - 1e-9)
    whole = position.astype(np.int64)
    low = cumulative[whole] + (position - whole) * intensity[whole]
    u = low + rng.random(len(after)) * (cumulative[-1] - low)
    day = np.clip(np.searchsorted(cumulative, u, side="right") - 1, 0, window.days - 1)
    fraction_of_day = np.interp(rng.random(len(after)), _HOUR_CDF, np.linspace(0.0, 1.0, 25))
    moment = window.start_s + day * DAY + (fraction_of_day * DAY).astype(np.int64) - utc_offset_hours * 3600
    return np.asarray(np.clip(moment, after + 60, window.end_s - 1), dtype=np.int64)
