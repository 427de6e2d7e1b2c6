"""The language of a customer's messages: chosen on the staff's customer form, kept when
they switch their own page's language, and never emptied by a null."""

from tests.portal.test_routes import sign_in


def test_staff_set_it_and_it_defaults_to_vietnamese(client, admin):
    made = client.post("/api/v1/customers", headers=admin.headers, json={
        "full_name": "Trần Văn Bảo", "phone": "0903 111 222"})
    assert made.status_code == 201, made.text
    assert made.json()["language"] == "vi"
    customer_id = made.json()["id"]
    changed = client.patch(f"/api/v1/customers/{customer_id}", headers=admin.headers,
                           json={"language": "en"})
    assert changed.status_code == 200, changed.text
    assert client.get(f"/api/v1/customers/{customer_id}",
                      headers=admin.headers).json()["language"] == "en"
    kept = client.patch(f"/api/v1/customers/{customer_id}", headers=admin.headers,
                        json={"language": None, "notes": "thích trà"})
    assert kept.status_code == 200, kept.text
    assert kept.json()["language"] == "en"
    refused = client.patch(f"/api/v1/customers/{customer_id}", headers=admin.headers,
                           json={"language": "fr"})
    assert refused.status_code == 422


def test_the_customer_switching_their_page_to_english_keeps_it(client, db, admin):
    made = client.post("/api/v1/customers", headers=admin.headers, json={
        "full_name": "Nguyễn Thị Hương", "phone": "0903 123 456",
        "email": "huong@example.com"})
    customer_id = made.json()["id"]
    sign_in(client, db, phone="0903 123 456")
    assert client.get("/api/v1/me").json()["language"] == "vi"
    switched = client.patch("/api/v1/me", json={"language": "en"})
    assert switched.status_code == 200, switched.text
    assert switched.json()["language"] == "en"
    assert client.get(f"/api/v1/customers/{customer_id}",
                      headers=admin.headers).json()["language"] == "en"
    assert client.patch("/api/v1/me", json={"language": None}).json()["language"] == "en"
    assert client.patch("/api/v1/me", json={"language": "de"}).status_code == 422
