"""Mail reaches the mail server over TLS with its certificate verified: STARTTLS (the
default) or TLS from the first byte (port 465 style). A server whose certificate is not
trusted is sent nothing, and the outbox says why."""

import ssl
from collections.abc import Iterator

import pytest
import trustme
from fastapi.testclient import TestClient

from kiosk_server.core.db import id_of
from kiosk_server.main import create_app
from kiosk_server.messaging import service
from kiosk_server.messaging.models import MessageStatus, OutboxMessage
from tests.messaging.conftest import MailServer, wait_for


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    """A certificate authority of this test's own, which nothing else trusts."""
    return trustme.CA()


def _tls_server(ca: trustme.CA, tls: str) -> MailServer:
    certificate = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(certificate)
    return MailServer(tls, certificate)


@pytest.fixture(params=["starttls", "implicit"])
def tls_mail_server(request, ca) -> Iterator[MailServer]:
    server = _tls_server(ca, request.param)
    server.start()
    yield server
    server.stop()


def _send_one(app, to: str) -> int:
    with app.state.db.session() as session:
        return id_of(service.enqueue_email(session, to=to, subject="Thẻ thành viên",
                                           text="Chào chị Hương"))


def _row(app, message_id: int) -> OutboxMessage:
    with app.state.db.session() as session:
        return session.get(OutboxMessage, message_id)


def test_mail_goes_over_tls_to_a_server_whose_certificate_is_trusted(settings, tmp_path, ca,
                                                                      tls_mail_server):
    ca_file = tmp_path / "company-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    app = create_app(tls_mail_server.settings_for(settings).model_copy(
        update={"smtp_ca_file": ca_file}))
    with TestClient(app):
        message_id = _send_one(app, "huong@example.com")
        # The server takes mail only over TLS (STARTTLS required, or TLS from the start).
        wait_for(lambda: _row(app, message_id).status is MessageStatus.SENT)
    app.state.db.dispose()
    [mail] = tls_mail_server.inbox.messages
    assert mail["To"] == "huong@example.com"


def test_a_server_whose_certificate_is_not_trusted_is_sent_nothing(settings, ca):
    server = _tls_server(ca, "starttls")
    server.start()
    try:
        app = create_app(server.settings_for(settings))  # the system's CAs only
        with TestClient(app):
            message_id = _send_one(app, "huong@example.com")
            failed = wait_for(lambda: (m := _row(app, message_id)).attempts >= 1 and m)
        app.state.db.dispose()
    finally:
        server.stop()
    assert server.inbox.messages == []
    assert failed.status is MessageStatus.PENDING  # tried again later, as for any outage
    assert "certificate" in failed.last_error.lower()


def test_a_missing_ca_file_stops_the_server_from_starting(settings, tmp_path):
    with pytest.raises(FileNotFoundError):
        create_app(settings.model_copy(update={"smtp_host": "127.0.0.1",
                                               "smtp_ca_file": tmp_path / "nowhere.pem"}))
