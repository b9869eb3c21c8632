"""The L&D console: sign-in sessions, used one-time links, pending uploads, team budgets, talent opt-outs,
admin actions.

Revision ID: 0009
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration (tables the app already created at start-up are left as they are)."""
    tables = set(sa.inspect(op.get_bind()).get_table_names())
    if 'ix_enrolmentevent_at' not in {i['name'] for i in sa.inspect(op.get_bind()).get_indexes('enrolmentevent')}:
        with op.batch_alter_table('enrolmentevent', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_enrolmentevent_at'), ['at'], unique=False)

    if 'admin_action' not in tables:
        op.create_table('admin_action',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('actor_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('detail', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id')
        )
        with op.batch_alter_table('admin_action', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_admin_action_actor_id'), ['actor_id'], unique=False)
            batch_op.create_index(batch_op.f('ix_admin_action_at'), ['at'], unique=False)

    if 'console_link_use' not in tables:
        op.create_table('console_link_use',
        sa.Column('link_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('used_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('link_id')
        )

    if 'console_upload' not in tables:
        op.create_table('console_upload',
        sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('replace', sa.Boolean(), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id')
        )

    if 'team_budget' not in tables:
        op.create_table('team_budget',
        sa.Column('team', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('amount', sa.Float(), nullable=False),
        sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('team')
        )

    if 'console_session' not in tables:
        op.create_table('console_session',
        sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('csrf_token', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['employee.user_id'], ),
        sa.PrimaryKeyConstraint('token_hash')
        )
        with op.batch_alter_table('console_session', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_console_session_expires_at'), ['expires_at'], unique=False)
            batch_op.create_index(batch_op.f('ix_console_session_user_id'), ['user_id'], unique=False)

    if 'talent_opt_out' not in tables:
        op.create_table('talent_opt_out',
        sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['employee.user_id'], ),
        sa.PrimaryKeyConstraint('user_id')
        )


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table('enrolmentevent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrolmentevent_at'))
    op.drop_table('talent_opt_out')
    with op.batch_alter_table('console_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_console_session_user_id'))
        batch_op.drop_index(batch_op.f('ix_console_session_expires_at'))

    op.drop_table('console_session')
    op.drop_table('team_budget')
    op.drop_table('console_upload')
    op.drop_table('console_link_use')
    with op.batch_alter_table('admin_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_admin_action_at'))
        batch_op.drop_index(batch_op.f('ix_admin_action_actor_id'))

    op.drop_table('admin_action')
