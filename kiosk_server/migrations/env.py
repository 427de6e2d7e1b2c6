"""Alembic environment: the URL comes from the caller or from the Kiosk settings."""

from alembic import context

from kiosk_server.core.config import Settings
from kiosk_server.core.db import create_db_engine
from kiosk_server.models import metadata

config = context.config


def _url() -> str:
    return config.attributes.get("database_url") or Settings().resolved_database_url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=metadata, literal_binds=True,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = create_db_engine(_url())
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata,
                          render_as_batch=connection.dialect.name == "sqlite",
                          compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
