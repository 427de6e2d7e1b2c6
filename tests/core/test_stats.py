"""The interval of a difference of two rates, against the published worked examples, and
the verdict drawn from it (shared by the call list's proof and the campaigns' report)."""

import pytest

from kiosk_server.core import stats
from kiosk_server.core.stats import Share, Verdict


# Newcombe (1998), Table II, method 10 (hybrid score, no continuity correction): examples
# (a) and (b), as the paper prints them to four decimals.
@pytest.mark.parametrize(("x1", "n1", "x2", "n2", "lower", "upper"), [
    (56, 70, 48, 80, 0.0524, 0.3339),
    (9, 10, 3, 10, 0.1705, 0.8090),
])
def test_newcombes_interval_as_published(x1, n1, x2, n2, lower, upper):
    found = stats.newcombe_interval(x1, n1, x2, n2)
    assert found == (pytest.approx(lower, abs=5e-5), pytest.approx(upper, abs=5e-5))


# Newcombe's companion paper on a single proportion (Stat Med 17:857-872, 1998), Table I,
# the score method without continuity correction.
@pytest.mark.parametrize(("x", "n", "lower", "upper"), [
    (81, 263, 0.2553, 0.3662),
    (0, 20, 0.0, 0.1611),
])
def test_wilson_interval_as_published(x, n, lower, upper):
    found = stats.wilson_interval(x, n, z=1.959964)
    assert found == (pytest.approx(lower, abs=5e-5), pytest.approx(upper, abs=5e-5))


def test_a_comparison_gives_the_difference_its_interval_and_verdict():
    found = stats.compare(Share(56, 70), Share(48, 80))
    assert found.difference == pytest.approx(0.2)
    assert (found.lower, found.upper) == stats.newcombe_interval(56, 70, 48, 80)
    assert found.verdict is Verdict.HELPS
    assert stats.compare(Share(48, 80), Share(56, 70)).verdict is Verdict.HURTS
    assert stats.compare(Share(20, 50), Share(10, 25)).verdict is Verdict.NO_CLEAR_DIFFERENCE


@pytest.mark.parametrize(("treated", "held_out"), [
    (Share(30, 40), Share(5, 9)),  # 9 in a group
    (Share(30, 40), Share(4, 20)),  # 4 came back in one
    (Share(38, 42), Share(5, 20)),  # 4 did not come back in one
])
def test_too_few_to_tell_still_gives_the_interval(treated, held_out):
    found = stats.compare(treated, held_out)
    assert found.verdict is Verdict.TOO_FEW and found.lower is not None


def test_an_empty_group_gives_nothing():
    assert stats.compare(Share(5, 10), Share(0, 0)) == stats.Comparison(
        None, None, None, Verdict.TOO_FEW)
