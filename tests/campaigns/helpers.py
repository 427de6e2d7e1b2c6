"""Campaigns and customers written straight into the database, and what a mail server got."""

import email
from collections import Counter
from email.message import EmailMessage
from email.policy import default
from typing import Any

from kiosk_server.campaigns.models import Campaign
from kiosk_server.core.db import Database, id_of
from kiosk_server.core.types import Language
from kiosk_server.customers import service as customers
from kiosk_server.customers.contact import ConsentBy
from kiosk_server.customers.models import ConsentSource, CustomerCreate

ALL = {"kind": "group", "join": "and", "rules": [{"kind": "all"}]}


def add_customer(db: Database, name: str, email_address: str | None, *, consent: bool = True,
                 language: str = "vi", phone: str | None = None, sms: bool = False) -> int:
    with db.session() as session:
        customer = customers.create_customer(session, data=CustomerCreate(
            full_name=name, email=email_address, consent_email=consent, consent_sms=sms,
            language=Language(language), phone=phone), by=ConsentBy(ConsentSource.STAFF))
        return id_of(customer)


def add_customers(db: Database, count: int, *, prefix: str = "khach") -> list[str]:
    """`count` customers who agreed to e-mail, in one transaction; their addresses."""
    addresses = [f"{prefix}{n}@example.com" for n in range(count)]
    with db.session() as session:
        for n, address in enumerate(addresses):
            customers.create_customer(session, data=CustomerCreate(
                full_name=f"Trần Văn Đức {n}", email=address, consent_email=True),
                by=ConsentBy(ConsentSource.STAFF))
    return addresses


def add_campaign(db: Database, **fields: object) -> int:
    values: dict[str, Any] = {
        "name": "Tri ân khách hàng", "segment": ALL, "hold_out_pct": 0,
        "subject_vi": "Ưu đãi tháng Chạp cho {{name}}", "subject_en": "A December offer, {{name}}",
        "text_vi": "Chào {{name}}, hạng {{tier}}, {{points}} điểm.",
        "text_en": "Hello {{name}}, {{tier}} tier, {{points}} points."}
    values.update(fields)
    with db.session() as session:
        campaign = Campaign(**values)
        session.add(campaign)
        session.flush()
        return id_of(campaign)


def received(messages: list[EmailMessage]) -> Counter:
    """How many messages each address got."""
    return Counter(str(message["To"]) for message in messages)


def parse(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=default)
