"""web activity and ad clicks match the collect pipeline; ad-service click totals

Policy: scope.web_unlinked, collect.web_use.web_activity,
collect.web_use.ad_clicks. The new columns and table carry no key to
accounts or people.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("web_visits", schema=None) as batch_op:
        batch_op.alter_column(
            "page",
            existing_type=sa.String(length=500),
            type_=sa.String(length=2048),
            existing_nullable=False,
        )

    with op.batch_alter_table("ad_clicks", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("site", sa.String(length=120), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("source", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("medium", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("term", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("click_kind", sa.String(length=16), nullable=True)
        )
        batch_op.alter_column(
            "landing_page",
            existing_type=sa.String(length=500),
            type_=sa.String(length=2048),
            existing_nullable=False,
        )
    with op.batch_alter_table("ad_clicks", schema=None) as batch_op:
        batch_op.alter_column(
            "site",
            existing_type=sa.String(length=120),
            server_default=None,
            existing_nullable=False,
        )

    op.create_table(
        "ad_click_totals",
        sa.Column("id", _ID, nullable=False),
        sa.Column("export_key", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("campaign", sa.String(length=200), nullable=False),
        sa.Column("ad_group", sa.String(length=200), nullable=True),
        sa.Column("ad", sa.String(length=200), nullable=True),
        sa.Column("term", sa.String(length=200), nullable=True),
        sa.Column("landing_page", sa.String(length=2048), nullable=True),
        sa.Column("click_kind", sa.String(length=16), nullable=True),
        sa.Column("device_class", sa.String(length=16), nullable=True),
        sa.Column("clicks", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("export_key"),
    )
    with op.batch_alter_table("ad_click_totals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ad_click_totals_day"), ["day"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("ad_click_totals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ad_click_totals_day"))
    op.drop_table("ad_click_totals")

    with op.batch_alter_table("ad_clicks", schema=None) as batch_op:
        batch_op.alter_column(
            "landing_page",
            existing_type=sa.String(length=2048),
            type_=sa.String(length=500),
            existing_nullable=False,
        )
        batch_op.drop_column("click_kind")
        batch_op.drop_column("term")
        batch_op.drop_column("medium")
        batch_op.drop_column("source")
        batch_op.drop_column("site")

    with op.batch_alter_table("web_visits", schema=None) as batch_op:
        batch_op.alter_column(
            "page",
            existing_type=sa.String(length=2048),
            type_=sa.String(length=500),
            existing_nullable=False,
        )
