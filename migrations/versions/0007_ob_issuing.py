"""Open Badges issuing: the credentials Badger signed, one per earned enrolment, with their revocation.

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration (a table the app already created at start-up is left as it is)."""
    if 'issued_credential' in set(sa.inspect(op.get_bind()).get_table_names()):
        return
    op.create_table('issued_credential',
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('uid', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('credential_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('achievement', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('proof_format', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('token', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('issued_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('revoked_by', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('revocation_reason', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['credential_id'], ['credential.id'], ),
    sa.ForeignKeyConstraint(['employee_id'], ['employee.user_id'], ),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolment.id'], ),
    sa.PrimaryKeyConstraint('seq'),
    sa.UniqueConstraint('enrolment_id', name='uq_issued_credential_enrolment'),
    sa.UniqueConstraint('uid', name='uq_issued_credential_uid')
    )
    with op.batch_alter_table('issued_credential', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issued_credential_credential_id'), ['credential_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_issued_credential_employee_id'), ['employee_id'], unique=False)


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table('issued_credential', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issued_credential_employee_id'))
        batch_op.drop_index(batch_op.f('ix_issued_credential_credential_id'))
    op.drop_table('issued_credential')
