"""A value the server refuses is shown as a sentence in the page's language that names the
field by its label ("Kết thúc: phải sau lúc bắt đầu."), never the server's English text;
every machine code a form can get has its sentence in both languages."""

import pytest

from tests.conftest import open_event_body
from tests.ui.admin_pages import PASSWORD, AdminPage
from tests.ui.test_checkout import Till

LANGUAGE_KEY = "kiosk-admin-language"

# (code, loc, ctx) as the server answers them -> the sentence, in Vietnamese and English.
CASES: list[tuple[str, list[str | int], dict[str, object] | None, str, str]] = [
    ("missing", ["body", "name"], None,
     "Tên: cần điền.", "Name: is required."),
    ("string_too_short", ["body", "name"], {"min_length": 1},
     "Tên: không được để trống.", "Name: must not be empty."),
    ("string_too_short", ["body", "password"], {"min_length": 8},
     "Mật khẩu: cần ít nhất 8 ký tự.", "Password: needs at least 8 characters."),
    ("string_too_long", ["body", "venue"], {"max_length": 300},
     "Địa điểm: dài tối đa 300 ký tự.", "Venue: may have at most 300 characters."),
    ("too_short", ["body", "customer_ids"], {"min_length": 1, "field_type": "List"},
     "Khách được mời: không được để trống.", "Guests invited: must not be empty."),
    ("too_long", ["body", "tags"], {"max_length": 20, "field_type": "List"},
     "Nhãn: có tối đa 20 mục.", "Tags: may have at most 20 items."),
    ("string_pattern_mismatch", ["body", "request_id"], {"pattern": "^[a-z]$"},
     "Mã yêu cầu: không đúng dạng.", "Request id: is not in the expected form."),
    ("string_pattern_mismatch", ["body", "username"], {"pattern": "^[a-z]$"},
     "Tên đăng nhập: chỉ gồm chữ thường, số, . _ - (2 đến 64 ký tự, bắt đầu bằng chữ hoặc số).",
     "Username: may hold lower-case letters, digits, . _ - only (2 to 64, starting with a "
     "letter or digit)."),
    ("greater_than", ["body", "amount_vnd"], {"gt": 0},
     "Số tiền: phải lớn hơn 0.", "Amount: must be more than 0."),
    ("greater_than_equal", ["body", "capacity"], {"ge": 1},
     "Sức chứa: phải từ 1 trở lên.", "Capacity: must be 1 or more."),
    ("less_than", ["body", "valid_days"], {"lt": 367},
     "Số ngày hiệu lực: phải nhỏ hơn 367.", "Valid for (days): must be less than 367."),
    ("less_than_equal", ["body", "valid_days"], {"le": 366},
     "Số ngày hiệu lực: tối đa là 366.", "Valid for (days): must be 366 or less."),
    ("int_parsing", ["body", "points_cost"], None,
     "Số điểm: phải là một số nguyên.", "Points: must be a whole number."),
    ("int_from_float", ["body", "points_cost"], None,
     "Số điểm: phải là một số nguyên.", "Points: must be a whole number."),
    ("bool_type", ["body", "active"], None,
     "Đang dùng: phải là có hoặc không.", "Active: must be yes or no."),
    ("string_type", ["body", "text"], None, "Nội dung: phải là chữ.", "Text: must be text."),
    ("datetime_parsing", ["body", "starts_at"], {"error": "bad"},
     "Bắt đầu: không phải ngày giờ hợp lệ.", "Starts: is not a valid date and time."),
    ("timezone_aware", ["body", "starts_at"], None,
     "Bắt đầu: không phải ngày giờ hợp lệ.", "Starts: is not a valid date and time."),
    ("time_out_of_range", ["body", "ends_at"], None,
     "Kết thúc: phải trong khoảng năm 2000 đến 2099.",
     "Ends: must be between the years 2000 and 2099."),
    ("enum", ["body", "role"], {"expected": "'staff' or 'admin'"},
     "Vai trò: không phải một lựa chọn có sẵn.", "Role: is not one of the choices."),
    ("literal_error", ["query", "kind"], {"expected": "'a' or 'b'"},
     "Loại: không phải một lựa chọn có sẵn.", "Kind: is not one of the choices."),
    ("control_characters", ["body", "full_name"], None,
     "Họ tên: có ký tự điều khiển không được phép.",
     "Name: holds control characters, which are not allowed."),
    ("name_empty", ["body", "full_name"], None,
     "Họ tên: không được để trống.", "Name: must not be empty."),
    ("email_invalid", ["body", "email"], None,
     "Email: không phải địa chỉ email hợp lệ.", "Email: is not a valid e-mail address."),
    ("tag_length", ["body", "tags", 2], {"max_length": 32},
     "Nhãn: mỗi nhãn dài từ 1 đến 32 ký tự.", "Tags: each tag has 1 to 32 characters."),
    ("ends_before_start", ["body"], None,
     "Kết thúc: phải sau lúc bắt đầu.", "Ends: must be after the start."),
    ("checkin_closes_before_opens", ["body"], None,
     "Đóng check-in: phải sau lúc mở check-in.", "Check-in closes: must be after check-in opens."),
    ("code_or_customer", ["body"], None,
     "Mã: cần một mã quét hoặc một khách hàng, không cả hai.",
     "Code: needs either a scanned code or a customer, not both."),
    ("json_invalid", ["body", 12], {"error": "Expecting value"},
     "Dữ liệu gửi đi: không đọc được (không phải JSON).",
     "What was sent: cannot be read (not JSON)."),
    ("date_parsing", ["query", "from"], {"error": "bad"},
     "Từ ngày: không phải ngày hợp lệ (năm-tháng-ngày).",
     "From: is not a valid date (year-month-day)."),
    ("date_from_datetime_parsing", ["query", "to"], {"error": "bad"},
     "Đến ngày: không phải ngày hợp lệ (năm-tháng-ngày).",
     "To: is not a valid date (year-month-day)."),
    ("value_error", ["body", "notes"], {"error": {}},
     "Ghi chú: không hợp lệ.", "Notes: is not valid."),
    ("a_code_no_page_knows", ["body", "a_field_no_page_knows"], None,
     "Dữ liệu gửi đi: không hợp lệ.", "What was sent: is not valid."),
]

MAP = """async ([cases, language]) => {
  const i18n = await import('/ui/admin/i18n.js');
  const { validationProblems } = await import('/ui/admin/problems.js');
  i18n.setLang(language);
  const detail = cases.map(([type, loc, ctx]) => ({ type, loc, ctx, msg: 'English text' }));
  return validationProblems(detail).map((problem) => problem.message);
}"""


def _tab(chromium, base, language, viewport=None):
    """An admin tab in `language`, signed in as the admin, on the dashboard."""
    tab = AdminPage(chromium, base, **({"viewport": viewport} if viewport else {}))
    tab.context.add_init_script(f"localStorage.setItem('{LANGUAGE_KEY}', '{language}')")
    tab.open()
    tab.sign_in("admin", PASSWORD)
    tab.wait_view("/")
    return tab


def test_every_code_a_form_can_get_is_a_sentence_naming_the_field(chromium, served, admin):
    tab = _tab(chromium, served.url, "vi")
    try:
        cases = [case[:3] for case in CASES]
        assert tab.page.evaluate(MAP, [cases, "vi"]) == [case[3] for case in CASES]
        assert tab.page.evaluate(MAP, [cases, "en"]) == [case[4] for case in CASES]
    finally:
        tab.close()


def test_every_field_a_request_can_name_has_a_label_in_both_languages(chromium, served, app,
                                                                     admin):
    spec = app.openapi()
    names = set()
    for operations in spec["paths"].values():
        for operation in operations.values():
            names |= {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
            for content in operation.get("requestBody", {}).get("content", {}).values():
                schema = content["schema"]
                if "$ref" in schema:
                    schema = spec["components"]["schemas"][schema["$ref"].split("/")[-1]]
                names |= set(schema.get("properties", {}))
    assert {"name", "ends_at", "password", "email", "amount_vnd"} <= names
    tab = _tab(chromium, served.url, "vi")
    try:
        missing = tab.page.evaluate("""async (names) => {
          const i18n = await import('/ui/admin/i18n.js');
          return ['vi', 'en'].flatMap((language) => {
            i18n.setLang(language);
            return names.filter((name) => !i18n.t(`field_${name}`, {}, null))
              .map((name) => `${language}:${name}`);
          });
        }""", sorted(names))
        assert missing == []
    finally:
        tab.close()


def _error(tab, name):
    return tab.page.inner_text(f"section.view [data-error-for={name}]")


@pytest.mark.parametrize("language, sentences", [
    ("vi", ["Tên sự kiện: không được để trống.", "Kết thúc: phải sau lúc bắt đầu.",
            "Mật khẩu: cần ít nhất 8 ký tự."]),
    ("en", ["Event name: must not be empty.", "Ends: must be after the start.",
            "Password: needs at least 8 characters."]),
])
def test_the_event_and_staff_forms_say_what_is_wrong_in_the_page_language(
        chromium, served, admin, language, sentences):
    empty_name, ends_first, short_password = sentences
    tab = _tab(chromium, served.url, language)
    page = tab.page
    try:
        tab.go("/events/new")
        page.fill("[name=venue]", "Hà Nội")
        page.fill("[name=starts_at]", "2027-03-01T10:00")
        page.fill("[name=ends_at]", "2027-03-01T09:00")
        with page.expect_response("**/api/v1/events") as answer:
            page.click("section.view button[type=submit]")
        assert answer.value.status == 422
        tab.wait_text("section.view [data-error-for=name]", empty_name)
        assert _error(tab, "name") == empty_name

        page.fill("[name=name]", "Hội thảo mùa xuân")
        with page.expect_response("**/api/v1/events") as answer:
            page.click("section.view button[type=submit]")
        assert answer.value.json()["detail"][0]["type"] == "ends_before_start"  # the API's code
        tab.wait_text("section.view [data-error-for=ends_at]", ends_first)
        assert _error(tab, "ends_at") == ends_first
        assert _error(tab, "name") == ""
        assert page.locator("section.view .field.invalid [name=ends_at]").count() == 1

        tab.go("/staff")
        page.click("section.view details.add summary")
        page.fill(".staff-form [name=username]", "lan")
        page.fill(".staff-form [name=full_name]", "Trần Thị Lan")
        page.fill(".staff-form [name=password]", "ngắn")
        page.click(".staff-form button[type=submit]")
        tab.wait_text(".staff-form [data-error-for=password]", short_password)
        assert page.inner_text(".staff-form [data-error-for=password]") == short_password
        assert tab.errors == []
    finally:
        tab.close()


def test_the_till_names_a_refused_e_mail_in_the_page_language(chromium, live_server, admin):
    till = Till(chromium, live_server)
    page = till.page
    for language, sentence in [("vi", "Email: không phải địa chỉ email hợp lệ."),
                               ("en", "Email: is not a valid e-mail address.")]:
        page.evaluate("language => localStorage.setItem('kiosk-admin-language', language)",
                      language)
        page.reload()
        page.wait_for_selector("[data-view=idle]")
        page.click("#new-customer")
        page.fill(".signup [name=full_name]", "Lê Thị Thu Hà")
        page.fill(".signup [name=phone]", "0903 123 456")
        page.fill(".signup [name=email]", "thuha@")
        page.click(".signup button[type=submit]")
        till.wait_text(".signup [data-error-for=email]", sentence)
        assert page.inner_text(".signup [data-error-for=email]") == sentence
    till.close()


def test_an_event_the_api_refuses_still_answers_machine_codes(client, admin):
    refused = client.post("/api/v1/events", headers=admin.headers,
                          json=open_event_body(name=""))
    assert refused.status_code == 422
    assert [(item["type"], item["loc"]) for item in refused.json()["detail"]] == [
        ("string_too_short", ["body", "name"])]
