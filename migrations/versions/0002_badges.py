"""Verified badges: one row per employee and earned Open Badge (2.0 or 3.0).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table('badge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('fingerprint', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('format', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('credential_uid', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('achievement', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('achievement_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('issuer', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('issuer_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('credential_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('enrolment_id', sa.Integer(), nullable=True),
    sa.Column('skills', sa.JSON(), nullable=False),
    sa.Column('source_url', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('verified_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['credential_id'], ['credential.id'], ),
    sa.ForeignKeyConstraint(['employee_id'], ['employee.user_id'], ),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolment.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('employee_id', 'fingerprint', name='uq_badge_employee_fingerprint')
    )
    op.create_index(op.f('ix_badge_credential_id'), 'badge', ['credential_id'], unique=False)
    op.create_index(op.f('ix_badge_employee_id'), 'badge', ['employee_id'], unique=False)



def downgrade() -> None:
    """Revert this migration."""
    op.drop_index(op.f('ix_badge_employee_id'), table_name='badge')
    op.drop_index(op.f('ix_badge_credential_id'), table_name='badge')

    op.drop_table('badge')
