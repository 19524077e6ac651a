"""rollups per part, and stale rollup days

``concern_counts`` is recreated at its new grain (the days one ISO week and one month
share x district x theme x channel); its rows are derived, so none are carried over: run
``engage jobs rebuild-rollups`` after upgrading (and after downgrading). Staff theme
corrections mark days in ``stale_rollup_days`` for the next rollup run to recount.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MEASURES = ("concerns", "urgent", "agree", "disagree", "dont_know")


def _measures() -> list[sa.Column[int]]:
    return [sa.Column(name, sa.Integer(), nullable=False) for name in MEASURES]


def upgrade() -> None:
    op.create_table(
        "stale_rollup_days",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stale_rollup_days")),
    )
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


def downgrade() -> None:
    op.drop_index("ix_concern_counts_month_start", table_name="concern_counts")
    op.drop_table("concern_counts")
    op.create_table(
        "concern_counts",
        sa.Column("grain", sa.String(length=5), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("district", sa.String(length=40), nullable=False),
        sa.Column("neighbourhood", sa.String(length=80), nullable=False),
        sa.Column("theme", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=30), nullable=False),
        *_measures(),
        sa.CheckConstraint(
            "grain IN ('day', 'week', 'month')", name=op.f("ck_concern_counts_grain")
        ),
        sa.PrimaryKeyConstraint(
            "grain",
            "period_start",
            "district",
            "neighbourhood",
            "theme",
            "channel",
            name=op.f("pk_concern_counts"),
        ),
    )
    op.drop_table("stale_rollup_days")
