"""The BG/NBD model's mathematics, checked against the paper and against the definition."""

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import integrate
from scipy.special import betaln

from kiosk_server.core.errors import DomainError
from kiosk_server.retention import bgnbd
from kiosk_server.retention.bgnbd import Parameters

# The paper's estimates on the CDNOW sample (Fader, Hardie and Lee 2005, section 5).
PAPER = Parameters(r=0.243, alpha=4.414, a=0.793, b=2.426)


def _cdnow() -> np.ndarray:
    """The paper's CDNOW sample as (x, t_x, T) in weeks, 2,357 customers, 39 weeks of
    calibration: the summary file the test-only package `lifetimes` ships. Only located
    (find_spec does not run the package, whose import pulls in much more)."""
    spec = importlib.util.find_spec("lifetimes")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail("the test-only dependency `lifetimes` (CDNOW data) is not installed")
    folder = Path(next(iter(spec.submodule_search_locations))) / "datasets"
    rows = np.loadtxt(folder / "cdnow_customers_summary.csv", delimiter=",", skiprows=1)
    return rows[:, 1:4]


@pytest.fixture(scope="module")
def cdnow() -> np.ndarray:
    return _cdnow()


def test_cdnow_fit_recovers_the_papers_parameters(cdnow):
    assert cdnow.shape == (2357, 3)
    result = bgnbd.fit(cdnow[:, 0], cdnow[:, 1], cdnow[:, 2])
    for name in ("r", "alpha", "a", "b"):
        assert getattr(result.parameters, name) == pytest.approx(getattr(PAPER, name),
                                                                 rel=0.01), name
    # The paper reports a log-likelihood of -9582.4 at its estimates.
    assert result.log_likelihood == pytest.approx(-9582.4, abs=0.1)
    assert result.customers == 2357


def test_the_papers_customer_expects_1_226_visits_in_the_next_39_weeks():
    # Section 5: a customer with 2 repeat purchases, the last at week 30.43 of 38.86.
    assert bgnbd.expected_visits(PAPER, 39, 2, 30.43, 38.86) == pytest.approx(1.226, abs=5e-4)


def _prior_expectation(function, parameters: Parameters) -> float:
    """E[function(lambda, p)] under the mixing distributions, by numerical integration."""
    r, alpha, a, b = parameters.r, parameters.alpha, parameters.a, parameters.b
    log_norm = r * math.log(alpha) - math.lgamma(r) - betaln(a, b)

    def weighted(lam: float, p: float) -> float:
        if lam <= 0 or p <= 0 or p >= 1:
            return 0.0
        density = math.exp(log_norm + (r - 1) * math.log(lam) - alpha * lam
                           + (a - 1) * math.log(p) + (b - 1) * math.log1p(-p))
        return function(lam, p) * density

    value, _ = integrate.dblquad(weighted, 0, 1, 0, np.inf, epsabs=0, epsrel=1e-8)
    return value


@pytest.mark.parametrize(("x", "t_x", "T"), [(2, 30.43, 38.86), (7, 12.0, 38.0)])
def test_alive_and_expected_visits_match_the_definition(x, t_x, T):
    """From the individual-level model: alive with likelihood (1-p)^x lam^x e^(-lam T),
    dropped after the last visit with p (1-p)^(x-1) lam^x e^(-lam t_x); an alive customer
    makes (1 - e^(-lam p t)) / p visits in the next t on average."""
    t = 39.0

    def alive(lam, p):
        return (1 - p) ** x * lam ** x * math.exp(-lam * T)

    def dropped(lam, p):
        return p * (1 - p) ** (x - 1) * lam ** x * math.exp(-lam * t_x)

    def alive_then_visits(lam, p):
        return alive(lam, p) * -math.expm1(-lam * p * t) / p

    evidence = _prior_expectation(alive, PAPER) + _prior_expectation(dropped, PAPER)
    p_alive = _prior_expectation(alive, PAPER) / evidence
    expected = _prior_expectation(alive_then_visits, PAPER) / evidence
    assert bgnbd.probability_alive(PAPER, x, t_x, T) == pytest.approx(p_alive, rel=1e-5)
    assert bgnbd.expected_visits(PAPER, t, x, t_x, T) == pytest.approx(expected, rel=1e-5)


def test_a_customer_who_never_came_back_is_alive_and_scores_are_vectorised():
    x, t_x, T = np.array([0, 3, 40]), np.array([0.0, 5.0, 37.0]), np.array([20.0, 38.0, 38.0])
    alive = bgnbd.probability_alive(PAPER, x, t_x, T)
    assert alive.shape == (3,) and alive[0] == 1.0 and 0 < alive[1] < alive[2] < 1
    visits = bgnbd.expected_visits(PAPER, 90, x, t_x, T)
    assert visits.shape == (3,) and np.all(np.isfinite(visits)) and visits[2] > 30
    # a = 1 exactly: the paper's form divides 0 by 0; the value is continuous there.
    near = bgnbd.expected_visits(Parameters(0.5, 4.0, 1.0 + 1e-5, 2.0), 39, 3, 20.0, 30.0)
    at = bgnbd.expected_visits(Parameters(0.5, 4.0, 1.0, 2.0), 39, 3, 20.0, 30.0)
    assert at == pytest.approx(near, rel=1e-4)


def test_a_history_where_nobody_came_back_is_refused():
    with pytest.raises(DomainError) as refused:
        bgnbd.fit([0, 0, 0], [0, 0, 0], [10, 20, 30])
    assert refused.value.code == "retention_not_enough_history"


def test_a_fit_that_does_not_converge_is_refused_with_the_optimizers_message():
    # Everybody came back exactly as often as possible and is still coming: nothing bounds
    # the rate's spread, and the parameters run off to their bounds.
    x = np.full(50, 30.0)
    with pytest.raises(DomainError) as refused:
        bgnbd.fit(x, x, x)
    assert refused.value.code == "retention_fit_failed"
    assert refused.value.extra["reason"]
    assert "previous model" in refused.value.message_en
