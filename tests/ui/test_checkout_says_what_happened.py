"""The till says what really happened and shows what is really there: a new member's card
e-mail queued for a mail server, or waiting in the outbox when none is set up, or nothing to
send; an empty amount box that cannot be mistaken for an amount typed in."""


from kiosk_server.main import create_app
from kiosk_server.staff.models import Role
from tests.conftest import ThreadServer, make_staff
from tests.messaging.conftest import mail_server, wait_for  # noqa: F401 (a fixture)
from tests.ui.test_checkout import LANDSCAPE, PORTRAIT, Till

WAITING = ("Chưa gửi email: máy chủ chưa cài đặt gửi thư. Thẻ đang chờ trong hộp thư đi"
           " và sẽ được gửi khi cài đặt xong.")
QUEUED = "Thẻ đã được xếp hàng để gửi tới email của khách (chưa gửi xong)."
NO_ADDRESS = "Không gửi email: khách không cho địa chỉ email."


def _sign_up(till, name, phone, email=""):
    page = till.page
    page.click("#new-customer")
    page.fill(".signup [name=full_name]", name)
    page.fill(".signup [name=phone]", phone)
    page.fill(".signup [name=email]", email)
    page.click(".signup button[type=submit]")
    page.wait_for_selector(".new-card .mail")
    return till.text(".new-card .mail")


def test_without_a_mail_server_the_card_is_said_to_wait_in_the_outbox(
        chromium, live_server, admin, screenshot):
    till = Till(chromium, live_server, viewport=PORTRAIT)
    assert _sign_up(till, "Phạm Thị Mai", "0903 222 111", "mai@example.com") == WAITING
    assert till.page.get_attribute(".new-card .mail", "data-mail") == "waiting"
    screenshot(till.page, "checkout-card-mail-waiting")
    till.page.click(".next-customer")
    assert _sign_up(till, "Võ Văn Tùng", "0903 222 333") == NO_ADDRESS
    till.page.click("#language button[data-lang=en]")
    till.wait_text(".new-card .mail", "No e-mail: they gave no address.")
    till.close()


def test_with_a_mail_server_the_card_is_said_to_be_queued_and_it_arrives(
        chromium, settings, mail_server):  # noqa: F811
    app = create_app(mail_server.settings_for(settings))
    make_staff(app.state.db, "admin", Role.ADMIN)
    server = ThreadServer(app)
    try:
        till = Till(chromium, server.url, viewport=LANDSCAPE)
        text = _sign_up(till, "Đỗ Thị Lan", "0903 444 555", "lan@example.com")
        assert text == QUEUED
        till.close()
        [mail] = wait_for(lambda: mail_server.inbox.messages)
        assert mail["To"] == "lan@example.com"
    finally:
        server.stop()
        app.state.db.dispose()


def _luminance(css_colour):
    red, green, blue = (int(part) for part in
                        css_colour[css_colour.index("(") + 1:].split(")")[0].split(",")[:3])
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def test_the_empty_amount_box_does_not_look_like_an_amount(chromium, live_server, client, admin,
                                                          screenshot):
    customer = client.post("/api/v1/customers", headers=admin.headers,
                           json={"full_name": "Bùi Thị Hoa", "phone": "0903 666 777"}).json()
    till = Till(chromium, live_server, viewport=PORTRAIT)
    page = till.page
    page.fill("#find-input", "0903666777")
    page.press("#find-input", "Enter")
    till.served(customer["id"])
    amount = ".sale-form .amount"
    placeholder = page.get_attribute(amount, "placeholder")
    assert placeholder == "Nhập số tiền" and not any(c.isdigit() for c in placeholder)
    hint, typed = page.eval_on_selector(amount, """(input) => {
        const hint = getComputedStyle(input, '::placeholder');
        const typed = getComputedStyle(input);
        return [[hint.color, hint.fontWeight, hint.fontStyle], [typed.color, typed.fontWeight]];
    }""")
    assert _luminance(hint[0]) - _luminance(typed[0]) > 80  # clearly lighter than typed text
    assert int(hint[1]) <= int(typed[1]) and hint[2] == "italic"
    screenshot(page, "checkout-amount-empty")
    page.click("#language button[data-lang=en]")
    page.wait_for_function("document.querySelector('.sale-form .amount')?.placeholder"
                           " === 'Type the amount'")
    till.close()
