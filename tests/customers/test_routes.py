"""Customers: Vietnamese names and phones, search, paging, CSV import."""

VALID_CSV = """Họ tên,Số điện thoại,Email,Đồng ý liên hệ
Nguyễn Văn An,0903 123 456,an@example.com,có
Trần Thị Bích,+84 912 345 678,,không
Lê Hoàng Nam,,nam@example.com,
"""


def _add(client, headers, **body):
    response = client.post("/api/v1/customers", headers=headers, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_customer_keeps_diacritics_and_normalizes_phone(client, admin):
    customer = _add(client, admin.headers, full_name="  Nguyễn   Thị Hương ",
                    phone="0912.345.678", email="Huong@Example.com")
    assert customer["full_name"] == "Nguyễn Thị Hương"
    assert customer["phone"] == "+84912345678" and customer["email"] == "huong@example.com"
    assert customer["consent_email"] is False and customer["visit_count"] == 0


def test_both_vietnamese_forms_of_a_number_are_one_phone(client, admin):
    _add(client, admin.headers, full_name="Phạm Ngọc Ánh", phone="0912345678")
    again = client.post("/api/v1/customers", headers=admin.headers,
                        json={"full_name": "Ai Đó", "phone": "+84 91 234 5678"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "phone_taken"
    bad = client.post("/api/v1/customers", headers=admin.headers,
                      json={"full_name": "Ai Đó", "phone": "12"})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "phone"


def test_search_ignores_case_and_diacritics(client, admin):
    wanted = _add(client, admin.headers, full_name="Nguyễn Văn A", phone="0903000001")
    _add(client, admin.headers, full_name="Trần Đức Thắng", phone="0903000002")
    for query in ("nguyen van a", "NGUYỄN", "Van A", "nguyễn văn a"):
        found = client.get("/api/v1/customers", params={"q": query}, headers=admin.headers)
        assert [c["id"] for c in found.json()["items"]] == [wanted["id"]], query
    thang = client.get("/api/v1/customers", params={"q": "duc thang"}, headers=admin.headers)
    assert [c["full_name"] for c in thang.json()["items"]] == ["Trần Đức Thắng"]


def test_search_by_any_form_of_the_phone(client, admin):
    wanted = _add(client, admin.headers, full_name="Lê Thị Bích Ngọc", phone="0987654321")
    for query in ("0987654321", "+84987654321", "84 987 654 321", "098-765-4321", "654321"):
        found = client.get("/api/v1/customers", params={"q": query}, headers=admin.headers)
        assert [c["id"] for c in found.json()["items"]] == [wanted["id"]], query


def test_paging_walks_every_customer_once(client, admin):
    ids = [_add(client, admin.headers, full_name=f"Khách {n}")["id"] for n in range(7)]
    seen, after = [], None
    while True:
        params = {"limit": 3} | ({"after": after} if after else {})
        page = client.get("/api/v1/customers", params=params, headers=admin.headers).json()
        seen += [c["id"] for c in page["items"]]
        after = page["next_cursor"]
        if after is None:
            break
    assert seen == ids


def test_update_changes_only_given_fields(client, admin):
    customer = _add(client, admin.headers, full_name="Hoàng Minh", phone="0903000003")
    changed = client.patch(f"/api/v1/customers/{customer['id']}", headers=admin.headers,
                           json={"notes": "Thích ghế gần sân khấu", "consent_email": True})
    assert changed.json()["notes"] == "Thích ghế gần sân khấu"
    assert changed.json()["phone"] == "+84903000003" and changed.json()["consent_email"]
    missing = client.get("/api/v1/customers/424242", headers=admin.headers)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "customer_not_found"


def _import(client, headers, data, **params):
    return client.post("/api/v1/customers/import", params=params, headers={
        **headers, "Content-Type": "text/csv"}, content=data.encode("utf-8"))


def test_csv_import_creates_customers_and_matches_known_phones(client, admin):
    known = _add(client, admin.headers, full_name="Nguyễn Văn An", phone="0903123456")
    preview = _import(client, admin.headers, VALID_CSV, dry_run="true").json()
    assert (preview["created"], preview["existing"], preview["saved"]) == (2, 1, False)
    assert client.get("/api/v1/customers", headers=admin.headers).json()["items"] == [
        client.get(f"/api/v1/customers/{known['id']}", headers=admin.headers).json()]
    report = _import(client, admin.headers, VALID_CSV).json()
    assert report["saved"] and report["errors"] == [] and report["customer_ids"][0] == known["id"]
    bich = client.get("/api/v1/customers", params={"q": "tran thi bich"},
                      headers=admin.headers).json()["items"][0]
    assert bich["phone"] == "+84912345678" and bich["consent_email"] is False


def test_csv_errors_name_each_row_and_nothing_is_saved(client, admin):
    bad = VALID_CSV + ",0903999999,,\nNgô Bảo,12345,,\nĐỗ Hà,0903123456,,\nVũ Lan,,not-an-email,\n"
    report = _import(client, admin.headers, bad).json()
    assert not report["saved"]
    assert [(e["row"], e["field"], e["code"]) for e in report["errors"]] == [
        (5, "full_name", "invalid_full_name"), (6, "phone", "invalid_phone"),
        (7, "phone", "duplicate_in_file"), (8, "email", "invalid_email")]
    assert client.get("/api/v1/customers", headers=admin.headers).json()["items"] == []


def test_csv_that_is_not_utf8_or_has_no_name_column_is_reported(client, admin):
    utf16 = client.post("/api/v1/customers/import", headers={**admin.headers,
                        "Content-Type": "text/csv"}, content="Họ tên\nNguyễn\n".encode("utf-16"))
    assert utf16.json()["errors"][0]["code"] == "not_utf8"
    nameless = _import(client, admin.headers, "phone\n0903123456\n").json()
    assert nameless["errors"][0]["code"] == "missing_column"


HUGE_IDS = [0, 2**31, 2**63, 2**70]


def test_ids_beyond_the_database_are_422_on_every_customer_path(client, admin):
    for number in HUGE_IDS:
        for method, path in [("GET", f"/api/v1/customers/{number}"),
                             ("PATCH", f"/api/v1/customers/{number}"),
                             ("GET", f"/api/v1/customers/{number}/visits"),
                             ("GET", f"/api/v1/customers/{number}/card"),
                             ("POST", f"/api/v1/customers/{number}/card")]:
            response = client.request(method, path, headers=admin.headers, json={})
            assert response.status_code == 422, (method, path, response.text)
            assert response.json()["detail"][0]["loc"] == ["path", "customer_id"]
        paged = client.get("/api/v1/customers", params={"after": number}, headers=admin.headers)
        assert paged.status_code == 422, number


def test_control_characters_in_customer_fields_are_422_and_change_nothing(client, admin):
    customer = _add(client, admin.headers, full_name="Hoàng Minh", phone="0903000004")
    for field, value in [("full_name", "Hoàng\x00Minh"), ("full_name", "Hoàng\x1bMinh"),
                         ("phone", "0903\x00000005"), ("email", "a\x00@example.com"),
                         ("notes", "ghi\x00chú"), ("notes", "ghi\x0bchú")]:
        body = {"full_name": "Khách mới", field: value}
        created = client.post("/api/v1/customers", headers=admin.headers, json=body)
        assert created.status_code == 422, (field, created.text)
        assert created.json()["detail"][0]["loc"] == ["body", field]
        changed = client.patch(f"/api/v1/customers/{customer['id']}", headers=admin.headers,
                               json={field: value})
        assert changed.status_code == 422, (field, changed.text)
    assert client.get("/api/v1/customers", headers=admin.headers).json()["items"] == [
        client.get(f"/api/v1/customers/{customer['id']}", headers=admin.headers).json()]
    assert client.get(f"/api/v1/customers/{customer['id']}",
                      headers=admin.headers).json()["full_name"] == "Hoàng Minh"
    search = client.get("/api/v1/customers", params={"q": "Hoàng\x00"}, headers=admin.headers)
    assert search.status_code == 422 and search.json()["detail"][0]["loc"] == ["query", "q"]


def test_csv_rows_with_control_characters_are_row_errors_and_nothing_is_saved(client, admin):
    csv = ("Họ tên,Số điện thoại,Email,Ghi chú,Đồng ý liên hệ\n"
           "Nguyễn Văn An,0903 123 456,an@example.com,khách quen,có\n"
           "Trần\x00Bích,,,,\n"
           "Lê Nam,0903\x00123457,,,\n"
           "Phạm Hà,,ha\x00@example.com,,\n"
           "Vũ Lan,,,ghi\x00chú,\n"
           "Đỗ Minh,,,,có\x00\n")
    for dry_run in ("true", "false"):
        response = _import(client, admin.headers, csv, dry_run=dry_run)
        assert response.status_code == 200, response.text
        report = response.json()
        assert not report["saved"] and report["customer_ids"] == []
        assert [(e["row"], e["field"]) for e in report["errors"]] == [
            (3, "full_name"), (4, "phone"), (5, "email"), (6, "notes"), (7, "consent_email")]
    assert client.get("/api/v1/customers", headers=admin.headers).json()["items"] == []
