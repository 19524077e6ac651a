"""rollups per day and neighbourhood

Every concern gets ``submitted_day``, its Europe/London calendar day, filled in here for
the rows already stored. The rollup index is rebuilt on it, in the order the rollup groups
by, and ``concern_counts`` is recreated at day x district x neighbourhood x theme x channel
(weeks and months are sums of days), with no primary key constraint (see the model) and an
index on the day (BRIN on PostgreSQL). Its rows are derived, so none are carried over: run
``engage jobs rebuild-rollups`` after upgrading (and after downgrading).

On SQLite the new column is added with a server default (ALTER TABLE cannot add a NOT NULL
column without one) that the application never relies on: every insert through the
models gives the day.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from engage.london_time import london_day

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MEASURES = ("concerns", "urgent", "agree", "disagree", "dont_know")
ROLLUP_COLUMNS = [
    "district",
    "neighbourhood",
    "theme",
    "channel",
    "status",
    "urgency",
    "dealing_with_concerns",
    "duplicate_of_id",
]


def _measures() -> list[sa.Column[int]]:
    return [sa.Column(name, sa.Integer(), nullable=False) for name in MEASURES]


def _sqlite_london_day(stored: str | None) -> str | None:
    """The London day of a UTC timestamp as SQLite holds it ('2026-11-23 06:00:00.000000')."""
    if stored is None:
        return None
    moment = datetime.fromisoformat(stored).replace(tzinfo=UTC)
    return london_day(moment).isoformat()


def _add_submitted_day() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.add_column(
            "concerns",
            sa.Column(
                "submitted_day", sa.Date(), nullable=False, server_default=sa.text("'1970-01-01'")
            ),
        )
        raw = bind.connection.driver_connection
        raw.create_function("engage_london_day", 1, _sqlite_london_day, deterministic=True)
        op.execute("UPDATE concerns SET submitted_day = engage_london_day(submitted_at)")
        return
    op.add_column("concerns", sa.Column("submitted_day", sa.Date(), nullable=True))
    op.execute(
        "UPDATE concerns SET submitted_day = (submitted_at AT TIME ZONE 'Europe/London')::date"
    )
    op.alter_column("concerns", "submitted_day", nullable=False)


def upgrade() -> None:
    _add_submitted_day()
    op.drop_index("ix_concerns_rollup", table_name="concerns")
    op.create_index(
        "ix_concerns_rollup_day", "concerns", ["submitted_day", *ROLLUP_COLUMNS], unique=False
    )
    op.drop_index("ix_concern_counts_month_start", table_name="concern_counts")
    op.drop_table("concern_counts")
    op.create_table(
        "concern_counts",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("district", sa.String(length=40), nullable=False),
        sa.Column("neighbourhood", sa.String(length=80), nullable=False),
        sa.Column("theme", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=30), nullable=False),
        *_measures(),
    )
    op.create_index("ix_concern_counts_day", "concern_counts", ["day"], postgresql_using="brin")


def downgrade() -> None:
    op.drop_index("ix_concern_counts_day", table_name="concern_counts")
    op.drop_table("concern_counts")
    op.create_table(
        "concern_counts",
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("month_start", sa.Date(), nullable=False),
        sa.Column("district", sa.String(length=40), nullable=False),
        sa.Column("theme", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=30), nullable=False),
        *_measures(),
        sa.PrimaryKeyConstraint(
            "week_start",
            "month_start",
            "district",
            "theme",
            "channel",
            name=op.f("pk_concern_counts"),
        ),
    )
    op.create_index("ix_concern_counts_month_start", "concern_counts", ["month_start"])
    op.drop_index("ix_concerns_rollup_day", table_name="concerns")
    op.create_index(
        "ix_concerns_rollup", "concerns", ["submitted_at", *ROLLUP_COLUMNS], unique=False
    )
    if op.get_bind().dialect.name == "sqlite":
        # SQLite 3.35+ drops a column in place; batch mode would copy the whole table.
        op.execute("ALTER TABLE concerns DROP COLUMN submitted_day")
    else:
        op.drop_column("concerns", "submitted_day")
