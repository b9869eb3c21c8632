"""Conversation memory: the last turns of each (user, channel, thread).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration (a no-op when the app already created the table at start-up)."""
    if 'conversation_turn' in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table('conversation_turn',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('user_text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('reply_text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('state', sa.JSON(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_conversation_turn_conversation'), 'conversation_turn', ['conversation'], unique=False)
    op.create_index(op.f('ix_conversation_turn_created_at'), 'conversation_turn', ['created_at'], unique=False)


def downgrade() -> None:
    """Revert this migration."""
    op.drop_index(op.f('ix_conversation_turn_created_at'), table_name='conversation_turn')
    op.drop_index(op.f('ix_conversation_turn_conversation'), table_name='conversation_turn')
    op.drop_table('conversation_turn')
