"""communication_mentions: personal data found in communications' free text

Policy: collect.volunteered, collect.volunteered.channels,
collect.volunteered.uncontrolled and rights.access. One row per detection
(span, kind, normalised value, matched person); a card's value is masked.
Existing rows are indexed (and any card number left in them masked) by
`tutela scan rebuild`, not here: a migration does not import the detectors.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "communication_mentions",
        sa.Column("id", _ID, nullable=False),
        sa.Column("account_id", _ID, nullable=False),
        sa.Column("communication_id", _ID, nullable=False),
        sa.Column("part", sa.String(length=8), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("value", sa.String(length=320), nullable=False),
        sa.Column("person_id", _ID, nullable=True),
        sa.CheckConstraint(
            "part IN ('subject', 'body')", name="ck_communication_mentions_part"
        ),
        sa.CheckConstraint(
            "kind IN ('phone', 'email', 'card', 'iban', 'ip', 'person')",
            name="ck_communication_mentions_kind",
        ),
        sa.CheckConstraint(
            'start >= 0 AND "end" > start', name="ck_communication_mentions_span"
        ),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["communication_id"], ["communications.id"], ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("communication_mentions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_communication_mentions_account_id"),
            ["account_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_communication_mentions_communication_id"),
            ["communication_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_communication_mentions_person_id"),
            ["person_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_communication_mentions_value", ["kind", "value"], unique=False
        )


def downgrade() -> None:
    op.drop_table("communication_mentions")
