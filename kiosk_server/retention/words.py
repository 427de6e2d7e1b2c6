"""Customers' statuses as people read them, for the files that list many customers (the
pages say the same in JS: admin/rhythm.js and the `rhythm_*` labels of admin/i18n.js)."""

from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from kiosk_server.core.db import table_of
from kiosk_server.core.text import Words, say
from kiosk_server.retention import rhythm
from kiosk_server.retention.models import CustomerStatus, Status

_STATUS_WORDS: dict[Status, Words] = {
    Status.NEW: ("Khách mới", "New"), Status.ACTIVE: ("Đều đặn", "Active"),
    Status.WATCH: ("Cần để ý", "Watch"), Status.AT_RISK: ("Có nguy cơ rời bỏ", "At risk"),
    Status.LAPSED: ("Đã lâu không ghé", "Lapsed"),
}


def status_word(status: Status, language: str) -> str:
    """The status's name in `language` ("vi" or "en")."""
    return say(_STATUS_WORDS[status], language)


def reason_sentence(row: CustomerStatus | Any, language: str, *, today: int) -> str:
    """The reason of a saved status (a `CustomerStatus`, or a row of its columns) as the
    pages say it on the local day `today` (a day number), in `language` ("vi" or "en")."""
    return rhythm.sentence(rhythm.Standing.of_stored(row, today), language)


_STATUS_COLUMNS = select(*table_of(CustomerStatus).c)


def statuses_of(session: Session, *, customer_ids: list[int]) -> dict[int, Any]:
    """The saved statuses of these customers (a page of a list) as rows of their columns
    (`row.status`, `row.reason`...), by customer id; customers no pass has reached yet are
    left out."""
    if not customer_ids:
        return {}
    rows = session.execute(_STATUS_COLUMNS.where(
        col(CustomerStatus.customer_id).in_(customer_ids)))
    return {row.customer_id: row for row in rows}
