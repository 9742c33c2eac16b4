"""case_assignment: the privacy officer an access request is assigned to

Policy: rights.access (a case has one officer answering it, named by a
surrogate actor id such as `staff:7`, never by a personal value).

Revision ID: 0013
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("sar_cases", sa.Column("assigned_to", sa.String(120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sar_cases") as batch:
        batch.drop_column("assigned_to")
