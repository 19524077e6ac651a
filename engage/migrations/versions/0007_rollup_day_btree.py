"""the rollup facts' day index as a B-tree on PostgreSQL too

A full rebuild on PostgreSQL now counts with two connections at once into a table beside
``concern_counts`` and builds the day index after the rows are in (``jobs.rollup_swap``).
Rows from two connections interleave on disk, which would leave a BRIN index covering
almost every day in every block range; a B-tree finds a period's rows wherever they lie,
and built once after the load it costs less than keeping the BRIN up to date did. SQLite's
index was a B-tree already, so nothing changes there.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_concern_counts_day", table_name="concern_counts")
        op.create_index("ix_concern_counts_day", "concern_counts", ["day"])


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_concern_counts_day", table_name="concern_counts")
        op.create_index("ix_concern_counts_day", "concern_counts", ["day"], postgresql_using="brin")
