"""The BG/NBD model: is a customer still a customer, and how often will they come back.

Fader, Hardie and Lee, "'Counting your customers' the easy way: an alternative to the
Pareto/NBD model", Marketing Science 24(2), 2005. Equation numbers below are the paper's.

A customer is summed up by three numbers, in one time unit (Kiosk uses days):
  x    their repeat transactions (visits after the first),
  t_x  when the last one happened, counted from the first visit (0 when x = 0),
  T    how long they have been known: from the first visit to the end of the history.
While alive, a customer visits as a Poisson process of rate lambda; after each visit they
drop out with probability p. Across customers lambda ~ Gamma(r, alpha) and p ~ Beta(a, b):
the four parameters (r, alpha, a, b) are fitted by maximum likelihood on the shop's
history. Pure numpy and scipy: no database here.
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import betaln, gammaln, hyp2f1

from kiosk_server.core.errors import DomainError

FloatArray = NDArray[np.float64]

# The fit runs on log(parameter): these bounds keep every parameter strictly positive
# (from 1e-6 to 1e6) and stop the optimizer from wandering off to overflow.
_LOG_BOUNDS = (np.log(1e-6), np.log(1e6))
# A parameter this close to its bound means the history does not pin it down.
_AT_BOUND = 1e-3


@dataclass(frozen=True)
class Parameters:
    """The model's four parameters: lambda ~ Gamma(r, alpha), p ~ Beta(a, b) (`PARAMETERS`
    names them in this order)."""

    r: float
    alpha: float
    a: float
    b: float


PARAMETERS = ("r", "alpha", "a", "b")


@dataclass(frozen=True)
class Fit:
    """A converged fit: its parameters, the log-likelihood at them, how many customers."""

    parameters: Parameters
    log_likelihood: float
    customers: int
    iterations: int


def fit_failed(reason: str) -> DomainError:
    """Refusal of a fit that did not converge; `reason` (the optimizer's message) is kept
    for the logs, the sentences are for people."""
    return DomainError(
        "retention_fit_failed",
        "Không ước lượng được mô hình khách quay lại từ lịch sử ghé thăm hiện có; "
        "mô hình trước đó vẫn được dùng.",
        "The return-visit model could not be estimated from the visit history as it is; "
        "the previous model is still in use.",
        status=409, extra={"reason": reason})


def not_enough_history() -> DomainError:
    """Refusal to fit a history with nobody who came back (the model has nothing to learn)."""
    return DomainError(
        "retention_not_enough_history",
        "Chưa đủ lịch sử ghé thăm để ước lượng: cần khách đã quay lại ít nhất một lần.",
        "Not enough visit history to estimate the model yet: it needs customers who came "
        "back at least once.",
        status=409)


def _arrays(x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> tuple[FloatArray, ...]:
    arrays = tuple(np.asarray(v, dtype=np.float64) for v in (x, t_x, T))
    if not (arrays[0].shape == arrays[1].shape == arrays[2].shape):
        raise ValueError("x, t_x and T must have the same shape")
    return arrays


def log_likelihood(parameters: Parameters, x: ArrayLike, t_x: ArrayLike, T: ArrayLike
                   ) -> FloatArray:
    """Each customer's log-likelihood, ln L(r, alpha, a, b | x, t_x, T) (eq. 6):

        L = A1 * A2 * (A3 + [x > 0] A4), with
        A1 = Gamma(r + x) alpha^r / Gamma(r)
        A2 = Gamma(a + b) Gamma(b + x) / (Gamma(b) Gamma(a + b + x))  = B(a, b + x) / B(a, b)
        A3 = (alpha + T)^-(r + x)
        A4 = a / (b + x - 1) * (alpha + t_x)^-(r + x)

    computed in logs, A3 + A4 by log-sum-exp (A3 and A4 underflow for frequent visitors)."""
    x, t_x, T = _arrays(x, t_x, T)
    r, alpha, a, b = parameters.r, parameters.alpha, parameters.a, parameters.b
    log_a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    log_a2 = betaln(a, b + x) - betaln(a, b)
    log_a3 = -(r + x) * np.log(alpha + T)
    repeat = x > 0
    # For x = 0, A4 is absent: its log is -inf, and b + x - 1 is kept positive to stay quiet.
    log_a4 = np.where(repeat, np.log(a) - np.log(np.where(repeat, b + x - 1, 1.0))
                      - (r + x) * np.log(alpha + t_x), -np.inf)
    return log_a1 + log_a2 + np.logaddexp(log_a3, log_a4)


def _negative_mean(log_parameters: FloatArray, x: FloatArray, t_x: FloatArray,
                   T: FloatArray, weights: FloatArray, total: float) -> float:
    parameters = Parameters(*np.exp(log_parameters))
    value = -float(np.dot(weights, log_likelihood(parameters, x, t_x, T))) / total
    return value if np.isfinite(value) else np.inf


def fit(x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> Fit:
    """The maximum-likelihood parameters for these customers (eq. 6 summed over them).

    Minimises the mean negative log-likelihood over log(r, alpha, a, b) with bounded
    L-BFGS-B, from r = a = b = 1 and alpha = the mean of T (a visit per customer's
    lifetime so far). Customers with the same (x, t_x, T) are counted once with a weight,
    which makes a history in days (many ties) several times faster to fit. Raises
    `not_enough_history` when nobody came back and `fit_failed` when the optimizer does
    not converge, ends on non-finite values, or leaves a parameter at its bound."""
    x, t_x, T = _arrays(x, t_x, T)
    x, t_x, T = x.ravel(), t_x.ravel(), T.ravel()
    if x.size == 0 or not np.any(x > 0):
        raise not_enough_history()
    if not (np.all(np.isfinite(x) & np.isfinite(t_x) & np.isfinite(T))
            and np.all((x >= 0) & (t_x >= 0) & (t_x <= T))):
        raise ValueError("every customer needs 0 <= t_x <= T and x >= 0, all finite")
    rows, weights = np.unique(np.column_stack((x, t_x, T)), axis=0, return_counts=True)
    ux, ut_x, uT = rows[:, 0], rows[:, 1], rows[:, 2]
    start = np.log([1.0, max(float(np.mean(T)), 1.0), 1.0, 1.0])
    # Imported here: the optimiser takes most of a second to load, and only a fit needs it
    # (every command and server process imports this module to score customers).
    from scipy.optimize import minimize
    result = minimize(_negative_mean, start, method="L-BFGS-B",
                      args=(ux, ut_x, uT, weights.astype(np.float64), float(x.size)),
                      bounds=[_LOG_BOUNDS] * 4, options={"maxiter": 1000})
    message = str(result.message)
    if not result.success:
        raise fit_failed(f"optimizer did not converge: {message}")
    if not (np.all(np.isfinite(result.x)) and np.isfinite(result.fun)):
        raise fit_failed(f"non-finite result: {message}")
    if np.any(np.abs(result.x - _LOG_BOUNDS[0]) < _AT_BOUND) or np.any(
            np.abs(result.x - _LOG_BOUNDS[1]) < _AT_BOUND):
        raise fit_failed(f"a parameter is at its bound {np.exp(result.x).tolist()}: {message}")
    return Fit(Parameters(*(float(v) for v in np.exp(result.x))),
               log_likelihood=-float(result.fun) * x.size, customers=int(x.size),
               iterations=int(result.nit))


def _odds_dropped(parameters: Parameters, x: FloatArray, t_x: FloatArray,
                  T: FloatArray) -> FloatArray:
    """[x > 0] a / (b + x - 1) * ((alpha + T) / (alpha + t_x))^(r + x): the odds that the
    customer dropped out after their last visit (the term in the denominator of eq. 10)."""
    r, alpha, a, b = parameters.r, parameters.alpha, parameters.a, parameters.b
    repeat = x > 0
    log_odds = (np.log(a) - np.log(np.where(repeat, b + x - 1, 1.0))
                + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x)))
    return np.where(repeat, np.exp(np.minimum(log_odds, 700.0)), 0.0)


def probability_alive(parameters: Parameters, x: ArrayLike, t_x: ArrayLike, T: ArrayLike
                      ) -> FloatArray:
    """P(alive | x, t_x, T), the probability that the customer is still a customer: the
    denominator of eq. 10 inverted (derived in Fader, Hardie and Lee's note "Computing
    P(alive) using the BG/NBD model", 2008):

        1 / (1 + [x > 0] a / (b + x - 1) * ((alpha + T) / (alpha + t_x))^(r + x))

    A customer who never came back (x = 0) is alive: in this model one drops out only
    right after a repeat visit."""
    x, t_x, T = _arrays(x, t_x, T)
    return 1.0 / (1.0 + _odds_dropped(parameters, x, t_x, T))


def expected_visits(parameters: Parameters, t: float, x: ArrayLike, t_x: ArrayLike,
                    T: ArrayLike) -> FloatArray:
    """E[Y(t) | x, t_x, T]: the expected number of visits in the next `t` (eq. 10):

        (a + b + x - 1) / (a - 1)
          * [1 - ((alpha + T) / (alpha + T + t))^(r + x)
                 * 2F1(r + x, b + x; a + b + x - 1; t / (alpha + T + t))]
          / (1 + [x > 0] a / (b + x - 1) * ((alpha + T) / (alpha + t_x))^(r + x))

    The bracket is computed with Euler's transformation of 2F1 (z = t / (alpha + T + t),
    c = a + b + x - 1):
        (1 - z)^(r + x) 2F1(r + x, b + x; c; z) = (1 - z)^(a - 1) 2F1(a + b - 1 - r, a - 1; c; z)
    whose 2F1 stays near 1 where the paper's form multiplies a huge 2F1 by a tiny power
    (frequent visitors). The expression is continuous at a = 1, where the paper's form
    divides 0 by 0: a = 1 exactly is nudged by 1e-9."""
    x, t_x, T = _arrays(x, t_x, T)
    r, alpha, b = parameters.r, parameters.alpha, parameters.b
    a = parameters.a if abs(parameters.a - 1.0) > 1e-9 else 1.0 + 1e-9
    c = a + b + x - 1
    one_minus_z = (alpha + T) / (alpha + T + t)
    z = t / (alpha + T + t)
    bracket = 1.0 - one_minus_z ** (a - 1) * hyp2f1(c - r - x, a - 1, c, z)
    expected = (c / (a - 1)) * bracket
    return expected / (1.0 + _odds_dropped(parameters, x, t_x, T))
