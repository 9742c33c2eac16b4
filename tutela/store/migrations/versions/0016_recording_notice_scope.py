"""recording_notice_scope: what a notice of recording covers

Policy: collect.service_use.call_recordings ("after giving required
notice"). A notice now says what it covers: the one call it was given on
(``scope = 'call'`` with ``call_record_id``), or a standing notice for the
account or one of its numbers (``number_e164``) from ``given_at`` until
``valid_until``. Notices recorded before this revision become standing,
account-wide notices, which is what they were taken to be.

Revision ID: 0016
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("recording_notices", schema=None) as batch:
        batch.add_column(
            sa.Column("scope", sa.String(12), nullable=False, server_default="standing")
        )
        batch.add_column(sa.Column("call_record_id", _ID, nullable=True))
        batch.add_column(sa.Column("number_e164", sa.String(20), nullable=True))
        batch.add_column(
            sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True)
        )
        batch.create_foreign_key(
            "fk_recording_notices_call_record_id_call_records",
            "call_records",
            ["call_record_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_check_constraint(
            "ck_recording_notices_scope", "scope IN ('call', 'standing')"
        )
        batch.create_index(
            batch.f("ix_recording_notices_call_record_id"),
            ["call_record_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("recording_notices", schema=None) as batch:
        batch.drop_index(batch.f("ix_recording_notices_call_record_id"))
        batch.drop_constraint("ck_recording_notices_scope", type_="check")
        batch.drop_constraint(
            "fk_recording_notices_call_record_id_call_records", type_="foreignkey"
        )
        batch.drop_column("valid_until")
        batch.drop_column("number_e164")
        batch.drop_column("call_record_id")
        batch.drop_column("scope")
