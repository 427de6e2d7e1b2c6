"""Running the Alembic migrations: the only way the schema is created or changed."""

from pathlib import Path

from alembic.config import Config

from alembic import command
from kiosk_server.core.files import private_sqlite

ROOT = Path(__file__).resolve().parents[2]


def alembic_config(database_url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database at `database_url` to `revision`."""
    private_sqlite(database_url)
    command.upgrade(alembic_config(database_url), revision)
