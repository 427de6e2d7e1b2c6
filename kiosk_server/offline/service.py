"""The offline kiosk's server side: its copy, its sync (changes and its state), its
uploads of scans judged offline, and the kiosks' states for the monitor."""

from sqlmodel import Session

from kiosk_server.core.config import Settings
from kiosk_server.core.errors import DomainError
from kiosk_server.core.signing import TokenSigner
from kiosk_server.offline import copy
from kiosk_server.offline.api_models import KioskCopy
from kiosk_server.staff.service import Principal


def event_of(caller: Principal) -> int:
    """The event of a kiosk device (409 `kiosk_without_event` for a device of none)."""
    if caller.device_event_id is None:
        raise DomainError("kiosk_without_event", "Máy kiosk này chưa được gắn với sự kiện nào.",
                          "This kiosk device belongs to no event.", status=409)
    return caller.device_event_id


def kiosk_copy(session: Session, *, caller: Principal, signer: TokenSigner,
               settings: Settings) -> KioskCopy:
    """The copy of its event a kiosk device keeps to judge scans offline."""
    event_id = event_of(caller)
    return copy.kiosk_copy(session, event_id=event_id, gate=caller.device_gate, signer=signer,
                           salt=copy.event_salt(settings.signing_key, event_id),
                           timezone=settings.timezone)
