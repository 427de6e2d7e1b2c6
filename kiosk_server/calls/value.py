"""Value at risk: what the shop stands to lose with each drifting customer, the call list's
order. The usual spend per 90 days (the last year's sales, scaled) times the probability
the customer is gone (1 - P(alive) by the model in use; 1 before the first good fit: then
the list is ranked by spend alone, and says so). Both figures are kept with each status by
retention's recomputations (after each visit or sale, and each night)."""

from collections.abc import Sequence

from sqlmodel import Session

from kiosk_server.retention import fit, words

Value = tuple[int, float | None, int]  # usual spend per 90 days, P(alive), value at risk


def ranked_by_model(session: Session) -> bool:
    """Whether a good fit gives the probabilities (else the values are the usual spend)."""
    return fit.current_fit(session) is not None


def values_at_risk(session: Session, customer_ids: Sequence[int]) -> dict[int, Value]:
    """{customer id: (usual spend per 90 days in VND, P(alive) or None with no model,
    value at risk in VND)} for these customers, from their statuses as last computed (a
    customer no recomputation has reached yet: nothing known, 0)."""
    stored = words.statuses_of(session, customer_ids=sorted(set(customer_ids)))
    values: dict[int, Value] = {}
    for customer_id in customer_ids:
        row = stored.get(customer_id)
        usual = row.usual_spend_vnd if row is not None else 0
        p_alive = row.p_alive if row is not None else None
        values[customer_id] = (usual, p_alive, round(usual * (1 - (p_alive or 0.0))))
    return values
