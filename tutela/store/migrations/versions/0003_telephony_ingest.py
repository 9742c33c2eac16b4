"""telephony ingest: call keys, raw caller ids, shredding, tombstones, ingest runs

Policy clauses: collect.service_use.call_records (every call, its rows grouped
by call), collect.service_use.voicemail (kept until the customer deletes it;
deletion shreds the audio and leaves a tombstone so re-ingest does not bring
it back), collect.service_use.call_recordings (all-party-consent flag).

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("call_records") as batch:
        batch.add_column(sa.Column("clid_raw", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("call_key", sa.String(length=150), nullable=True))
        batch.drop_index("ix_call_records_linkedid")
    op.execute(
        "UPDATE call_records SET call_key = COALESCE(linkedid, uniqueid, dedupe_key)"
    )
    with op.batch_alter_table("call_records") as batch:
        batch.alter_column(
            "call_key", existing_type=sa.String(length=150), nullable=False
        )
        batch.create_index(
            "ix_call_records_account_call", ["account_id", "call_key"], unique=False
        )

    with op.batch_alter_table("blobs") as batch:
        batch.add_column(
            sa.Column("shredded_at", sa.DateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("voicemails") as batch:
        batch.add_column(sa.Column("context", sa.String(length=80), nullable=True))
        batch.add_column(
            sa.Column("caller_extension", sa.String(length=10), nullable=True)
        )

    with op.batch_alter_table("call_recordings") as batch:
        batch.add_column(
            sa.Column(
                "all_party_consent",
                sa.Boolean(),
                server_default=sa.false(),
                nullable=False,
            )
        )

    op.create_table(
        "voicemail_tombstones",
        sa.Column("id", _ID, nullable=False),
        sa.Column("account_id", _ID, nullable=False),
        sa.Column("key_digest", sa.String(length=64), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_digest"),
    )
    with op.batch_alter_table("voicemail_tombstones") as batch:
        batch.create_index(
            "ix_voicemail_tombstones_account_id", ["account_id"], unique=False
        )

    op.create_table(
        "ingest_runs",
        sa.Column("id", _ID, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("source_name", sa.String(length=500), nullable=False),
        sa.Column("source_format", sa.String(length=24), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("read", sa.BigInteger(), nullable=False),
        sa.Column("stored", sa.BigInteger(), nullable=False),
        sa.Column("duplicate", sa.BigInteger(), nullable=False),
        sa.Column("rejected", sa.BigInteger(), nullable=False),
        sa.Column("quarantine_path", sa.String(length=500), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("ingest_runs")
    with op.batch_alter_table("voicemail_tombstones") as batch:
        batch.drop_index("ix_voicemail_tombstones_account_id")
    op.drop_table("voicemail_tombstones")
    with op.batch_alter_table("call_recordings") as batch:
        batch.drop_column("all_party_consent")
    with op.batch_alter_table("voicemails") as batch:
        batch.drop_column("caller_extension")
        batch.drop_column("context")
    with op.batch_alter_table("blobs") as batch:
        batch.drop_column("shredded_at")
    with op.batch_alter_table("call_records") as batch:
        batch.drop_index("ix_call_records_account_call")
        batch.drop_column("call_key")
        batch.drop_column("clid_raw")
        batch.create_index("ix_call_records_linkedid", ["linkedid"], unique=False)
