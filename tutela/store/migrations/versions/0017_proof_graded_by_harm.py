"""proof_graded_by_harm: erasure notice and cooling-off, corrected contact points

Policy: rights.access.verification ("Before Jive processes a request, it may
ask for personal information to verify the subject's identity"), graded by
the harm of the action (docs/verification.md):

- ``sar_cases.erasure_requester``: the address that asked for an erasure,
  kept with the case as evidence of who asked (the person erased is not
  always the requester); ``erase_after``: the end of the cooling-off period
  that follows the notice to the addresses on file; ``stop_digest``: the
  digest of the link in that notice that stops the erasure.
- ``holdings.origin`` (``record`` or ``correction``) and
  ``holdings.confirmed_at``: a contact point set by a correction request is
  unproven until a code sent to it comes back, and is not used for access
  or erasure until the waiting period after it has passed.
- ``contact_confirmations``: the single-use links that confirm a corrected
  address (digests only).
- ``sar_challenges.issued_to``: the staff member shown a call-back code,
  who may not also enter it.

Revision ID: 0017
Revises: 0016
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("sar_cases", schema=None) as batch:
        batch.add_column(sa.Column("erasure_requester", sa.String(320), nullable=True))
        batch.add_column(sa.Column("erase_after", _TS, nullable=True))
        batch.add_column(sa.Column("stop_digest", sa.String(64), nullable=True))
    with op.batch_alter_table("sar_challenges", schema=None) as batch:
        batch.add_column(sa.Column("issued_to", sa.String(120), nullable=True))
    with op.batch_alter_table("holdings", schema=None) as batch:
        batch.add_column(
            sa.Column("origin", sa.String(12), nullable=False, server_default="record")
        )
        batch.add_column(sa.Column("confirmed_at", _TS, nullable=True))
        batch.create_check_constraint(
            "ck_holdings_origin", "origin IN ('record', 'correction')"
        )
    op.create_table(
        "contact_confirmations",
        sa.Column("id", _ID, nullable=False),
        sa.Column("holding_id", _ID, nullable=False),
        sa.Column("case_id", _ID, nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
        sa.Column("used_at", _TS, nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["holding_id"], ["holdings.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["case_id"], ["sar_cases.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index(
        op.f("ix_contact_confirmations_holding_id"),
        "contact_confirmations",
        ["holding_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_contact_confirmations_case_id"),
        "contact_confirmations",
        ["case_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_contact_confirmations_case_id"), table_name="contact_confirmations"
    )
    op.drop_index(
        op.f("ix_contact_confirmations_holding_id"), table_name="contact_confirmations"
    )
    op.drop_table("contact_confirmations")
    with op.batch_alter_table("holdings", schema=None) as batch:
        batch.drop_constraint("ck_holdings_origin", type_="check")
        batch.drop_column("confirmed_at")
        batch.drop_column("origin")
    with op.batch_alter_table("sar_challenges", schema=None) as batch:
        batch.drop_column("issued_to")
    with op.batch_alter_table("sar_cases", schema=None) as batch:
        batch.drop_column("stop_digest")
        batch.drop_column("erase_after")
        batch.drop_column("erasure_requester")
