"""legal_inbox: inbox state of rights messages, further references to a case

Policy: contact.questions and rights.access.request (mail to the legal
address that is not a heading-perfect request lands in a legal inbox that
staff work through: why it needs a look, who handled it and when; a poison
message is kept there, sealed, with the reason it was refused) and
rights.access.verification (a repeat request gets a reference of its own,
never the one handed to an earlier requester). Nothing new here holds a
personal value: flags, reasons, times and surrogate ids.

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("rights_messages", sa.Column("flag", sa.String(16), nullable=True))
    op.add_column(
        "rights_messages", sa.Column("problem", sa.String(200), nullable=True)
    )
    op.add_column("rights_messages", sa.Column("handled_at", _TS, nullable=True))
    op.add_column(
        "rights_messages", sa.Column("handled_by", sa.String(120), nullable=True)
    )
    op.create_table(
        "sar_case_refs",
        sa.Column("id", _ID, nullable=False),
        sa.Column("ref", sa.String(length=16), nullable=False),
        sa.Column("case_id", _ID, nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["sar_cases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ref"),
    )
    op.create_index(
        op.f("ix_sar_case_refs_case_id"), "sar_case_refs", ["case_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_sar_case_refs_case_id"), table_name="sar_case_refs")
    op.drop_table("sar_case_refs")
    with op.batch_alter_table("rights_messages") as batch:
        batch.drop_column("handled_by")
        batch.drop_column("handled_at")
        batch.drop_column("problem")
        batch.drop_column("flag")
