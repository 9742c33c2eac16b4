"""subject_access_requests: SAR cases, inbound rights mail, verification, outbox

Policy: rights.access, rights.access.request, rights.access.verification,
rights.access.fee_or_reject and changes.subscribe. Raw messages, verification
data and outgoing bodies are sealed by the field key ring (Text columns).

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)


def _case_fk() -> sa.Column[int]:
    return sa.Column("case_id", _ID, nullable=True)


def upgrade() -> None:
    op.create_table(
        "sar_cases",
        sa.Column("id", _ID, nullable=False),
        sa.Column("ref", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("requester_address", sa.String(length=320), nullable=True),
        sa.Column("subject_e164", sa.String(length=20), nullable=True),
        sa.Column("person_ids", sa.Text(), nullable=False),
        sa.Column(
            "account_closed", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
        sa.Column("jurisdiction", sa.String(length=8), nullable=True),
        sa.Column("deadline_rule", sa.String(length=16), nullable=False),
        sa.Column("risk", sa.String(length=8), nullable=False),
        sa.Column("auth_failures", sa.String(length=64), nullable=True),
        sa.Column("received_at", _TS, nullable=False),
        sa.Column("confirm_by", _TS, nullable=True),
        sa.Column("respond_by", _TS, nullable=False),
        sa.Column("extended_to", _TS, nullable=True),
        sa.Column("extension_reason", sa.String(length=300), nullable=True),
        sa.Column("verification_method", sa.String(length=24), nullable=True),
        sa.Column("verification_level", sa.String(length=12), nullable=True),
        sa.Column("verified_at", _TS, nullable=True),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("fee_amount", sa.String(length=16), nullable=True),
        sa.Column("fee_paid_at", _TS, nullable=True),
        sa.Column("decision_reason", sa.String(length=32), nullable=True),
        sa.Column("decision_note", sa.String(length=300), nullable=True),
        sa.Column("export_ref", sa.String(length=200), nullable=True),
        sa.Column("closed_at", _TS, nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.CheckConstraint(
            "state IN ('received', 'verifying', 'verified', 'fee_requested', "
            "'fulfilled', 'rejected', 'expired')",
            name="ck_sar_cases_state",
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ref"),
    )
    op.create_index(
        op.f("ix_sar_cases_requester_address"),
        "sar_cases",
        ["requester_address"],
        unique=False,
    )
    op.create_index(
        "ix_sar_cases_state_due", "sar_cases", ["state", "respond_by"], unique=False
    )
    op.create_table(
        "outbox",
        sa.Column("id", _ID, nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.Column("in_reply_to", sa.String(length=998), nullable=True),
        sa.Column("to_address", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        _case_fk(),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("sent_at", _TS, nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["sar_cases.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_id"),
    )
    op.create_index(op.f("ix_outbox_case_id"), "outbox", ["case_id"], unique=False)
    op.create_index("ix_outbox_status", "outbox", ["status", "id"], unique=False)
    op.create_table(
        "rights_messages",
        sa.Column("id", _ID, nullable=False),
        sa.Column("message_key", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=998), nullable=False),
        sa.Column("thread_refs", sa.Text(), nullable=True),
        sa.Column("route", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        _case_fk(),
        sa.Column("sender_address", sa.String(length=320), nullable=True),
        sa.Column("subject", sa.String(length=998), nullable=True),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("auth_failures", sa.String(length=64), nullable=True),
        sa.Column("received_at", _TS, nullable=False),
        sa.CheckConstraint(
            "route IN ('access_request', 'policy_updates', 'general')",
            name="ck_rights_messages_route",
        ),
        sa.ForeignKeyConstraint(["case_id"], ["sar_cases.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_key"),
    )
    op.create_index(
        op.f("ix_rights_messages_case_id"),
        "rights_messages",
        ["case_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_rights_messages_message_id"),
        "rights_messages",
        ["message_id"],
        unique=False,
    )
    op.create_table(
        "sar_case_events",
        sa.Column("id", _ID, nullable=False),
        sa.Column("case_id", _ID, nullable=False),
        sa.Column("from_state", sa.String(length=16), nullable=True),
        sa.Column("to_state", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("audit_seq", sa.Integer(), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["sar_cases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_sar_case_events_case_id"),
        "sar_case_events",
        ["case_id"],
        unique=False,
    )
    op.create_table(
        "sar_challenges",
        sa.Column("id", _ID, nullable=False),
        sa.Column("case_id", _ID, nullable=False),
        sa.Column("code_hash", sa.String(length=100), nullable=True),
        sa.Column("expires_at", _TS, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("used_at", _TS, nullable=True),
        sa.Column("locked_at", _TS, nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["sar_cases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_sar_challenges_case_id"), "sar_challenges", ["case_id"], unique=False
    )
    op.create_table(
        "sar_verification_data",
        sa.Column("id", _ID, nullable=False),
        sa.Column("case_id", _ID, nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("matched", sa.Boolean(), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["sar_cases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_sar_verification_data_case_id"),
        "sar_verification_data",
        ["case_id"],
        unique=False,
    )
    op.create_table(
        "policy_subscriptions",
        sa.Column("id", _ID, nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("message_id", _ID, nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"], ["rights_messages.id"], ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("address"),
    )


def downgrade() -> None:
    op.drop_table("policy_subscriptions")
    op.drop_index(
        op.f("ix_sar_verification_data_case_id"), table_name="sar_verification_data"
    )
    op.drop_table("sar_verification_data")
    op.drop_index(op.f("ix_sar_challenges_case_id"), table_name="sar_challenges")
    op.drop_table("sar_challenges")
    op.drop_index(op.f("ix_sar_case_events_case_id"), table_name="sar_case_events")
    op.drop_table("sar_case_events")
    op.drop_index(op.f("ix_rights_messages_message_id"), table_name="rights_messages")
    op.drop_index(op.f("ix_rights_messages_case_id"), table_name="rights_messages")
    op.drop_table("rights_messages")
    op.drop_index("ix_outbox_status", table_name="outbox")
    op.drop_index(op.f("ix_outbox_case_id"), table_name="outbox")
    op.drop_table("outbox")
    op.drop_index("ix_sar_cases_state_due", table_name="sar_cases")
    op.drop_index(op.f("ix_sar_cases_requester_address"), table_name="sar_cases")
    op.drop_table("sar_cases")
