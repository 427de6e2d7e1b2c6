"""The call list's tests share a shop with a planted history: its drifters (at risk,
lapsed) get cases from a full pass, none held out unless a test asks."""

import random
import uuid
from dataclasses import dataclass

import pytest
from sqlmodel import col, select

from kiosk_server import history
from kiosk_server.calls.cases import CaseOpener
from kiosk_server.calls.models import Case
from kiosk_server.core.db import Access
from kiosk_server.history import Planted
from kiosk_server.retention.models import Status
from kiosk_server.retention.worker import full_pass

SCRIPT = "Anh/chị thấy điều gì chưa hài lòng?\nĐiều gì sẽ khiến anh/chị quay lại?"


def save_call_settings(client, headers, **changes):
    body = {"script": SCRIPT, "hold_out_pct": 0, "win_back_days": 60, "exit_survey": True,
            **changes}
    saved = client.put("/api/v1/calls/settings", headers=headers, json=body)
    assert saved.status_code == 200, saved.text
    return saved.json()


def cases_by_customer(db) -> dict[int, list[Case]]:
    with db.session(Access.READ) as session:
        found: dict[int, list[Case]] = {}
        for case in session.exec(select(Case).order_by(col(Case.id))):
            found.setdefault(case.customer_id, []).append(case)
        return found


def key() -> str:
    return uuid.uuid4().hex


@dataclass
class Shop:
    planted: list[Planted]
    opener: CaseOpener

    def one(self, label: str) -> Planted:
        [found] = [plant for plant in self.planted if plant.label == label]
        return found

    @property
    def drifting(self) -> list[Planted]:
        return [p for p in self.planted if p.status in (Status.AT_RISK, Status.LAPSED)]


@pytest.fixture
def shop(db, settings, client, admin) -> Shop:
    """The planted drifters and a few regulars, statuses computed, cases opened (no
    hold-out)."""
    save_call_settings(client, admin.headers, hold_out_pct=0)
    with db.session() as session:
        planted = history.write(session, history.people(30), zone=settings.zone)
    opener = CaseOpener(settings.zone, draw=random.Random(2026))
    full_pass(db, zone=settings.zone, hooks=[opener])
    return Shop(planted, opener)
