"""policy_versions: published versions of the policy and what each changed

Policy: changes.may_change (versions, each with its semantic diff against the
one before), changes.effective_on_publication (when each takes effect),
changes.notice (how many announcements were queued). The policy file is
public text; nothing here is personal data.

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "policy_versions",
        sa.Column("id", _ID, nullable=False),
        sa.Column("version", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("policy_yaml", sa.Text(), nullable=False),
        sa.Column("previous_id", _ID, nullable=True),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.Column("material_changes", sa.Integer(), nullable=False),
        sa.Column("announcements", sa.Integer(), nullable=False),
        sa.Column("published_by", sa.String(length=120), nullable=False),
        sa.Column("published_at", _TS, nullable=False),
        sa.Column("effective_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["previous_id"], ["policy_versions.id"], ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sha256"),
        sa.UniqueConstraint("version"),
    )
    op.create_index(
        op.f("ix_policy_versions_published_at"),
        "policy_versions",
        ["published_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_policy_versions_published_at"), table_name="policy_versions")
    op.drop_table("policy_versions")
