"""erasure: when a customer's personal data was erased, and the coupons and feedback links
that erasure revoked

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 18:50:00
"""
import sqlalchemy as sa
from alembic import op

import kiosk_server.core.types

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTERs, not a batch: rebuilding these tables on SQLite would break the rows
    # that point at them.
    op.add_column('customers', sa.Column('erased_at', kiosk_server.core.types.UtcDateTime(timezone=True), nullable=True))
    op.add_column('coupons', sa.Column('revoked_at', kiosk_server.core.types.UtcDateTime(timezone=True), nullable=True))
    op.add_column('feedback_requests', sa.Column('revoked_at', kiosk_server.core.types.UtcDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    for table, column in (('feedback_requests', 'revoked_at'), ('coupons', 'revoked_at'),
                          ('customers', 'erased_at')):
        op.drop_column(table, column)
