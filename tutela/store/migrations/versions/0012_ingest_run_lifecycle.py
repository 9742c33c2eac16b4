"""ingest_run_lifecycle: a run is recorded when it starts, and a killed run shows

Policy: collect.service_use.call_records and collect.service_use.voicemail
("every phone call": no run is lost without a trace). An ingest run is
written as ``running`` when it starts, with the host and process id that run
it; its end sets the final status and ``finished_at`` (so that column may
now be empty while the run is going). A run whose process died without
ending it (a crash, SIGKILL, a power cut) is marked ``interrupted`` by the
next run. Nothing here holds a personal value: a host name and a process id.

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ingest_runs") as batch:
        batch.alter_column(
            "finished_at", existing_type=sa.DateTime(timezone=True), nullable=True
        )
        batch.add_column(sa.Column("host", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("pid", sa.Integer(), nullable=True))


def downgrade() -> None:
    # A run still going (or interrupted) has no end time; give it its start.
    op.execute(
        "UPDATE ingest_runs SET finished_at = started_at WHERE finished_at IS NULL"
    )
    with op.batch_alter_table("ingest_runs") as batch:
        batch.drop_column("pid")
        batch.drop_column("host")
        batch.alter_column(
            "finished_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )
