"""Search: entries an admin hid from search; each person's language.

Revision ID: 0008
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration (a table the app already created at start-up is left as it is)."""
    if 'hidden_credential' not in set(sa.inspect(op.get_bind()).get_table_names()):
        op.create_table('hidden_credential',
        sa.Column('credential_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('hidden_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('credential_id')
        )
    if 'language' not in {c['name'] for c in sa.inspect(op.get_bind()).get_columns('employee')}:
        with op.batch_alter_table('employee', schema=None) as batch_op:
            batch_op.add_column(sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True))


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table('employee', schema=None) as batch_op:
        batch_op.drop_column('language')
    op.drop_table('hidden_credential')
