"""covering index for rollups

An index holding every column the rollup reads, so counting a period is an index range
scan on submitted_at that never visits the table. Not a partial index: SQLite would then
need the query to say ``duplicate_of_id IS NULL``, a term it prefers to serve from
ix_concerns_duplicate_of_id (almost every row), which is far slower.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = [
    "submitted_at",
    "district",
    "neighbourhood",
    "theme",
    "channel",
    "status",
    "urgency",
    "dealing_with_concerns",
    "duplicate_of_id",
]


def upgrade() -> None:
    op.create_index(
        "ix_concerns_rollup",
        "concerns",
        COLUMNS,
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_concerns_rollup", table_name="concerns")
