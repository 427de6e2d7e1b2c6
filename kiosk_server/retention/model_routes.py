"""The return-visit model (BG/NBD) fitted on the shop's history: what it is, fitting it."""

from fastapi import APIRouter

from kiosk_server.core.deps import SessionDep, SettingsDep
from kiosk_server.retention import fit
from kiosk_server.retention.fit import RetentionModelPublic
from kiosk_server.staff.deps import CurrentStaff, StaffWorkDep

router = APIRouter(prefix="/api/v1", tags=["retention"])


@router.get("/retention/model", response_model=RetentionModelPublic)
def retention_model(session: SessionDep, caller: CurrentStaff):
    """Staff. The model in use: its four parameters (the time unit is a day), when it was
    fitted, on how many customers, its log-likelihood; `status` is `not_fitted` before the
    first good fit. A fit that failed after it is shown as `last_failure`."""
    return fit.model_status(session)


@router.post("/retention/model/fit", response_model=RetentionModelPublic)
def fit_retention_model(work: StaffWorkDep, settings: SettingsDep):
    """Admin. Fit the model on the whole visit history now (visit days in the shop's time
    zone) and use it. Refused with 409 `retention_not_enough_history` when nobody came back
    yet, or `retention_fit_failed` when the fit does not converge: the model in use stays
    the last good one; `retention_fit_running` while another fit runs. Computed outside any
    write transaction."""
    return fit.fit_now(work, settings=settings)
