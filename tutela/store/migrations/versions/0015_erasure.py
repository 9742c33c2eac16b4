"""erasure: account closing time, request kind and outcome of a rights case

Policy: collect.requested and collect.volunteered ("kept while the business
is a customer, then as the law requires": an account records when it
closed, from which the former-customer rules count) and rights.access.request
(a rights case is an access, erasure or correction request; what an erasure
or correction did is recorded on the case as counts and reasons, never as
values). Nothing new here holds a personal value.

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("accounts", sa.Column("closed_at", _TS, nullable=True))
    op.add_column(
        "sar_cases",
        sa.Column("kind", sa.String(12), nullable=False, server_default="access"),
    )
    op.add_column("sar_cases", sa.Column("outcome", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sar_cases") as batch:
        batch.drop_column("outcome")
        batch.drop_column("kind")
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("closed_at")
