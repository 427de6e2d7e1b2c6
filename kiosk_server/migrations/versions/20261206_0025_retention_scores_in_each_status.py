"""retention scores in each status: the model's chance that the customer is still one, the
visits it expects in 90 days, and the customer's usual spend per 90 days

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 21:29:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rows written before: a usual spend of 0 and no scores until the next pass.
    with op.batch_alter_table('customer_status', schema=None) as batch_op:
        batch_op.add_column(sa.Column('usual_spend_vnd', sa.BigInteger(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('p_alive', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('expected_visits_90d', sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('customer_status', schema=None) as batch_op:
        batch_op.drop_column('expected_visits_90d')
        batch_op.drop_column('p_alive')
        batch_op.drop_column('usual_spend_vnd')
