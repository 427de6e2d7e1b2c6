"""Request-scoped dependencies every domain shares: settings, the session, the language."""

from collections.abc import Iterator
from typing import Annotated, Literal

from fastapi import Depends, Query, Request, Response
from pydantic import BaseModel
from sqlmodel import Session

from kiosk_server.core.config import Settings
from kiosk_server.core.db import Access, Database
from kiosk_server.core.signing import TokenSigner
from kiosk_server.core.text import preferred_language

_READ_METHODS = {"GET", "HEAD", "OPTIONS"}


# Dependencies that do no I/O are `async def`: FastAPI runs a plain `def` dependency on
# the thread pool, a hop that costs more than the work.
async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_signer(request: Request) -> TokenSigner:
    return request.app.state.signer


def get_session(request: Request) -> Iterator[Session]:
    """One unit of work per request, committed right after the endpoint returns."""
    access = Access.READ if request.method in _READ_METHODS else Access.WRITE
    with request.app.state.db.session(access) as session:
        yield session


async def get_database(request: Request) -> Database:
    return request.app.state.db


async def get_language(request: Request) -> str:
    return preferred_language(request.headers.get("accept-language"))


SettingsDep = Annotated[Settings, Depends(get_settings)]
SignerDep = Annotated[TokenSigner, Depends(get_signer)]
# scope="function": the commit happens before the response is sent, so a client
# never sees a success that was not saved.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
LanguageDep = Annotated[str, Depends(get_language)]
# A file's language, chosen on its page (a download link carries it).
FileLanguage = Annotated[Literal["vi", "en"],
                         Query(description="the language of headers and words")]
# For work done in several short transactions of its own (none held across a slow step).
DatabaseDep = Annotated[Database, Depends(get_database)]


def client_address(request: Request) -> str:
    """The client's address (with `--proxy-headers`, the one the proxy names): the key of
    the limits on guessing and asking."""
    return request.client.host if request.client else "unknown"


def model_response(model: BaseModel, status_code: int = 200) -> Response:
    """`model` as JSON, serialized once. For the till's busiest answers: FastAPI would
    validate a returned model against the route's `response_model` again (on a sync
    endpoint, in one more thread-pool hop) before serializing it; the route keeps its
    `response_model` for the API's schema."""
    return Response(model.model_dump_json(), status_code=status_code,
                    media_type="application/json")
