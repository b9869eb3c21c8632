"""Answer feedback keeps the newest press: the press's Slack action_ts (microseconds) beside each vote.

Revision ID: 0011
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration (a column the app already created at start-up is left as it is)."""
    if 'action_ts_us' not in {c['name'] for c in sa.inspect(op.get_bind()).get_columns('answer_feedback')}:
        with op.batch_alter_table('answer_feedback', schema=None) as batch_op:
            batch_op.add_column(sa.Column('action_ts_us', sa.BigInteger(), server_default='0', nullable=False))


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table('answer_feedback', schema=None) as batch_op:
        batch_op.drop_column('action_ts_us')
