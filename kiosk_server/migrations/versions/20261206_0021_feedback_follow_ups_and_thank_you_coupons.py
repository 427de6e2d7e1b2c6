"""feedback follow-ups and thank-you coupons: the shop's follow-up settings (one row), what
the follow-up did about each visit's feedback request, the coupon that thanks an answer
(one per request), and visits by time (the follow-up reads the latest)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 18:37:28
"""
import sqlalchemy as sa
from alembic import op

import kiosk_server.core.types

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('feedback_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('followup_enabled', sa.Boolean(), nullable=False),
    sa.Column('followup_delay_minutes', sa.Integer(), nullable=False),
    sa.Column('followup_enabled_since', kiosk_server.core.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('followup_checked_until', kiosk_server.core.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('thanks_enabled', sa.Boolean(), nullable=False),
    sa.Column('thanks_kind', sa.Enum('amount', 'percent', name='thankskind', native_enum=False, length=32), nullable=False),
    sa.Column('thanks_value', sa.Integer(), nullable=False),
    sa.Column('thanks_valid_days', sa.Integer(), nullable=False),
    sa.Column('updated_at', kiosk_server.core.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.CheckConstraint('followup_delay_minutes BETWEEN 0 AND 10080', name='ck_feedback_settings_delay'),
    sa.CheckConstraint('id = 1', name='ck_feedback_settings_one_row'),
    sa.CheckConstraint('thanks_value > 0', name='ck_feedback_settings_thanks_value'),
    sa.ForeignKeyConstraint(['updated_by'], ['staff_users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('coupons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('thanks_request_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint('uq_coupons_thanks_request_id', ['thanks_request_id'])
        batch_op.create_foreign_key('fk_coupons_thanks_request_id', 'feedback_requests', ['thanks_request_id'], ['id'])

    with op.batch_alter_table('feedback_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('followup', sa.Enum('sent', 'no_consent', 'no_address', 'erased', 'answered', 'reentry', name='followupoutcome', native_enum=False, length=32), nullable=True))
        batch_op.add_column(sa.Column('followup_at', kiosk_server.core.types.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('followup_message_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_feedback_requests_followup_message_id', 'outbox_messages', ['followup_message_id'], ['id'])

    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.create_index('ix_visits_time', ['occurred_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_index('ix_visits_time')

    with op.batch_alter_table('feedback_requests', schema=None) as batch_op:
        batch_op.drop_constraint('fk_feedback_requests_followup_message_id', type_='foreignkey')
        batch_op.drop_column('followup_message_id')
        batch_op.drop_column('followup_at')
        batch_op.drop_column('followup')

    with op.batch_alter_table('coupons', schema=None) as batch_op:
        batch_op.drop_constraint('fk_coupons_thanks_request_id', type_='foreignkey')
        batch_op.drop_constraint('uq_coupons_thanks_request_id', type_='unique')
        batch_op.drop_column('thanks_request_id')

    op.drop_table('feedback_settings')
