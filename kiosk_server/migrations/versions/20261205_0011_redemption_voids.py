"""redemption voids: a redemption given back keeps its row, with who voided it, when and why

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 23:42:50
"""
import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import kiosk_server.core.types

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('redemptions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('voided_at', kiosk_server.core.types.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('voided_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('void_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False, server_default=''))
        batch_op.create_foreign_key('fk_redemptions_voided_by', 'staff_users', ['voided_by'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('redemptions', schema=None) as batch_op:
        batch_op.drop_constraint('fk_redemptions_voided_by', type_='foreignkey')
        batch_op.drop_column('void_reason')
        batch_op.drop_column('voided_by')
        batch_op.drop_column('voided_at')
