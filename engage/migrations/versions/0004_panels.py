"""panels, priorities and notifications

Neighbourhood panels, the People's Priorities they set, actions taken, quotes approved for
publication, and the outbox of notifications owed to residents.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "panels",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("district", sa.String(length=40), nullable=False),
        sa.Column("neighbourhood", sa.String(length=80), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panels")),
        sa.UniqueConstraint("district", "neighbourhood", name="uq_panels_area"),
        sa.UniqueConstraint("slug", name=op.f("uq_panels_slug")),
    )
    with op.batch_alter_table("panels", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_panels_district"), ["district"], unique=False)

    op.create_table(
        "panel_meetings",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("panel_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("attendees", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column(
            "recorded_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("attendees >= 0", name=op.f("ck_panel_meetings_attendees")),
        sa.CheckConstraint("period_start <= period_end", name=op.f("ck_panel_meetings_period")),
        sa.ForeignKeyConstraint(
            ["panel_id"], ["panels.id"], name=op.f("fk_panel_meetings_panel_id_panels")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_panel_meetings_recorded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panel_meetings")),
    )
    with op.batch_alter_table("panel_meetings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_panel_meetings_panel_id"), ["panel_id"], unique=False)

    op.create_table(
        "priorities",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "meeting_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("panel_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("wording", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("set_on", sa.Date(), nullable=False),
        sa.Column("review_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("outcome_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "status IN ('active', 'achieved', 'carried_over', 'closed')",
            name=op.f("ck_priorities_status"),
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["panel_meetings.id"],
            name=op.f("fk_priorities_meeting_id_panel_meetings"),
        ),
        sa.ForeignKeyConstraint(
            ["panel_id"], ["panels.id"], name=op.f("fk_priorities_panel_id_panels")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_priorities")),
        sa.UniqueConstraint("meeting_id", "position", name="uq_priorities_meeting_position"),
    )
    with op.batch_alter_table("priorities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_priorities_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_priorities_panel_id"), ["panel_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_priorities_review_on"), ["review_on"], unique=False)

    op.create_table(
        "priority_actions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "priority_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "recorded_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["priority_id"],
            ["priorities.id"],
            name=op.f("fk_priority_actions_priority_id_priorities"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_priority_actions_recorded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_priority_actions")),
    )
    with op.batch_alter_table("priority_actions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_priority_actions_priority_id"), ["priority_id"], unique=False
        )

    op.create_table(
        "priority_themes",
        sa.Column(
            "priority_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("theme", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["priority_id"],
            ["priorities.id"],
            name=op.f("fk_priority_themes_priority_id_priorities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("priority_id", "theme", name=op.f("pk_priority_themes")),
    )
    with op.batch_alter_table("priority_themes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_priority_themes_theme"), ["theme"], unique=False)

    op.create_table(
        "notifications",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "concern_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column(
            "priority_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("action_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "action_key", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('priority_set', 'action_recorded')", name=op.f("ck_notifications_kind")
        ),
        sa.CheckConstraint(
            "state IN ('pending', 'sent', 'failed', 'cancelled')",
            name=op.f("ck_notifications_state"),
        ),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["priority_actions.id"],
            name=op.f("fk_notifications_action_id_priority_actions"),
        ),
        sa.ForeignKeyConstraint(
            ["concern_id"],
            ["concerns.id"],
            name=op.f("fk_notifications_concern_id_concerns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["priority_id"], ["priorities.id"], name=op.f("fk_notifications_priority_id_priorities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint(
            "concern_id", "kind", "priority_id", "action_key", name="uq_notifications_once"
        ),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notifications_concern_id"), ["concern_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_notifications_state"), ["state"], unique=False)

    op.create_table(
        "published_quotes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "concern_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "approved_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by"], ["users.id"], name=op.f("fk_published_quotes_approved_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["concern_id"],
            ["concerns.id"],
            name=op.f("fk_published_quotes_concern_id_concerns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_published_quotes")),
        sa.UniqueConstraint("concern_id", name=op.f("uq_published_quotes_concern_id")),
    )


def downgrade() -> None:
    op.drop_table("published_quotes")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifications_state"))
        batch_op.drop_index(batch_op.f("ix_notifications_concern_id"))

    op.drop_table("notifications")
    with op.batch_alter_table("priority_themes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_priority_themes_theme"))

    op.drop_table("priority_themes")
    with op.batch_alter_table("priority_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_priority_actions_priority_id"))

    op.drop_table("priority_actions")
    with op.batch_alter_table("priorities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_priorities_review_on"))
        batch_op.drop_index(batch_op.f("ix_priorities_panel_id"))
        batch_op.drop_index(batch_op.f("ix_priorities_meeting_id"))

    op.drop_table("priorities")
    with op.batch_alter_table("panel_meetings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_panel_meetings_panel_id"))

    op.drop_table("panel_meetings")
    with op.batch_alter_table("panels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_panels_district"))

    op.drop_table("panels")
