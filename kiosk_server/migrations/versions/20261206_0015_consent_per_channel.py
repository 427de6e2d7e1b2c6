"""consent per channel: marketing consent for e-mail and for SMS/Zalo, a preferred channel,
and the history of every change; the old single yes/no becomes e-mail consent

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 17:05:00
"""
import sqlalchemy as sa
from alembic import op

import kiosk_server.core.types

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

_CHANNEL = sa.Enum('email', 'sms', name='channel', native_enum=False, length=32)


def upgrade() -> None:
    op.create_table(
        'consent_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('channel', _CHANNEL, nullable=False),
        sa.Column('purpose', sa.Enum('service', 'marketing', name='purpose', native_enum=False, length=32), nullable=False),
        sa.Column('granted', sa.Boolean(), nullable=False),
        sa.Column('source', sa.Enum('till', 'portal', 'poster', 'import', 'staff', 'migration', name='consentsource', native_enum=False, length=32), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=True),
        sa.Column('occurred_at', kiosk_server.core.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ),
        sa.ForeignKeyConstraint(['staff_id'], ['staff_users.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('consent_changes', schema=None) as batch_op:
        batch_op.create_index('ix_consent_changes_customer', ['customer_id', 'occurred_at'], unique=False)
    # Plain ALTERs, not a batch: rebuilding `customers` on SQLite would break the rows that
    # point at it (visits, cards, consent changes).
    op.add_column('customers', sa.Column('consent_email', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('customers', sa.Column('consent_sms', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('customers', sa.Column('preferred_channel', _CHANNEL, nullable=True))
    # The single "agreed to be contacted" of earlier versions was asked next to the e-mail
    # address: it carries over as e-mail marketing consent, and its history says so.
    customers = sa.table('customers', sa.column('id', sa.Integer()),
                         sa.column('contact_consent', sa.Boolean()),
                         sa.column('consent_email', sa.Boolean()))
    op.execute(customers.update().where(customers.c.contact_consent == sa.true())
               .values(consent_email=sa.true()))
    agreed = op.get_bind().execute(sa.select(customers.c.id)
                                   .where(customers.c.contact_consent == sa.true())).scalars()
    changes = sa.table('consent_changes', sa.column('customer_id', sa.Integer()),
                       sa.column('channel', sa.String()), sa.column('purpose', sa.String()),
                       sa.column('granted', sa.Boolean()), sa.column('source', sa.String()),
                       sa.column('occurred_at', kiosk_server.core.types.UtcDateTime(timezone=True)))
    now = kiosk_server.core.types.utcnow()
    op.bulk_insert(changes, [{'customer_id': customer_id, 'channel': 'email', 'purpose': 'marketing',
                              'granted': True, 'source': 'migration', 'occurred_at': now}
                             for customer_id in agreed])
    op.drop_column('customers', 'contact_consent')


def downgrade() -> None:
    op.add_column('customers', sa.Column('contact_consent', sa.Boolean(), nullable=False, server_default=sa.false()))
    customers = sa.table('customers', sa.column('contact_consent', sa.Boolean()),
                         sa.column('consent_email', sa.Boolean()))
    op.execute(customers.update().values(contact_consent=customers.c.consent_email))
    for column in ('preferred_channel', 'consent_sms', 'consent_email'):
        op.drop_column('customers', column)
    with op.batch_alter_table('consent_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_consent_changes_customer')
    op.drop_table('consent_changes')
