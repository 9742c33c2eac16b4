"""user_admin_events, user_proposals: who administered whom; officers proposed and approved

Policy: rights.access.verification and secure.measures. A staff override of
identity verification, a new privacy officer and a role raised to privacy
officer each need a second, independent officer. ``user_admin_events``
records who created a user, gave them a role or set their password (and,
for a new officer, when they may first approve anything);
``user_proposals`` holds what one officer proposed for a second to approve,
with the digests of the two halves of a new officer's setup code.

Users made before this revision have no events: they count as made by the
root of trust (no waiting period, administered by no one).

Revision ID: 0018
Revises: 0017
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "user_proposals",
        sa.Column("id", _ID, nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("role", sa.String(length=24), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("user_id", _ID, nullable=True),
        sa.Column("proposed_by", _ID, nullable=False),
        sa.Column("proposed_at", _TS, nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
        sa.Column("decided_by", _ID, nullable=True),
        sa.Column("decided_at", _TS, nullable=True),
        sa.Column("setup_first", sa.String(length=64), nullable=True),
        sa.Column("setup_second", sa.String(length=64), nullable=True),
        sa.Column("setup_until", _TS, nullable=True),
        sa.CheckConstraint("kind IN ('add', 'raise')", name="ck_user_proposals_kind"),
        sa.CheckConstraint(
            "state IN ('pending', 'approved', 'rejected')",
            name="ck_user_proposals_state",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["proposed_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["decided_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_user_proposals_state"), "user_proposals", ["state"])
    op.create_index(op.f("ix_user_proposals_user_id"), "user_proposals", ["user_id"])

    op.create_table(
        "user_admin_events",
        sa.Column("id", _ID, nullable=False),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("role", sa.String(length=24), nullable=True),
        sa.Column("by_user_id", _ID, nullable=True),
        sa.Column("approved_by_user_id", _ID, nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("proposal_id", _ID, nullable=True),
        sa.Column("waiting_until", _TS, nullable=True),
        sa.Column("at", _TS, nullable=False),
        sa.CheckConstraint(
            "kind IN ('created', 'role_set', 'password_set')",
            name="ck_user_admin_events_kind",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["by_user_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["approved_by_user_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["proposal_id"], ["user_proposals.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_user_admin_events_user_id"), "user_admin_events", ["user_id"]
    )
    op.create_index(
        op.f("ix_user_admin_events_by_user_id"), "user_admin_events", ["by_user_id"]
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_user_admin_events_by_user_id"), table_name="user_admin_events"
    )
    op.drop_index(op.f("ix_user_admin_events_user_id"), table_name="user_admin_events")
    op.drop_table("user_admin_events")
    op.drop_index(op.f("ix_user_proposals_user_id"), table_name="user_proposals")
    op.drop_index(op.f("ix_user_proposals_state"), table_name="user_proposals")
    op.drop_table("user_proposals")
