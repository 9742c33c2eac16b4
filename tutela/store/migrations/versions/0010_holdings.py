"""holdings: who held a number, an extension or an address, from when to when

Policy: collect.requested (phone number and extension assignments, business
contact information) and rights.access (an export reaches an identifier's
data only for the periods the subject held it). Existing assignments are
carried over from the day their row was created: numbers and extensions as
`assigned`, the phone and e-mail typed on people as `typed`. Access-request
cases gain the verified number of a subject who is not a customer contact
and the start of the period it reaches; one-time codes record their channel;
a blob may belong to no account (the export of such a subject).

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)
_ONE_VALUE = (
    "(kind = 'number' AND e164 IS NOT NULL AND extension IS NULL "
    "AND email IS NULL) OR (kind = 'extension' AND extension IS NOT NULL "
    "AND e164 IS NULL AND email IS NULL) OR (kind = 'email' AND email "
    "IS NOT NULL AND e164 IS NULL AND extension IS NULL)"
)


def upgrade() -> None:
    op.create_table(
        "holdings",
        sa.Column("id", _ID, nullable=False),
        sa.Column("account_id", _ID, nullable=False),
        sa.Column("person_id", _ID, nullable=True),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("e164", sa.String(length=20), nullable=True),
        sa.Column("extension", sa.String(length=10), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("evidence", sa.String(length=12), nullable=False),
        sa.Column("valid_from", _TS, nullable=False),
        sa.Column("valid_to", _TS, nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.CheckConstraint(
            "kind IN ('number', 'extension', 'email')", name="ck_holdings_kind"
        ),
        sa.CheckConstraint(
            "evidence IN ('assigned', 'verified', 'typed')",
            name="ck_holdings_evidence",
        ),
        sa.CheckConstraint(_ONE_VALUE, name="ck_holdings_one_value"),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to >= valid_from", name="ck_holdings_interval"
        ),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_holdings_account_id"), "holdings", ["account_id"], unique=False
    )
    op.create_index(
        op.f("ix_holdings_person_id"), "holdings", ["person_id"], unique=False
    )
    op.create_index("ix_holdings_e164", "holdings", ["e164"], unique=False)
    op.create_index(
        "ix_holdings_account_extension",
        "holdings",
        ["account_id", "extension"],
        unique=False,
    )
    op.create_index("ix_holdings_email", "holdings", ["email"], unique=False)
    _carry_over()
    with op.batch_alter_table("sar_cases") as batch:
        batch.add_column(sa.Column("subject_number", sa.String(20), nullable=True))
        batch.add_column(sa.Column("subject_since", _TS, nullable=True))
    with op.batch_alter_table("blobs") as batch:
        batch.alter_column("account_id", existing_type=_ID, nullable=True)
    with op.batch_alter_table("sar_challenges") as batch:
        batch.add_column(
            sa.Column("channel", sa.String(8), nullable=False, server_default="email")
        )


def _carry_over() -> None:
    """Today's assignments as holdings that began when their row was created.

    When a closed account closed is not recorded, so its holdings stay open;
    readers treat a holding of a closed account as no longer current.
    """
    columns = "account_id, person_id, kind, e164, extension, email, evidence, "
    columns += "valid_from, created_at"
    op.execute(
        f"INSERT INTO holdings ({columns}) SELECT account_id, assignee_id, "
        "'number', e164, NULL, NULL, 'assigned', created_at, created_at "
        "FROM phone_numbers"
    )
    op.execute(
        f"INSERT INTO holdings ({columns}) SELECT account_id, person_id, "
        "'extension', NULL, extension, NULL, 'assigned', created_at, created_at "
        "FROM extensions"
    )
    op.execute(
        f"INSERT INTO holdings ({columns}) SELECT account_id, id, 'number', "
        "phone, NULL, NULL, 'typed', created_at, created_at FROM people "
        "WHERE phone IS NOT NULL"
    )
    op.execute(
        f"INSERT INTO holdings ({columns}) SELECT account_id, id, 'email', NULL, "
        "NULL, LOWER(email), 'typed', created_at, created_at FROM people "
        "WHERE email IS NOT NULL"
    )


def downgrade() -> None:
    op.execute("DELETE FROM blobs WHERE account_id IS NULL")
    with op.batch_alter_table("blobs") as batch:
        batch.alter_column("account_id", existing_type=_ID, nullable=False)
    with op.batch_alter_table("sar_challenges") as batch:
        batch.drop_column("channel")
    with op.batch_alter_table("sar_cases") as batch:
        batch.drop_column("subject_since")
        batch.drop_column("subject_number")
    op.drop_index("ix_holdings_email", table_name="holdings")
    op.drop_index("ix_holdings_account_extension", table_name="holdings")
    op.drop_index("ix_holdings_e164", table_name="holdings")
    op.drop_index(op.f("ix_holdings_person_id"), table_name="holdings")
    op.drop_index(op.f("ix_holdings_account_id"), table_name="holdings")
    op.drop_table("holdings")
