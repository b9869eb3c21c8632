"""Initial schema: the catalogue, people, role skill profiles, enrolments, their audit trail, the outbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table('credential',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('provider', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('skills', sa.JSON(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('duration_hours', sa.Float(), nullable=True),
    sa.Column('cost', sa.Float(), nullable=True),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('format', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('credential_type', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('badge_image', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.Column('content_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('embed_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('retired_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_credential_provider'), 'credential', ['provider'], unique=False)
    op.create_index(op.f('ix_credential_status'), 'credential', ['status'], unique=False)

    op.create_table('employee',
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('team', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('manager_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('timezone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('is_admin', sa.Boolean(), nullable=False),
    sa.Column('shoutout_opt_out', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['manager_id'], ['employee.user_id'], ),
    sa.PrimaryKeyConstraint('user_id')
    )
    op.create_index(op.f('ix_employee_manager_id'), 'employee', ['manager_id'], unique=False)
    op.create_index(op.f('ix_employee_team'), 'employee', ['team'], unique=False)

    op.create_table('roleskill',
    sa.Column('role_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('skill_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('skill', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('role_key', 'skill_key')
    )
    op.create_table('enrolment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('credential_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('nominated_by', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('nomination_reason', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('decided_by', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('decision_reason', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.Column('milestones', sa.JSON(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('earned_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('badge_url', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('badge_verified_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('last_reminded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['credential_id'], ['credential.id'], ),
    sa.ForeignKeyConstraint(['decided_by'], ['employee.user_id'], ),
    sa.ForeignKeyConstraint(['employee_id'], ['employee.user_id'], ),
    sa.ForeignKeyConstraint(['nominated_by'], ['employee.user_id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_enrolment_credential_id'), 'enrolment', ['credential_id'], unique=False)
    op.create_index(op.f('ix_enrolment_employee_id'), 'enrolment', ['employee_id'], unique=False)
    op.create_index('ix_enrolment_state_due', 'enrolment', ['state', 'due_date'], unique=False)
    op.create_index('uq_enrolment_active', 'enrolment', ['employee_id', 'credential_id'], unique=True, sqlite_where=sa.text("state IN ('nominated', 'requested', 'approved', 'in_progress', 'completed')"), postgresql_where=sa.text("state IN ('nominated', 'requested', 'approved', 'in_progress', 'completed')"))

    op.create_table('enrolmentevent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('from_state', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('to_state', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['employee.user_id'], ),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolment.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_enrolmentevent_enrolment_id'), 'enrolmentevent', ['enrolment_id'], unique=False)

    op.create_table('notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('recipient_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('idempotency_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('message_ts', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolment.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idempotency_key')
    )
    op.create_index(op.f('ix_notice_enrolment_id'), 'notice', ['enrolment_id'], unique=False)
    op.create_index(op.f('ix_notice_recipient_id'), 'notice', ['recipient_id'], unique=False)
    op.create_index(op.f('ix_notice_status'), 'notice', ['status'], unique=False)



def downgrade() -> None:
    """Revert this migration."""
    op.drop_index(op.f('ix_notice_status'), table_name='notice')
    op.drop_index(op.f('ix_notice_recipient_id'), table_name='notice')
    op.drop_index(op.f('ix_notice_enrolment_id'), table_name='notice')

    op.drop_table('notice')
    op.drop_index(op.f('ix_enrolmentevent_enrolment_id'), table_name='enrolmentevent')

    op.drop_table('enrolmentevent')
    op.drop_index('uq_enrolment_active', table_name='enrolment')
    op.drop_index('ix_enrolment_state_due', table_name='enrolment')
    op.drop_index(op.f('ix_enrolment_employee_id'), table_name='enrolment')
    op.drop_index(op.f('ix_enrolment_credential_id'), table_name='enrolment')

    op.drop_table('enrolment')
    op.drop_table('roleskill')
    op.drop_index(op.f('ix_employee_team'), table_name='employee')
    op.drop_index(op.f('ix_employee_manager_id'), table_name='employee')

    op.drop_table('employee')
    op.drop_index(op.f('ix_credential_status'), table_name='credential')
    op.drop_index(op.f('ix_credential_provider'), table_name='credential')

    op.drop_table('credential')
