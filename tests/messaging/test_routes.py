"""The admins' view of the outbox."""

from kiosk_server.messaging import service
from kiosk_server.messaging.models import Purpose


def test_only_admins_list_messages(client, db, admin, clerk):
    with db.session() as session:
        message_id = service.enqueue_email(session, to="an@example.com",
                                           subject="Thẻ thành viên", text="x").id
    assert client.get("/api/v1/messages", headers=clerk.headers).status_code == 403
    assert client.get("/api/v1/messages").status_code == 401
    answer = client.get("/api/v1/messages", headers=admin.headers)
    assert answer.status_code == 200, answer.text
    [item] = answer.json()["items"]
    assert (item["id"], item["to_address"], item["subject"], item["state"], item["attempts"]) \
        == (message_id, "an@example.com", "Thẻ thành viên", "pending", 0)
    assert "body_text" not in item
    assert client.get("/api/v1/messages?state=sent",
                      headers=admin.headers).json()["items"] == []


def test_the_list_says_each_message_s_channel_and_purpose(client, db, admin):
    with db.session() as session:
        service.enqueue_email(session, to="an@example.com", subject="Thẻ", text="x")
        service.enqueue_phone_message(session, to="+84903123456", text="Ưu đãi 40%",
                                      purpose=Purpose.MARKETING)
    items = client.get("/api/v1/messages", headers=admin.headers).json()["items"]
    assert [(i["channel"], i["purpose"], i["to_address"]) for i in items] == [
        ("sms", "marketing", "+84903123456"), ("email", "service", "an@example.com")]
