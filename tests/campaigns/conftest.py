"""The real SMTP server of the messaging tests, for campaigns."""

from tests.messaging.conftest import mail_server  # noqa: F401  (a fixture)
