"""Opening the admin area in a real browser, signing in, moving between its views."""

from contextlib import contextmanager
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

LAPTOP = {"width": 1366, "height": 768}
TABLET = {"width": 768, "height": 1024}
PASSWORD = "correct horse battery"  # every test user's (tests/conftest.py make_staff)
VENUE = ZoneInfo("Asia/Ho_Chi_Minh")  # the server's default time zone for people


class AdminPage:
    """A browser tab on /admin that records the page's own errors (script exceptions,
    console errors other than failed requests, which the pages expect and handle)."""

    def __init__(self, chromium, base, viewport=LAPTOP):
        self.context = chromium.new_context(viewport=viewport, locale="vi-VN")
        self.page = self.context.new_page()
        self.base = base
        self.errors = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", self._console)

    def _console(self, message):
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(message.text)

    def open(self, path=""):
        self.page.goto(f"{self.base}/admin{path}")

    def sign_in(self, username="admin", password=PASSWORD):
        self.wait_view("signin")
        self.page.fill("form.signin [name=username]", username)
        self.page.fill("form.signin [name=password]", password)
        self.page.click("form.signin button[type=submit]")

    def wait_view(self, path, timeout=10_000):
        """Wait until the view of `path` ("/events/3", "signin") has loaded."""
        self.page.wait_for_selector(f'section.view[data-path="{path}"][data-ready]',
                                    timeout=timeout)

    def go(self, path):
        self.page.evaluate("path => { location.hash = '#' + path; }", path)
        self.wait_view(path)

    def view_text(self):
        return self.page.inner_text("section.view")

    def wait_text(self, selector, text, timeout=10_000):
        """Wait until the first element matching `selector` shows `text`."""
        self.page.wait_for_function(
            "([selector, text]) => (document.querySelector(selector)?.innerText || '')"
            ".includes(text)", arg=[selector, text], timeout=timeout)

    def close(self):
        self.context.close()


@contextmanager
def admin_tab(chromium, base, username="admin", password=PASSWORD, viewport=LAPTOP):
    """An admin tab signed in as `username` (on the dashboard), or at the sign-in when
    `username` is None. Closed afterwards; the page must have had no errors of its own."""
    tab = AdminPage(chromium, base, viewport)
    try:
        tab.open()
        if username is not None:
            tab.sign_in(username, password)
            tab.wait_view("/")
        yield tab
        assert tab.errors == []
    finally:
        tab.close()


def invite_new_customer(client, headers, event_id, full_name, phone):
    """A new customer, invited to the event; their CustomerPublic."""
    customer = client.post("/api/v1/customers", headers=headers,
                           json={"full_name": full_name, "phone": phone})
    assert customer.status_code == 201, customer.text
    invited = client.post(f"/api/v1/events/{event_id}/invitations", headers=headers,
                          json={"customer_ids": [customer.json()["id"]]})
    assert invited.status_code == 201, invited.text
    return customer.json()


def venue_input(moment: datetime) -> str:
    """`moment` as a datetime-local input's value in the venue's time."""
    return moment.astimezone(VENUE).strftime("%Y-%m-%dT%H:%M")


def venue_minute(delta: timedelta) -> datetime:
    """Now plus `delta`, to the minute (what a datetime-local input holds)."""
    return (datetime.now(VENUE) + delta).replace(second=0, microsecond=0)
