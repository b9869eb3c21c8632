"""Recognition and jobs: per-team shoutout channels, the scheduler lease, timezones synced from Slack.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration (tables the app already created at start-up are left as they are)."""
    tables = set(sa.inspect(op.get_bind()).get_table_names())
    if 'scheduler_lock' not in tables:
        _create_scheduler_lock()
    if 'team_setting' not in tables:
        _create_team_setting()
    if 'timezone_synced_at' not in {c['name'] for c in sa.inspect(op.get_bind()).get_columns('employee')}:
        with op.batch_alter_table('employee', schema=None) as batch_op:
            batch_op.add_column(sa.Column('timezone_synced_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def _create_scheduler_lock() -> None:
    op.create_table('scheduler_lock',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('holder', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )


def _create_team_setting() -> None:
    op.create_table('team_setting',
    sa.Column('team', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('shoutout_channel', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('team')
    )


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table('employee', schema=None) as batch_op:
        batch_op.drop_column('timezone_synced_at')

    op.drop_table('team_setting')
    op.drop_table('scheduler_lock')
