"""What higher domains hear from lower ones, wired once for both the server and the command
line (a lower domain never imports a higher one: it calls what is registered here)."""

from dataclasses import dataclass

from kiosk_server.calls.cases import CaseOpener
from kiosk_server.calls.survey import ExitSurveyHook
from kiosk_server.core.config import Settings
from kiosk_server.core.signing import TokenSigner
from kiosk_server.reports.charts import RecordStatusCounts
from kiosk_server.retention.service import StatusHook
from kiosk_server.retention.worker import PassHook


@dataclass(frozen=True)
class RetentionHooks:
    """Told of every status row a recomputation writes (and of each drifting customer's
    that stood as it was: `StatusHook`), and of each full pass done."""

    statuses: tuple[StatusHook, ...] = ()
    after_pass: tuple[PassHook, ...] = ()


def retention_hooks(settings: Settings) -> RetentionHooks:
    """The hooks retention's recomputations call, in this order: the exit survey after
    the hook that opens cases (it asks the customers of open cases)."""
    exit_survey = ExitSurveyHook(settings, TokenSigner(settings.signing_key))
    return RetentionHooks(statuses=(CaseOpener(settings.zone), exit_survey),
                          after_pass=(RecordStatusCounts(settings.zone),))
