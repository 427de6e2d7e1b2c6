"""Value at risk: what the shop stands to lose with each drifting customer, the call list's
order. Usual spend per 90 days (the last year's sales, scaled) times the probability the
customer is gone (1 - P(alive) by the model in use; 1 before the first good fit: then the
list is ranked by spend alone, and says so).

One function, so that it can be switched to figures stored with each status."""

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session

from kiosk_server.core.types import utcnow
from kiosk_server.loyalty import service as loyalty
from kiosk_server.retention import fit

YEAR_DAYS = 365
WINDOW_DAYS = 90

Value = tuple[int, float | None, int]  # usual spend per 90 days, P(alive), value at risk


def ranked_by_model(session: Session) -> bool:
    """Whether a good fit gives the probabilities (else the values are the usual spend)."""
    return fit.current_fit(session) is not None


def values_at_risk(session: Session, customer_ids: Sequence[int], *,
                   now: datetime | None = None) -> dict[int, Value]:
    """{customer id: (usual spend per 90 days in VND, P(alive) or None with no model,
    value at risk in VND)} for these customers."""
    if not customer_ids:
        return {}
    now = now or utcnow()
    ids = sorted(set(customer_ids))
    # One aggregate pass over the ids' range: the last year, and the year before (unused).
    spend = loyalty.spend_windows(session, first_id=ids[0], last_id=ids[-1], until=now,
                                  days=YEAR_DAYS)
    alive = fit.scores(session, ids, now=now)
    values: dict[int, Value] = {}
    for customer_id in ids:
        usual = spend.get(customer_id, (0, 0))[0] * WINDOW_DAYS // YEAR_DAYS
        p_alive = alive[customer_id][0] if customer_id in alive else None
        values[customer_id] = (usual, p_alive, round(usual * (1 - (p_alive or 0.0))))
    return values
