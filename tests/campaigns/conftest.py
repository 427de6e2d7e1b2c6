"""The real SMTP server and SMS gateway of the messaging tests, for campaigns."""

from tests.messaging.conftest import gateway, mail_server  # noqa: F401  (fixtures)
