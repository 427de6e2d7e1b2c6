"""Did what we did make a difference? Two groups drawn at random (one contacted, one left
alone), the share of each that came back, and the 95 % interval of the difference: one
implementation for every such proof (the call list's win-back, a campaign's returns).

The difference of the two rates (treated minus held out) comes with its interval by
Newcombe's hybrid score method (method 10 of R. G. Newcombe, "Interval estimation for
the difference between independent proportions", Statistics in Medicine 17:873-890,
1998): with p1 = x1/n1 and p2 = x2/n2, and (l1, u1), (l2, u2) their Wilson score
intervals,

    lower = (p1 - p2) - sqrt((p1 - l1)^2 + (u2 - p2)^2)
    upper = (p1 - p2) + sqrt((u1 - p1)^2 + (p2 - l2)^2)

where the Wilson interval of x/n at the normal quantile z is

    (2x + z^2 -/+ z sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2)).

It keeps its coverage with small groups and rates near 0 or 1, where the simple Wald
interval does not. Even so, with fewer than 10 people in a group, or fewer than 5 who
came back or 5 who did not in one, the verdict is `too_few`: the interval is shown, but
nothing is concluded from it.
"""

import math
from dataclasses import dataclass
from enum import StrEnum
from statistics import NormalDist

# Below these, the verdict is `too_few` whatever the interval says.
MIN_DECIDED = 10
MIN_EACH_OUTCOME = 5


def wilson_interval(successes: int, trials: int, *, z: float) -> tuple[float, float]:
    """The Wilson score interval of a proportion (no continuity correction)."""
    p = successes / trials
    centre = 2 * successes + z * z
    spread = z * math.sqrt(z * z + 4 * successes * (1 - p))
    return ((centre - spread) / (2 * (trials + z * z)),
            (centre + spread) / (2 * (trials + z * z)))


def newcombe_interval(x1: int, n1: int, x2: int, n2: int, *, confidence: float = 0.95
                      ) -> tuple[float, float]:
    """The interval of p1 - p2 (x1/n1 - x2/n2) by Newcombe's hybrid score method."""
    z = NormalDist().inv_cdf(1 - (1 - confidence) / 2)
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson_interval(x1, n1, z=z)
    l2, u2 = wilson_interval(x2, n2, z=z)
    difference = p1 - p2
    return (difference - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
            difference + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2))


class Verdict(StrEnum):
    TOO_FEW = "too_few"  # too few people, returns or non-returns to tell
    HELPS = "helps"  # the interval is above 0
    NO_CLEAR_DIFFERENCE = "no_clear_difference"  # the interval covers 0
    HURTS = "hurts"  # the interval is below 0


@dataclass(frozen=True)
class Share:
    """`came_back` of `out_of` people (those whose outcome is known)."""

    came_back: int
    out_of: int

    @property
    def rate(self) -> float | None:
        return self.came_back / self.out_of if self.out_of else None

    @property
    def too_few(self) -> bool:
        return (self.out_of < MIN_DECIDED or self.came_back < MIN_EACH_OUTCOME
                or self.out_of - self.came_back < MIN_EACH_OUTCOME)


@dataclass(frozen=True)
class Comparison:
    """Treated against held out: the difference of their rates, its interval (None when
    either group is empty) and the verdict."""

    difference: float | None
    lower: float | None
    upper: float | None
    verdict: Verdict


def compare(treated: Share, held_out: Share, *, confidence: float = 0.95) -> Comparison:
    """The difference `treated` minus `held_out`, its interval, and what it says."""
    if not treated.out_of or not held_out.out_of:
        return Comparison(None, None, None, Verdict.TOO_FEW)
    lower, upper = newcombe_interval(treated.came_back, treated.out_of, held_out.came_back,
                                     held_out.out_of, confidence=confidence)
    assert treated.rate is not None and held_out.rate is not None  # both groups have people
    if treated.too_few or held_out.too_few:
        verdict = Verdict.TOO_FEW
    elif lower > 0:
        verdict = Verdict.HELPS
    else:
        verdict = Verdict.HURTS if upper < 0 else Verdict.NO_CLEAR_DIFFERENCE
    return Comparison(treated.rate - held_out.rate, lower, upper, verdict)
