"""retention fits: each fit of the return-visit model (BG/NBD) on the shop's visit history,
good or failed; the model in use is the latest good one

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 19:40:00
"""
import sqlalchemy as sa
from alembic import op

import kiosk_server.core.types

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('retention_fits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fitted_at', kiosk_server.core.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('customers', sa.Integer(), nullable=False),
    sa.Column('converged', sa.Boolean(), nullable=False),
    sa.Column('r', sa.Float(), nullable=True),
    sa.Column('alpha', sa.Float(), nullable=True),
    sa.Column('a', sa.Float(), nullable=True),
    sa.Column('b', sa.Float(), nullable=True),
    sa.Column('log_likelihood', sa.Float(), nullable=True),
    sa.Column('utc_offset_seconds', sa.Integer(), nullable=False),
    sa.Column('message', sa.String(length=500), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade() -> None:
    op.drop_table('retention_fits')
