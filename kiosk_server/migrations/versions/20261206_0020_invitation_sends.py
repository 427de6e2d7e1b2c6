"""invitation sends: each guest's invitation queued once per round, and the send requests

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 18:36:36
"""
import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import kiosk_server.core.types

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('invitation_send_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('request_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('send_to', sa.Enum('unsent', 'all', name='sendto', native_enum=False, length=32), nullable=False),
    sa.Column('again', sa.Boolean(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('queued', sa.Integer(), nullable=False),
    sa.Column('unreachable', sa.Integer(), nullable=False),
    sa.Column('next_invitation_id', sa.Integer(), nullable=False),
    sa.Column('created_at', kiosk_server.core.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', kiosk_server.core.types.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id', 'request_key', name='uq_invitation_send_request')
    )
    with op.batch_alter_table('invitation_send_runs', schema=None) as batch_op:
        batch_op.create_index('uq_invitation_send_running', ['event_id'], unique=True, sqlite_where=sa.text('finished_at IS NULL'), postgresql_where=sa.text('finished_at IS NULL'))

    op.create_table('invitation_sends',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.Enum('email', 'sms', name='channel', native_enum=False, length=32), nullable=True),
    sa.Column('created_at', kiosk_server.core.types.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], ),
    sa.ForeignKeyConstraint(['invitation_id'], ['invitations.id'], ),
    sa.ForeignKeyConstraint(['run_id'], ['invitation_send_runs.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('invitation_id', 'round', name='uq_invitation_send_round')
    )
    with op.batch_alter_table('invitation_sends', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_sends_event_id'), ['event_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('invitation_sends', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitation_sends_event_id'))

    op.drop_table('invitation_sends')
    with op.batch_alter_table('invitation_send_runs', schema=None) as batch_op:
        batch_op.drop_index('uq_invitation_send_running', sqlite_where=sa.text('finished_at IS NULL'), postgresql_where=sa.text('finished_at IS NULL'))

    op.drop_table('invitation_send_runs')
