"""Staff, devices, the audit log and one's own password in the admin area; what a
staff-role user sees; the language switch; the navigation on a tablet."""

from tests.ui.admin_pages import PASSWORD, TABLET, admin_tab

NEW_PASSWORD = "mật khẩu mới 2026"


def _confirm(page):
    page.click("dialog.confirm button[value=yes]")


def test_a_staff_role_user_is_refused_the_staff_page_and_changes_their_own_password(
        chromium, served, client, clerk, screenshot):
    with admin_tab(chromium, served.url, "clerk") as ui:
        page = ui.page
        assert page.locator("#nav a[data-route=events]").is_visible()
        assert page.locator("#nav a[data-route=devices]").is_visible()
        assert page.locator("#nav a[data-route=staff]").is_hidden()
        assert page.locator("#nav a[data-route=audit]").is_hidden()
        assert page.locator("section.view a[href='#/staff']").count() == 0
        with page.expect_response("**/api/v1/staff") as answer:
            page.evaluate("location.hash = '#/staff'")
        assert answer.value.status == 403
        ui.wait_view("/staff")
        assert page.inner_text("section.view .page-error") == "Chỉ quản trị viên được làm việc này."
        assert page.locator("section.view table").count() == 0
        screenshot(page, "admin-forbidden")

        page.click("#who")
        ui.wait_view("/password")
        page.fill("[name=current_password]", "not my password")
        page.fill("[name=new_password]", NEW_PASSWORD)
        page.fill("[name=repeat_password]", NEW_PASSWORD)
        page.click("section.view button[type=submit]")
        ui.wait_text("[data-error-for=current_password]", "Mật khẩu hiện tại không đúng")
        assert client.post("/api/v1/auth/login", json={
            "username": "clerk", "password": PASSWORD}).status_code == 200  # unchanged

        page.fill("[name=current_password]", PASSWORD)
        page.fill("[name=new_password]", NEW_PASSWORD)
        page.fill("[name=repeat_password]", NEW_PASSWORD)
        page.click("section.view button[type=submit]")
        ui.wait_text("#notice", "Đã đổi mật khẩu")
        assert page.input_value("[name=current_password]") == ""

        page.click("#sign-out")
        ui.sign_in("clerk", PASSWORD)
        ui.wait_text("form.signin .form-error", "Sai tên đăng nhập hoặc mật khẩu")
        page.fill("form.signin [name=password]", NEW_PASSWORD)
        page.click("form.signin button[type=submit]")
        ui.wait_view("/")
        assert page.inner_text("#who") == "clerk"


def _staff_row(page, username):
    return page.locator(f"table.staff tr[data-username='{username}']")


def _extra(page, username):  # the line under a user's row: their form or tokens
    return page.locator(f"table.staff tr[data-username='{username}'] + tr.extra")


def test_an_admin_adds_edits_resets_disables_staff_and_revokes_a_token(
        chromium, served, client, admin, clerk, screenshot):
    with admin_tab(chromium, served.url) as ui:
        page = ui.page
        ui.go("/staff")
        page.click("details.add summary")
        page.fill("form.staff-form [name=username]", "thungan")
        page.fill("form.staff-form [name=full_name]", "Phạm Thu Ngân")
        page.fill("form.staff-form [name=password]", "ngắn")
        page.click("form.staff-form button[type=submit]")
        ui.wait_text("form.staff-form [data-error-for=password]", "8")  # too short: by its field
        page.fill("form.staff-form [name=password]", "thu ngân 2026")
        page.click("form.staff-form button[type=submit]")
        page.wait_for_selector("table.staff tr[data-username=thungan]")
        users = client.get("/api/v1/staff", headers=admin.headers).json()
        assert [(u["full_name"], u["role"]) for u in users if u["username"] == "thungan"] == [
            ("Phạm Thu Ngân", "staff")]

        _staff_row(page, "thungan").locator("button", has_text="Sửa").click()
        _extra(page, "thungan").locator("select[name=role]").select_option("admin")
        _extra(page, "thungan").locator("button[type=submit]").click()
        ui.wait_text("table.staff tr[data-username=thungan]", "Quản trị viên")

        _staff_row(page, "thungan").locator("button", has_text="Đặt lại mật khẩu").click()
        _extra(page, "thungan").locator("[name=password]").fill("mật khẩu đặt lại")
        _extra(page, "thungan").locator("button[type=submit]").click()
        ui.wait_text("#notice", "Đã đặt lại mật khẩu của thungan")
        assert client.post("/api/v1/auth/login", json={
            "username": "thungan", "password": "mật khẩu đặt lại"}).status_code == 200

        _staff_row(page, "thungan").locator("button", has_text="Khóa").click()
        _confirm(page)
        page.wait_for_selector("table.staff tr.inactive[data-username=thungan]")
        assert client.post("/api/v1/auth/login", json={
            "username": "thungan", "password": "mật khẩu đặt lại"}).status_code == 401
        assert _staff_row(page, "admin").locator("button", has_text="Khóa").is_hidden()

        assert client.get("/api/v1/auth/me", headers=clerk.headers).status_code == 200
        _staff_row(page, "clerk").locator("button", has_text="Mã API").click()
        tokens = _extra(page, "clerk").locator("table.tokens tbody tr")
        tokens.first.wait_for()
        assert tokens.count() == 1 and "tests" in tokens.inner_text()
        tokens.locator("button").click()
        _confirm(page)
        ui.wait_text("table.staff tr.extra table.tokens", "Đã thu hồi")
        assert client.get("/api/v1/auth/me", headers=clerk.headers).status_code == 401
        screenshot(page, "admin-staff")

        ui.go("/audit")
        page.wait_for_selector("table.audit tbody tr")
        actions = page.locator("table.audit tbody tr").evaluate_all(
            "rows => rows.map((row) => row.dataset.action)")
        assert actions[:5] == ["token.revoke", "staff.update", "staff.password_reset",
                               "staff.update", "staff.create"]
        assert page.inner_text("table.audit tbody tr:nth-child(5) td:nth-child(2)") == (
            "admin đã thêm nhân viên Phạm Thu Ngân.")
        screenshot(page, "admin-audit")


def test_devices_are_listed_by_event_renamed_and_revoked(
        chromium, served, client, admin, seminar, screenshot):
    other = client.post("/api/v1/events", headers=admin.headers, json={
        "name": "Tiệc cuối năm", "starts_at": "2026-12-30T18:00:00+07:00",
        "ends_at": "2026-12-30T22:00:00+07:00"}).json()
    kiosks = [client.post(f"/api/v1/events/{event_id}/devices", headers=admin.headers,
                          json={"name": name, "gate": gate}).json()
              for event_id, name, gate in [(seminar.event_id, "Kiosk 1", "A"),
                                           (other["id"], "Kiosk 2", "B")]]
    rows = "table.devices tbody tr[data-device-id]"
    with admin_tab(chromium, served.url) as ui:
        page = ui.page
        ui.go("/devices")
        assert page.locator(rows).count() == 2
        page.select_option("section.view select", str(seminar.event_id))
        page.wait_for_function(f"document.querySelectorAll('{rows}').length === 1")
        assert "Kiosk 1" in page.inner_text(rows) and "Hội thảo mùa thu" in page.inner_text(rows)

        page.locator(rows).locator("button", has_text="Đổi tên").click()
        page.fill("table.devices tr.extra [name=name]", "Kiosk sảnh chính")
        page.click("table.devices tr.extra button[type=submit]")
        ui.wait_text(rows, "Kiosk sảnh chính")
        page.locator(rows).locator("button", has_text="Thu hồi").click()
        _confirm(page)
        page.wait_for_selector(f"{rows}.inactive")
        assert "Đã thu hồi" in page.inner_text(rows)
        listed = client.get(f"/api/v1/devices?event_id={seminar.event_id}",
                            headers=admin.headers).json()
        assert [(d["id"], d["name"], d["revoked_at"] is not None) for d in listed] == [
            (kiosks[0]["id"], "Kiosk sảnh chính", True)]
        refused = client.post("/api/v1/checkins", json={"code": seminar.codes[0],
                                                        "event_id": seminar.event_id},
                              headers={"Authorization": f"Bearer {kiosks[0]['token']}"})
        assert refused.status_code == 401
        screenshot(page, "admin-devices")


def test_the_language_switch_is_kept_and_the_tablet_menu_opens_and_closes(
        chromium, served, admin, screenshot):
    with admin_tab(chromium, served.url, None, viewport=TABLET) as ui:
        page = ui.page
        ui.sign_in()
        ui.wait_view("/")
        assert page.locator("#nav").is_hidden() and page.locator("#menu-toggle").is_visible()
        page.click("#menu-toggle")
        assert page.locator("#nav a[data-route=customers]").is_visible()
        assert page.get_attribute("#menu-toggle", "aria-expanded") == "true"
        screenshot(page, "admin-tablet-menu")
        page.click("#nav a[data-route=customers]")
        ui.wait_view("/customers")
        assert page.locator("#nav").is_hidden()
        assert page.inner_text("section.view h1") == "Khách hàng"

        page.click("#language button[data-lang=en]")
        page.wait_for_function("document.querySelector('section.view h1')?.textContent"
                               " === 'Customers'")
        with page.expect_request("**/api/v1/customers?*") as sent:
            page.reload()
        assert sent.value.headers["accept-language"] == "en"
        ui.wait_view("/customers")
        assert page.inner_text("section.view h1") == "Customers"
        assert page.get_attribute("html", "lang") == "en"
        page.click("#menu-toggle")
        assert page.inner_text("#nav a[data-route=events]") == "Events"
        page.click("#nav a[data-route=events]")
        ui.wait_view("/events")
        assert page.inner_text("section.panel[data-group=running] h2").startswith("Running")
        ui.go("/customers/new")
        page.fill("[name=full_name]", "Lê Thị Hoa")
        page.fill("[name=phone]", "123")
        page.click("form.customer-form button[type=submit]")
        ui.wait_text("[data-error-for=phone]", "Invalid phone number.")  # the server's English
        screenshot(page, "admin-tablet-en")


def test_the_sign_in_page_says_when_too_many_wrong_passwords_hold_it(chromium, served, clerk,
                                                                     screenshot):
    with admin_tab(chromium, served.url, None) as ui:
        for attempt in range(5):
            ui.sign_in("clerk", f"wrong {attempt}")
            ui.wait_text("form.signin .form-error", "Sai tên đăng nhập hoặc mật khẩu")
            ui.page.evaluate("document.querySelector('form.signin .form-error')"
                             ".textContent = ''")
        ui.sign_in("clerk", PASSWORD)
        ui.wait_text("form.signin .form-error", "Nhập sai mật khẩu quá nhiều lần")
        assert "15 phút" in ui.page.inner_text("form.signin .form-error")
        screenshot(ui.page, "admin-sign-in-held")
