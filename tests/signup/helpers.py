"""Helpers for the sign-up tests: posters' tokens and the form as the page sends it."""

import io
import itertools
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from fastapi import FastAPI
from PIL import Image
from sqlalchemy import func, select
from sqlmodel import col

from kiosk_server.customers.models import Customer
from kiosk_server.messaging.models import OutboxMessage
from kiosk_server.signup import posters
from tests.badges.helpers import decode

_numbers = itertools.count(1)


def poster_token(app: FastAPI, event_id: int | None = None) -> str:
    """The token a poster's QR carries (the last segment of the form's link)."""
    link = posters.form_link(app.state.settings, app.state.signer, event_id=event_id)
    return link.rsplit("/", 1)[-1]


def new_phone() -> str:
    return f"0903 {next(_numbers):06d}"


def form(token: str, **overrides: object) -> dict:
    body: dict[str, object] = {
        "token": token, "full_name": "Trần Thị Ngọc Ánh", "phone": new_phone(), "email": None,
        "consent_email": False, "consent_sms": False, "client_key": uuid.uuid4().hex}
    body.update(overrides)
    return body


def count_customers(app: FastAPI) -> int:
    with app.state.db.session() as session:
        return session.scalar(select(func.count()).select_from(Customer)) or 0


def outbox(app: FastAPI) -> list[OutboxMessage]:
    with app.state.db.session() as session:
        return list(session.scalars(select(OutboxMessage).order_by(col(OutboxMessage.id))))


def pdf_qr_texts(data: bytes, tmp_path: Path) -> list[str]:
    """The QR texts of a PDF's first page, drawn by a real PDF renderer (poppler)."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("needs pdftoppm (poppler-utils)")
    path = tmp_path / "poster.pdf"
    path.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-f", "1", "-l", "1", str(path),
                    str(tmp_path / "page")], check=True, timeout=60)
    [page] = sorted(tmp_path.glob("page-*.png"))
    return decode(Image.open(io.BytesIO(page.read_bytes())))
