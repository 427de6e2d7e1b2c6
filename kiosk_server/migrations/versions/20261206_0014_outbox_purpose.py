"""outbox purpose: each message says whether it is a service message or marketing

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 16:45:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every message queued so far was a service message (a new member's card).
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purpose', sa.Enum('service', 'marketing', name='purpose', native_enum=False, length=32), nullable=False, server_default='service'))


def downgrade() -> None:
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('purpose')
