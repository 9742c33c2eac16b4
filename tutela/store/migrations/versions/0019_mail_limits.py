"""mail_limits: per-address counts of requests that mail an address

Policy: changes.subscribe and rights.access.request. Requests that make
Tutela mail an address somebody typed in (subscription confirmations,
access, erasure and correction requests, acknowledgements, unsubscribe
links) are counted per address in hour and day windows, in the database so
every process shares the count. Only a keyed digest of the address is kept.

Revision ID: 0019
Revises: 0018
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "mail_limits",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("span", sa.String(length=8), nullable=False),
        sa.Column("window_start", _TS, nullable=False),
        sa.Column("window_end", _TS, nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("digest", "span", "window_start"),
    )
    op.create_index(
        op.f("ix_mail_limits_window_end"), "mail_limits", ["window_end"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_mail_limits_window_end"), table_name="mail_limits")
    op.drop_table("mail_limits")
