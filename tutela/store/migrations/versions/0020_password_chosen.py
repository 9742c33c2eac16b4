"""users.password_chosen_at and a mailed link to choose one's own password

Policy: rights.access.verification. A password somebody else set or saw
(staff, the host's operator, the demo) proves nothing about the user; a
sign-in verifies a request only once the user chose their password through
a single-use link mailed to their sign-in address. Only the link's digest
is kept.

Revision ID: 0020
Revises: 0019
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("password_chosen_at", _TS, nullable=True))
        batch.add_column(
            sa.Column("password_link_digest", sa.String(length=64), nullable=True)
        )
        batch.add_column(sa.Column("password_link_until", _TS, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("password_link_until")
        batch.drop_column("password_link_digest")
        batch.drop_column("password_chosen_at")
