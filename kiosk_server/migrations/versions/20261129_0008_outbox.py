"""outbox: e-mail messages written with their cause and delivered by a worker

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 15:00:00
"""
import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import kiosk_server.core.types

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'outbox_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.Enum('email', name='channel', native_enum=False, length=32),
                  nullable=False),
        sa.Column('to_address', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column('body_text', sa.Text(), nullable=False),
        sa.Column('body_html', sa.Text(), nullable=False),
        sa.Column('status', sa.Enum('pending', 'sending', 'sent', 'failed', name='messagestatus',
                                    native_enum=False, length=32), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column('created_at', kiosk_server.core.types.UtcDateTime(timezone=True),
                  nullable=False),
        sa.Column('next_attempt_at', kiosk_server.core.types.UtcDateTime(timezone=True),
                  nullable=False),
        sa.Column('claimed_at', kiosk_server.core.types.UtcDateTime(timezone=True),
                  nullable=True),
        sa.Column('sent_at', kiosk_server.core.types.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_due', ['status', 'next_attempt_at'], unique=False)
    op.create_table(
        'outbox_images',
        sa.Column('message_id', sa.Integer(), nullable=False),
        sa.Column('cid', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['message_id'], ['outbox_messages.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('message_id', 'cid'),
    )


def downgrade() -> None:
    op.drop_table('outbox_images')
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_due')
    op.drop_table('outbox_messages')
