"""The exit survey's page API: its signed link is the only credential."""

from typing import Annotated

from fastapi import APIRouter, Path

from kiosk_server.calls import survey
from kiosk_server.calls.survey import ExitSurveyAnswer, ExitSurveyPublic
from kiosk_server.core.deps import SessionDep, SignerDep

router = APIRouter(prefix="/api/v1", tags=["calls"])

# A survey link's token (44 characters); anything much longer is not one.
Token = Annotated[str, Path(max_length=64, description="the signed token of the survey link")]


@router.get("/exit-surveys/{token}", response_model=ExitSurveyPublic)
def exit_survey(token: Token, session: SessionDep, signer: SignerDep):
    """Public. The signed link is the credential. Whether the survey was answered, and the
    answer (404 `exit_survey_not_found` for a link that is not one)."""
    return survey.survey_page(session, token=token, signer=signer)


@router.post("/exit-surveys/{token}", response_model=ExitSurveyPublic)
def answer_exit_survey(token: Token, body: ExitSurveyAnswer, session: SessionDep,
                       signer: SignerDep):
    """Public. The signed link is the credential. Why the customer stopped coming (`other`
    needs their words, 422 `words_required`), whether they will come back, a comment: one
    answer per survey. The same answer sent again (a retry) gets it back; a different one
    is refused (409 `exit_survey_answered`)."""
    return survey.give_answer(session, token=token, signer=signer, data=body)
