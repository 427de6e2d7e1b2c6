"""Running the Alembic migrations: the only way the schema is created or changed.

The migration scripts live inside the package (`kiosk_server/migrations/`), so an
installed wheel migrates without the source tree. `alembic.ini` at the root is for
developers writing a new migration with the `alembic` command."""

from pathlib import Path

from alembic import command
from alembic.config import Config

from kiosk_server.core.files import private_sqlite

SCRIPTS = Path(__file__).resolve().parents[1] / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database at `database_url` to `revision`."""
    private_sqlite(database_url)
    command.upgrade(alembic_config(database_url), revision)
