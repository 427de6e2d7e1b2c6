"""A sale served by a named staff member, and the feedback link on its receipt."""

import uuid

from kiosk_server.core.db import id_of
from kiosk_server.staff import service as staff_service
from kiosk_server.staff.models import Role, StaffCreate
from tests.conftest import Caller


def named_staff(db, username: str, full_name: str, role: Role = Role.STAFF) -> Caller:
    with db.session() as session:
        user = staff_service.create_staff(session, data=StaffCreate(
            username=username, password="correct horse battery", role=role,
            full_name=full_name),
            password_hash=staff_service.hash_password("correct horse battery"))
        _, secret = staff_service.create_api_token(session, staff_id=id_of(user), label="tests")
    return Caller(staff_id=id_of(user), headers={"Authorization": f"Bearer {secret}"})


def sale_link(client, headers, customer_id: int, amount: int = 150_000) -> str:
    """The feedback token on the receipt of a new sale to the customer."""
    sale = client.post(f"/api/v1/customers/{customer_id}/purchases", headers=headers,
                       json={"amount_vnd": amount, "request_id": uuid.uuid4().hex})
    assert sale.status_code == 201, sale.text
    return sale.json()["feedback"]["code"]
