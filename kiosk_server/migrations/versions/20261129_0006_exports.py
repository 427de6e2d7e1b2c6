"""exports: batches of an event's badges or invitations, made off the request path

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 13:50:00
"""
import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import kiosk_server.core.types

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'exports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('badges_pdf', 'badge_sheets_pdf', 'badges_zip',
                                  'invitations_pdf', 'invitations_zip', name='exportkind',
                                  native_enum=False, length=32), nullable=False),
        sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', name='exportstatus',
                                    native_enum=False, length=32), nullable=False),
        sa.Column('done', sa.Integer(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('file_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column('worker', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', kiosk_server.core.types.UtcDateTime(timezone=True),
                  nullable=False),
        sa.Column('finished_at', kiosk_server.core.types.UtcDateTime(timezone=True),
                  nullable=True),
        sa.ForeignKeyConstraint(['created_by'], ['staff_users.id'], ),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('exports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exports_event_id'), ['event_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('exports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exports_event_id'))
    op.drop_table('exports')
