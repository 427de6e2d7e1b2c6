"""customer statuses keep the day of the last visit, not the days since it: those moved
for every customer each night, and every row was rewritten for them; they are counted
when a status is read. The day is the one of the last computation, in UTC, less the days
since then (the shop's zone is not known here): a day off at most, until the next pass
writes the row again.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07 10:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def _day(column: str) -> str:
    """The UTC day number (days since 1970-01-01) of a time column, in SQL."""
    if op.get_context().dialect.name == "postgresql":
        return f"CAST(floor(date_part('epoch', {column}) / 86400) AS INTEGER)"
    return f"CAST(floor(julianday({column}) - 2440587.5) AS INTEGER)"


def _replace(old: str, new: str, value: str) -> None:
    """Column `old` of the statuses replaced by `new`, holding `value` where `old` was set."""
    with op.batch_alter_table('customer_status', schema=None) as batch_op:
        batch_op.add_column(sa.Column(new, sa.Integer(), nullable=True))
    op.execute(f"UPDATE customer_status SET {new} = {value} WHERE {old} IS NOT NULL")
    with op.batch_alter_table('customer_status', schema=None) as batch_op:
        batch_op.drop_column(old)


def upgrade() -> None:
    _replace('days_since', 'last_visit_day', f"{_day('computed_at')} - days_since")


def downgrade() -> None:
    _replace('last_visit_day', 'days_since', f"{_day('computed_at')} - last_visit_day")
