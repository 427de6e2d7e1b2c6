"""The admins' view of the outbox."""

from kiosk_server.messaging import service


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
