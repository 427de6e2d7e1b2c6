"""purchases: sales to known customers, with the points they earn

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 14:35:00
"""
import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import kiosk_server.core.types

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'purchases',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('amount_vnd', sa.BigInteger(), nullable=False),
        sa.Column('points', sa.BigInteger(), nullable=False),
        sa.Column('items', sa.Text(), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=True),
        sa.Column('request_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('occurred_at', kiosk_server.core.types.UtcDateTime(timezone=True),
                  nullable=False),
        sa.Column('voided_at', kiosk_server.core.types.UtcDateTime(timezone=True),
                  nullable=True),
        sa.Column('voided_by', sa.Integer(), nullable=True),
        sa.Column('void_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ),
        sa.ForeignKeyConstraint(['staff_id'], ['staff_users.id'], ),
        sa.ForeignKeyConstraint(['voided_by'], ['staff_users.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('staff_id', 'request_id', name='uq_purchase_request'),
    )
    with op.batch_alter_table('purchases', schema=None) as batch_op:
        batch_op.create_index('ix_purchases_customer_time', ['customer_id', 'occurred_at'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('purchases', schema=None) as batch_op:
        batch_op.drop_index('ix_purchases_customer_time')
    op.drop_table('purchases')
