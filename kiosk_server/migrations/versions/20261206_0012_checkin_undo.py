"""check-in undo: a scan whose check-in staff undid keeps its row, with who, when, and the
feed update that said so

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 16:10:00
"""
import sqlalchemy as sa
from alembic import op

import kiosk_server.core.types

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('scans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('undone_at', kiosk_server.core.types.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('undone_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('undo_seq', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_scans_undone_by', 'staff_users', ['undone_by'], ['id'])
        batch_op.create_unique_constraint('uq_scan_event_undo_seq', ['event_id', 'undo_seq'])


def downgrade() -> None:
    with op.batch_alter_table('scans', schema=None) as batch_op:
        batch_op.drop_constraint('uq_scan_event_undo_seq', type_='unique')
        batch_op.drop_constraint('fk_scans_undone_by', type_='foreignkey')
        batch_op.drop_column('undo_seq')
        batch_op.drop_column('undone_by')
        batch_op.drop_column('undone_at')
