"""the till: points balances, rewards and redemptions, coupons, feedback links, complaints

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 15:17:35
"""
import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import kiosk_server.core.types

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rewards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('points_cost', sa.BigInteger(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', kiosk_server.core.types.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('loyalty_accounts',
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('points', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ),
    sa.PrimaryKeyConstraint('customer_id')
    )
    op.create_table('redemptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('reward_id', sa.Integer(), nullable=False),
    sa.Column('reward_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('points', sa.BigInteger(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('request_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('occurred_at', kiosk_server.core.types.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ),
    sa.ForeignKeyConstraint(['reward_id'], ['rewards.id'], ),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('staff_id', 'request_id', name='uq_redemption_request')
    )
    with op.batch_alter_table('redemptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_redemptions_customer_id'), ['customer_id'], unique=False)

    op.create_table('complaints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('about_staff_id', sa.Integer(), nullable=True),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', kiosk_server.core.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('opened_by', sa.Integer(), nullable=True),
    sa.Column('resolved_at', kiosk_server.core.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('resolved_by', sa.Integer(), nullable=True),
    sa.Column('resolution', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['about_staff_id'], ['staff_users.id'], ),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ),
    sa.ForeignKeyConstraint(['opened_by'], ['staff_users.id'], ),
    sa.ForeignKeyConstraint(['resolved_by'], ['staff_users.id'], ),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.create_index('ix_complaints_customer_open', ['customer_id', 'resolved_at'], unique=False)

    op.create_table('feedback_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('serial', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('issued_at', kiosk_server.core.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('answered_at', kiosk_server.core.types.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_users.id'], ),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('serial'),
    sa.UniqueConstraint('visit_id')
    )
    with op.batch_alter_table('feedback_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_requests_customer_id'), ['customer_id'], unique=False)

    op.create_table('coupons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('serial', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('benefit', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('issued_at', kiosk_server.core.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('issued_by', sa.Integer(), nullable=True),
    sa.Column('expires_at', kiosk_server.core.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('used_at', kiosk_server.core.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('used_by', sa.Integer(), nullable=True),
    sa.Column('used_customer_id', sa.Integer(), nullable=True),
    sa.Column('used_request_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('used_purchase_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ),
    sa.ForeignKeyConstraint(['issued_by'], ['staff_users.id'], ),
    sa.ForeignKeyConstraint(['used_by'], ['staff_users.id'], ),
    sa.ForeignKeyConstraint(['used_customer_id'], ['customers.id'], ),
    sa.ForeignKeyConstraint(['used_purchase_id'], ['purchases.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('serial')
    )
    with op.batch_alter_table('coupons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coupons_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coupons_used_purchase_id'), ['used_purchase_id'],
                              unique=False)

    with op.batch_alter_table('purchases', schema=None) as batch_op:
        batch_op.drop_index('ix_purchases_customer_time')
        batch_op.create_index('ix_purchases_customer_spend',
                              ['customer_id', 'occurred_at', 'amount_vnd', 'voided_at'],
                              unique=False)
        batch_op.add_column(sa.Column('visit_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_purchases_visit_id', 'visits', ['visit_id'], ['id'])

    # Purchases recorded before: their visit, and the balance their points make.
    op.execute("UPDATE purchases SET visit_id = (SELECT v.id FROM visits v WHERE "
               "v.kind = 'purchase' AND v.source_id = purchases.id)")
    op.execute("INSERT INTO loyalty_accounts (customer_id, points) SELECT customer_id, "
               "SUM(points) FROM purchases WHERE voided_at IS NULL GROUP BY customer_id")



def downgrade() -> None:
    with op.batch_alter_table('purchases', schema=None) as batch_op:
        batch_op.drop_constraint('fk_purchases_visit_id', type_='foreignkey')
        batch_op.drop_column('visit_id')
        batch_op.drop_index('ix_purchases_customer_spend')
        batch_op.create_index('ix_purchases_customer_time', ['customer_id', 'occurred_at'],
                              unique=False)

    with op.batch_alter_table('coupons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coupons_used_purchase_id'))
        batch_op.drop_index(batch_op.f('ix_coupons_customer_id'))

    op.drop_table('coupons')
    with op.batch_alter_table('feedback_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_requests_customer_id'))

    op.drop_table('feedback_requests')
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_index('ix_complaints_customer_open')

    op.drop_table('complaints')
    with op.batch_alter_table('redemptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_redemptions_customer_id'))

    op.drop_table('redemptions')
    op.drop_table('loyalty_accounts')
    op.drop_table('rewards')
