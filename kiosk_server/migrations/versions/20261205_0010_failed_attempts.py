"""failed sign-in and pairing attempts, counted to slow guessing

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 23:36:35
"""
import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import kiosk_server.core.types

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('failed_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('at', kiosk_server.core.types.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('failed_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_failed_attempts_at'), ['at'], unique=False)
        batch_op.create_index('ix_failed_attempts_key_at', ['key', 'at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('failed_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_failed_attempts_key_at')
        batch_op.drop_index(batch_op.f('ix_failed_attempts_at'))

    op.drop_table('failed_attempts')
