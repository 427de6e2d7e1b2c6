"""sign-up by poster: each submission of the form by its client key (a retry acts once), and
invitations marked as walk-ins (made at the gate or on the event's poster)

Invitations made before this were all on the guest list sent beforehand, or made at the
gate for a member's card at a walk-in event: the two cannot be told apart any more, so
they are all kept as not walk-ins.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 19:00:00
"""
import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import kiosk_server.core.types

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('signup_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('fingerprint', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('created_at', kiosk_server.core.types.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('client_key')
    )
    with op.batch_alter_table('signup_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signup_requests_created_at'), ['created_at'], unique=False)

    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('walk_in', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.alter_column('walk_in', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_column('walk_in')
    with op.batch_alter_table('signup_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signup_requests_created_at'))
    op.drop_table('signup_requests')
