"""Slack delivery: event de-duplication, answer feedback, and the outbox's claim and back-off columns.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration (tables the app already created at start-up are left as they are)."""
    tables = set(sa.inspect(op.get_bind()).get_table_names())
    if 'answer_feedback' not in tables:
        _create_feedback()
    if 'received_event' not in tables:
        _create_received_event()
    columns = {c['name'] for c in sa.inspect(op.get_bind()).get_columns('notice')}
    with op.batch_alter_table('notice', schema=None) as batch_op:
        if 'channel_id' not in columns:
            batch_op.add_column(sa.Column('channel_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
        if 'next_attempt_at' not in columns:
            batch_op.add_column(sa.Column('next_attempt_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        if 'claimed_at' not in columns:
            batch_op.add_column(sa.Column('claimed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def _create_feedback() -> None:
    op.create_table('answer_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_ref', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('helpful', sa.Boolean(), nullable=False),
    sa.Column('intent', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('citations', sa.JSON(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('answer_ref', 'user_id', name='uq_answer_feedback_answer_user')
    )
    with op.batch_alter_table('answer_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answer_feedback_user_id'), ['user_id'], unique=False)



def _create_received_event() -> None:
    op.create_table('received_event',
    sa.Column('event_id', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('received_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('event_id')
    )
    with op.batch_alter_table('received_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_received_event_received_at'), ['received_at'], unique=False)


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_column('claimed_at')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('channel_id')

    with op.batch_alter_table('received_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_received_event_received_at'))

    op.drop_table('received_event')
    with op.batch_alter_table('answer_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answer_feedback_user_id'))

    op.drop_table('answer_feedback')
