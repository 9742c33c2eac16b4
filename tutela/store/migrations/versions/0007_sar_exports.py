"""sar_exports: subject access export bundles and single-use download tokens

Policy: rights.access (the export), rights.access.verification (delivered
only by a single-use, expiring link to the verified channel). The zip lives
in the encrypted blob store; tokens are kept as SHA-256 digests only.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sar_exports",
        sa.Column("id", _ID, nullable=False),
        sa.Column("ref", sa.String(length=24), nullable=False),
        sa.Column("case_id", _ID, nullable=False),
        sa.Column("blob_id", sa.String(length=36), nullable=True),
        sa.Column("schema_version", sa.String(length=8), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("built_by", sa.String(length=120), nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
        sa.Column("shredded_at", _TS, nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.CheckConstraint(
            "status IN ('ready', 'downloaded', 'expired')",
            name="ck_sar_exports_status",
        ),
        sa.ForeignKeyConstraint(["blob_id"], ["blobs.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["case_id"], ["sar_cases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ref"),
    )
    op.create_index(
        op.f("ix_sar_exports_case_id"), "sar_exports", ["case_id"], unique=False
    )
    op.create_table(
        "sar_download_tokens",
        sa.Column("id", _ID, nullable=False),
        sa.Column("case_id", _ID, nullable=False),
        sa.Column("export_id", _ID, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("factor_hash", sa.String(length=64), nullable=True),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
        sa.Column("used_at", _TS, nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["sar_cases.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["export_id"], ["sar_exports.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index(
        op.f("ix_sar_download_tokens_case_id"),
        "sar_download_tokens",
        ["case_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sar_download_tokens_export_id"),
        "sar_download_tokens",
        ["export_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_sar_download_tokens_export_id"), table_name="sar_download_tokens"
    )
    op.drop_index(
        op.f("ix_sar_download_tokens_case_id"), table_name="sar_download_tokens"
    )
    op.drop_table("sar_download_tokens")
    op.drop_index(op.f("ix_sar_exports_case_id"), table_name="sar_exports")
    op.drop_table("sar_exports")
