"""audit log: who changed what, and when

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 13:20:00
"""
import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import kiosk_server.core.types

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'audit_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', kiosk_server.core.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=True),
        sa.Column('staff_username', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('target_type', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('target_id', sa.Integer(), nullable=True),
        sa.Column('details', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['staff_id'], ['staff_users.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index('ix_audit_target', ['target_type', 'target_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_staff_id'), ['staff_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entries_staff_id'))
        batch_op.drop_index('ix_audit_target')
    op.drop_table('audit_entries')
