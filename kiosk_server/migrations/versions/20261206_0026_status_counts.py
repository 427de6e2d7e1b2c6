"""status counts: how many customers stood at each status at the end of each day (the
owner's chart of statuses over time; statuses themselves are only kept for now)

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 21:31:06
"""
import sqlalchemy as sa
from alembic import op

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('status_counts',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('new', 'active', 'watch', 'at_risk', 'lapsed', name='status', native_enum=False, length=32), nullable=False),
    sa.Column('customers', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'status')
    )


def downgrade() -> None:
    op.drop_table('status_counts')
