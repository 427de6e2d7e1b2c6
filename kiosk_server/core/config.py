"""Settings: one object, read from `KIOSK_*` environment variables, passed to `create_app`."""

import os
import secrets
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from kiosk_server.core.files import private_dir

SECRET_FILE_NAME = "secret_key"
MIN_SECRET_LENGTH = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KIOSK_", extra="ignore")

    data_dir: Path = Path("./kiosk-data")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: a SQLite file in the data directory"
    )
    secret_key: str | None = Field(
        default=None,
        description="signs QR tokens; default: generated once into the data directory (0600)",
    )
    redis_url: str | None = None
    public_url: str = "http://localhost:8000"
    session_days: int = 14
    sqlite_busy_timeout_ms: int = 5000
    business_name: str = "Kiosk"
    brand_primary: str = Field(default="#0b4f8a", pattern=r"^#[0-9a-fA-F]{6}$",
                               description="main colour of cards, invitations and badges")
    brand_accent: str = Field(default="#e8a317", pattern=r"^#[0-9a-fA-F]{6}$",
                              description="second colour of cards, invitations and badges")
    brand_logo: Path | None = Field(default=None, description="a PNG or JPEG logo for them")
    timezone: str = Field(default="Asia/Ho_Chi_Minh", description="for times shown to people")
    loyalty_vnd_per_point: int = Field(default=10_000, ge=1, le=100_000_000,
                                       description="a purchase earns 1 point per this many VND")
    loyalty_tiers: str = Field(
        default="Thành viên:0,Bạc:5000000,Vàng:20000000",
        pattern=r"^[^:,]+:0(,[^:,]+:\d{1,13})*$",
        description="name:threshold pairs on the last 12 months' spend in VND, lowest first",
    )
    smtp_host: str | None = Field(
        default=None, description="mail server; unset: messages wait in the outbox, unsent"
    )
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = Field(default=True, description="require STARTTLS (port 587)")
    smtp_tls: bool = Field(default=False,
                           description="TLS from the first byte (port 465), instead of STARTTLS")
    smtp_ca_file: Path | None = Field(
        default=None, description="CA certificates (PEM) to trust for the mail server's "
                                  "certificate instead of the system's (a company's own CA)")
    smtp_timeout_s: float = Field(default=30.0, gt=0, le=600)
    mail_from: str = Field(default="Kiosk <no-reply@localhost>",
                           description="the From of every e-mail")
    email_per_second: float = Field(
        default=0, ge=0, le=10_000, description="at most this many e-mails a second (a mail "
                                                "provider's limit); 0: no limit")
    sms_per_second: float = Field(default=0, ge=0, le=10_000,
                                  description="at most this many phone messages a second; "
                                              "0: no limit")
    webhook_url: str | None = Field(
        default=None, pattern=r"^https?://[^\s]+$",
        description="where phone messages (SMS, Zalo) are POSTed as signed JSON, to the "
                    "shop's gateway; unset: they wait in the outbox, unsent")
    webhook_secret: SecretStr | None = Field(
        default=None, description=f"signs each webhook request (HMAC-SHA256); "
                                  f"{MIN_SECRET_LENGTH}+ characters, required with the URL")
    webhook_timeout_s: float = Field(default=10.0, gt=0, le=120,
                                     description="how long to wait for the gateway's answer")

    def webhook_key(self) -> bytes:
        """The webhook's signing secret as bytes; refused when missing or short."""
        secret = self.webhook_secret.get_secret_value() if self.webhook_secret else ""
        if len(secret) < MIN_SECRET_LENGTH:
            raise ValueError(f"KIOSK_WEBHOOK_SECRET needs {MIN_SECRET_LENGTH}+ characters "
                             f"when KIOSK_WEBHOOK_URL is set")
        return secret.encode()

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'kiosk.db').resolve()}"

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def signing_key(self) -> bytes:
        """The server secret as bytes: from the environment, else from (or into) the data dir."""
        if self.secret_key:
            if len(self.secret_key) < MIN_SECRET_LENGTH:
                raise ValueError(f"KIOSK_SECRET_KEY needs {MIN_SECRET_LENGTH}+ characters")
            return self.secret_key.encode()
        return load_or_create_secret(self.data_dir).encode()


def load_or_create_secret(data_dir: Path) -> str:
    """Read the data directory's secret, creating it (0600, never overwritten) on first use."""
    private_dir(data_dir)
    path = data_dir / SECRET_FILE_NAME
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
