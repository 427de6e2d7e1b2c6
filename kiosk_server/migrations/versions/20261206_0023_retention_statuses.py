"""retention statuses: the thresholds (one row), each customer's status with the figures of
its reason, and the status changes campaigns read

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 19:35:02
"""
import sqlalchemy as sa
from alembic import op

import kiosk_server.core.types

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('customer_status',
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('new', 'active', 'watch', 'at_risk', 'lapsed', name='status', native_enum=False, length=32), nullable=False),
    sa.Column('reason', sa.Enum('few_visits', 'on_rhythm', 'overdue', 'spend_down', 'long_absence', name='reason', native_enum=False, length=32), nullable=False),
    sa.Column('visit_count', sa.Integer(), nullable=False),
    sa.Column('usual_interval_days', sa.Float(), nullable=True),
    sa.Column('days_since', sa.Integer(), nullable=True),
    sa.Column('spend_recent_vnd', sa.BigInteger(), nullable=False),
    sa.Column('spend_before_vnd', sa.BigInteger(), nullable=False),
    sa.Column('changed_at', kiosk_server.core.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('computed_at', kiosk_server.core.types.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ),
    sa.PrimaryKeyConstraint('customer_id')
    )
    with op.batch_alter_table('customer_status', schema=None) as batch_op:
        batch_op.create_index('ix_customer_status_status', ['status', 'customer_id'], unique=False)

    op.create_table('retention_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('min_intervals', sa.Integer(), nullable=False),
    sa.Column('watch_overdue', sa.Float(), nullable=False),
    sa.Column('at_risk_overdue', sa.Float(), nullable=False),
    sa.Column('lapsed_overdue', sa.Float(), nullable=False),
    sa.Column('watch_spend_drop_pct', sa.Integer(), nullable=False),
    sa.Column('at_risk_spend_drop_pct', sa.Integer(), nullable=False),
    sa.Column('lapsed_after_days', sa.Integer(), nullable=False),
    sa.Column('updated_at', kiosk_server.core.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.CheckConstraint('id = 1', name='ck_retention_settings_one_row'),
    sa.ForeignKeyConstraint(['updated_by'], ['staff_users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('status_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.Enum('new', 'active', 'watch', 'at_risk', 'lapsed', name='status', native_enum=False, length=32), nullable=False),
    sa.Column('to_status', sa.Enum('new', 'active', 'watch', 'at_risk', 'lapsed', name='status', native_enum=False, length=32), nullable=False),
    sa.Column('reason', sa.Enum('few_visits', 'on_rhythm', 'overdue', 'spend_down', 'long_absence', name='reason', native_enum=False, length=32), nullable=False),
    sa.Column('changed_at', kiosk_server.core.types.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('status_changes', schema=None) as batch_op:
        batch_op.create_index('ix_status_changes_customer', ['customer_id', 'changed_at'], unique=False)
        batch_op.create_index('ix_status_changes_time', ['changed_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('status_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_status_changes_time')
        batch_op.drop_index('ix_status_changes_customer')

    op.drop_table('status_changes')
    op.drop_table('retention_settings')
    with op.batch_alter_table('customer_status', schema=None) as batch_op:
        batch_op.drop_index('ix_customer_status_status')

    op.drop_table('customer_status')
