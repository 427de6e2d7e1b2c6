"""feedback answers and the complaint queue: one answer per visit, complaints with a status
(open, contacted, resolved), where they came from, and each change of status

Complaints resolved before this keep their resolution and are marked resolved, with one
step saying so.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 16:27:06
"""
import sqlalchemy as sa
from alembic import op

import kiosk_server.core.types

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('visit_rating', sa.Integer(), nullable=False),
    sa.Column('staff_rating', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('answered_at', kiosk_server.core.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', kiosk_server.core.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('edits', sa.Integer(), nullable=False),
    sa.CheckConstraint('staff_rating IS NULL OR staff_rating BETWEEN 1 AND 5', name='ck_feedback_staff_rating'),
    sa.CheckConstraint('visit_rating BETWEEN 1 AND 5', name='ck_feedback_visit_rating'),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ),
    sa.ForeignKeyConstraint(['request_id'], ['feedback_requests.id'], ),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_users.id'], ),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('request_id'),
    sa.UniqueConstraint('visit_id')
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index('ix_feedback_staff_answered', ['staff_id', 'answered_at'], unique=False)

    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.Enum('open', 'contacted', 'resolved', name='complaintstatus', native_enum=False, length=32), nullable=False, server_default='open'))
        batch_op.add_column(sa.Column('source', sa.Enum('staff', 'feedback', name='complaintsource', native_enum=False, length=32), nullable=False, server_default='staff'))
        batch_op.add_column(sa.Column('feedback_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_complaints_status', ['status', 'id'], unique=False)
        batch_op.create_unique_constraint('uq_complaints_feedback_id', ['feedback_id'])
        batch_op.create_foreign_key('fk_complaints_feedback_id', 'feedback', ['feedback_id'], ['id'])
    op.execute("UPDATE complaints SET status = 'resolved' WHERE resolved_at IS NOT NULL")
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.alter_column('status', server_default=None)
        batch_op.alter_column('source', server_default=None)

    # Made after the complaints table's last rebuild (SQLite copies a table to change it,
    # which a table pointing at it with rows would forbid).
    op.create_table('complaint_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('open', 'contacted', 'resolved', name='complaintstatus', native_enum=False, length=32), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('at', kiosk_server.core.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['by'], ['staff_users.id'], ),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('complaint_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_steps_complaint_id'), ['complaint_id'], unique=False)

    op.execute("INSERT INTO complaint_steps (complaint_id, status, note, at, by)"
               " SELECT id, 'open', '', opened_at, opened_by FROM complaints")
    op.execute("INSERT INTO complaint_steps (complaint_id, status, note, at, by)"
               " SELECT id, 'resolved', resolution, resolved_at, resolved_by FROM complaints"
               " WHERE resolved_at IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_constraint('fk_complaints_feedback_id', type_='foreignkey')
        batch_op.drop_constraint('uq_complaints_feedback_id', type_='unique')
        batch_op.drop_index('ix_complaints_status')
        batch_op.drop_column('feedback_id')
        batch_op.drop_column('source')
        batch_op.drop_column('status')

    with op.batch_alter_table('complaint_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_steps_complaint_id'))

    op.drop_table('complaint_steps')
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index('ix_feedback_staff_answered')

    op.drop_table('feedback')

