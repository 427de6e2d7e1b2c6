"""The offline kiosk's API: its copy of the guest list, its sync, its uploads; and the
kiosks' states for the monitor."""

from fastapi import APIRouter

from kiosk_server.core.deps import SessionDep, SettingsDep, SignerDep, model_response
from kiosk_server.offline import service
from kiosk_server.offline.api_models import KioskCopy
from kiosk_server.staff.deps import KioskDevice

router = APIRouter(prefix="/api/v1", tags=["offline"])
# The copy names every guest's lookup: no cache keeps it but the kiosk's own store.
_NOT_STORED = {"Cache-Control": "no-store"}


@router.get("/kiosk/copy", response_model=KioskCopy)
def kiosk_copy(caller: KioskDevice, session: SessionDep, signer: SignerDep,
               settings: SettingsDep):
    """Kiosk device. Its event's guest list as it keeps it to judge scans offline: each
    code's lookup, status, first entry and sealed box (a name only the guest's own code
    opens), the server's sentences as templates, and the feed's last update number to
    sync after. Staff are refused (403 `not_a_kiosk`)."""
    answer = model_response(service.kiosk_copy(session, caller=caller, signer=signer,
                                               settings=settings))
    answer.headers.update(_NOT_STORED)
    return answer
