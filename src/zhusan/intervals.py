"""The one place where a qualifier and a value become an interval.

``interval("nearly", 600)`` is ``Interval(570, 600, "[)")``: the rules are documented in the README
(table "Hedged numbers as intervals") and tested property-based.
"""

from __future__ import annotations

from dataclasses import dataclass

from zhusan.fields import Bounds

#: Vague plurals that carry no number of their own: (lower, upper, bounds).
VAGUE: dict[str, tuple[float, float, Bounds]] = {
    "several": (3, 10, "[)"),
    "dozens": (24, 100, "[)"),
    "hundreds": (200, 1000, "[)"),
    "few_hundred": (200, 500, "[)"),
    "thousands": (2000, 10000, "[)"),
}
#: Relative half-width of the band for "about", "roughly" and "some" (10 %).
BAND = 10
#: How far below the value "nearly" and "almost" reach (5 %).
NEAR = 5


@dataclass(frozen=True)
class Interval:
    """An interval of numbers; None is unbounded; bounds says which ends are included."""

    lower: float | None
    upper: float | None
    bounds: Bounds

    def contains(self, x: float) -> bool:
        """Whether ``x`` lies in the interval."""
        lo_ok = self.lower is None or x > self.lower or (x == self.lower and self.bounds[0] == "[")
        hi_ok = self.upper is None or x < self.upper or (x == self.upper and self.bounds[1] == "]")
        return lo_ok and hi_ok


def _pct(v: float, percent: float) -> float:
    return v * (100 - percent) / 100


def interval(qualifier: str, value: float | None) -> Interval:
    """The interval a qualified number implies (see the README for the table of rules)."""
    if qualifier in VAGUE:
        lo, hi, b = VAGUE[qualifier]
        return Interval(lo, hi, b)
    if value is None:
        raise ValueError(f"qualifier {qualifier!r} needs a value")
    v = float(value)
    if qualifier == "exact":
        return Interval(v, v, "[]")
    if qualifier in ("about", "roughly", "some"):
        return Interval(_pct(v, BAND), v * (100 + BAND) / 100, "[]")
    if qualifier in ("nearly", "almost"):
        return Interval(_pct(v, NEAR), v, "[)")
    if qualifier in ("more_than", "over", "exceeds"):
        return Interval(v, None, "()")
    if qualifier == "at_least":
        return Interval(v, None, "[)")
    if qualifier == "up_to":
        return Interval(0, v, "[]")
    if qualifier == "less_than":
        return Interval(0, v, "[)")
    raise ValueError(f"unknown qualifier {qualifier!r}")
