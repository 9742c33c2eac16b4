"""subscriptions_delivery: double opt-in, one-click unsubscribe, delivery workers

Policy: changes.subscribe and changes.notice. A subscription made on the web
or through the API waits for its confirmation link (only the token's digest
and its expiry are kept); every subscription has a sealed one-click
unsubscribe token (RFC 8058), found by its digest. Outbox rows gain what
several delivery workers need: when to try again, and which worker run holds
a row until when; a policy-update notice names its subscription and goes
with it. A case from the web form or the API keeps the requester's name
and what was asked for. Subscriptions from before this revision were made by mail and are
in force: they count as confirmed when they were made.

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("policy_subscriptions") as batch:
        batch.add_column(
            sa.Column("channel", sa.String(8), nullable=False, server_default="email")
        )
        batch.add_column(sa.Column("confirmed_at", _TS, nullable=True))
        batch.add_column(sa.Column("confirm_digest", sa.String(64), nullable=True))
        batch.add_column(sa.Column("confirm_expires_at", _TS, nullable=True))
        batch.add_column(sa.Column("unsubscribe_token", sa.Text(), nullable=True))
        batch.add_column(sa.Column("unsubscribe_digest", sa.String(64), nullable=True))
        batch.create_unique_constraint(
            "uq_policy_subscriptions_confirm_digest", ["confirm_digest"]
        )
        batch.create_unique_constraint(
            "uq_policy_subscriptions_unsubscribe_digest", ["unsubscribe_digest"]
        )
    op.execute("UPDATE policy_subscriptions SET confirmed_at = created_at")
    with op.batch_alter_table("sar_cases") as batch:
        batch.add_column(sa.Column("requester_name", sa.String(200), nullable=True))
        batch.add_column(sa.Column("requested", sa.String(24), nullable=True))
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("next_attempt_at", _TS, nullable=True))
        batch.add_column(sa.Column("claim", sa.String(32), nullable=True))
        batch.add_column(sa.Column("claimed_until", _TS, nullable=True))
        batch.add_column(sa.Column("subscription_id", _ID, nullable=True))
        batch.create_foreign_key(
            "fk_outbox_subscription_id",
            "policy_subscriptions",
            ["subscription_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index("ix_outbox_subscription_id", ["subscription_id"])


def downgrade() -> None:
    with op.batch_alter_table("sar_cases") as batch:
        batch.drop_column("requested")
        batch.drop_column("requester_name")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_subscription_id")
        batch.drop_constraint("fk_outbox_subscription_id", type_="foreignkey")
        for column in ("subscription_id", "claimed_until", "claim", "next_attempt_at"):
            batch.drop_column(column)
    with op.batch_alter_table("policy_subscriptions") as batch:
        batch.drop_constraint(
            "uq_policy_subscriptions_unsubscribe_digest", type_="unique"
        )
        batch.drop_constraint("uq_policy_subscriptions_confirm_digest", type_="unique")
        for column in (
            "unsubscribe_digest",
            "unsubscribe_token",
            "confirm_expires_at",
            "confirm_digest",
            "confirmed_at",
            "channel",
        ):
            batch.drop_column(column)
