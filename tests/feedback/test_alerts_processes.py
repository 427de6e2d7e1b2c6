"""A low rating answered on one server process reaches the managers followed on another
(Redis), as a shop running several processes would have it."""

import json
import time
import uuid

import httpx
from websockets.sync.client import connect

from tests.checkin.test_live_processes import _redis_url_or_skip, installation  # noqa: F401


def test_a_low_rating_on_one_process_alerts_managers_on_another(installation):  # noqa: F811
    redis_url = _redis_url_or_skip()
    serve, headers = installation
    first, second = serve(KIOSK_REDIS_URL=redis_url), serve(KIOSK_REDIS_URL=redis_url)
    with httpx.Client(base_url=first.url, headers=headers, timeout=30) as http:
        customer = http.post("/api/v1/customers", json={"full_name": "Vũ Thị Ngọc"}).json()
        sale = http.post(f"/api/v1/customers/{customer['id']}/purchases",
                         json={"amount_vnd": 90_000, "request_id": uuid.uuid4().hex})
        token = sale.json()["feedback"]["code"]
    alerts_url = second.url.replace("http://", "ws://") + "/api/v1/alerts/live"
    with connect(alerts_url, additional_headers=headers) as alerts:
        assert json.loads(alerts.recv(timeout=10)) == {"type": "ready"}
        answered = httpx.put(f"{first.url}/api/v1/feedback/{token}", timeout=30,
                             json={"visit_rating": 1, "comment": "Nhân viên cáu gắt"})
        assert answered.status_code == 200, answered.text
        sent = time.monotonic()
        alert = json.loads(alerts.recv(timeout=10))
        assert time.monotonic() - sent < 1.0
    assert alert["type"] == "feedback_alert" and alert["customer_name"] == "Vũ Thị Ngọc"
    assert alert["comment"] == "Nhân viên cáu gắt"
