"""customer statuses without a foreign key to customers: a status row is written only for
a customer read in the same transaction, and customers are never deleted (an erasure keeps
the row, without the person's data, and deletes their status). The key's check locked
every customer's row for each status written, and made a first pass a fifth slower on
PostgreSQL.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07 10:05:00
"""
from alembic import op

revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None

# SQLite's key has no name: the table is rebuilt without it, found under this one.
_NAMES = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}


def _name() -> str:
    """The key's name: PostgreSQL's own for it, or the one `_NAMES` gives it."""
    return ("customer_status_customer_id_fkey" if op.get_context().dialect.name == "postgresql"
            else "fk_customer_status_customer_id_customers")


def upgrade() -> None:
    with op.batch_alter_table('customer_status', naming_convention=_NAMES) as batch_op:
        batch_op.drop_constraint(_name(), type_='foreignkey')


def downgrade() -> None:
    with op.batch_alter_table('customer_status', naming_convention=_NAMES) as batch_op:
        batch_op.create_foreign_key(_name(), 'customers', ['customer_id'], ['id'])
