"""customer tags (vip...), manual check-ins, and kiosk timing reports on scans

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 13:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tags', sa.JSON(), nullable=False, server_default='[]'))
    with op.batch_alter_table('scans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('manual', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('idle_ms', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('result_ms', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('scans', schema=None) as batch_op:
        batch_op.drop_column('result_ms')
        batch_op.drop_column('idle_ms')
        batch_op.drop_column('manual')
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_column('tags')
