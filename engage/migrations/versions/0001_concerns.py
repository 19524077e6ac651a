"""concerns, contact details and themes

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "concerns",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("impact", sa.Text(), nullable=True),
        sa.Column("district", sa.String(length=40), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("neighbourhood", sa.String(length=80), nullable=True),
        sa.Column("dealing_with_concerns", sa.String(length=20), nullable=True),
        sa.Column("age_band", sa.String(length=30), nullable=True),
        sa.Column("channel", sa.String(length=30), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("urgency", sa.String(length=10), nullable=False),
        sa.Column("urgency_reasons", sa.String(length=200), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("idempotency_key", sa.String(length=160), nullable=True),
        sa.Column("request_fingerprint", sa.String(length=64), nullable=True),
        sa.Column("theme", sa.String(length=40), nullable=True),
        sa.Column("theme_confidence", sa.Float(), nullable=True),
        sa.Column("model_version", sa.String(length=80), nullable=True),
        sa.Column("needs_review", sa.Boolean(), nullable=False),
        sa.Column("needs_translation", sa.Boolean(), nullable=False),
        sa.Column("classified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("text_redacted", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "channel IN ('web', 'api', 'surgery', 'street_briefing', 'panel_meeting', "
            "'community_event', 'other')",
            name=op.f("ck_concerns_channel"),
        ),
        sa.CheckConstraint(
            "status IN ('new', 'triaged', 'handled', 'duplicate', 'quarantined')",
            name=op.f("ck_concerns_status"),
        ),
        sa.CheckConstraint("urgency IN ('routine', 'urgent')", name=op.f("ck_concerns_urgency")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_concerns")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_concerns_idempotency_key")),
        sa.UniqueConstraint("reference", name=op.f("uq_concerns_reference")),
    )
    with op.batch_alter_table("concerns", schema=None) as batch_op:
        batch_op.create_index(
            "ix_concerns_district_submitted_at", ["district", "submitted_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_concerns_submitted_at"), ["submitted_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_concerns_theme"), ["theme"], unique=False)

    op.create_table(
        "concern_contacts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "concern_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("consent_to_contact", sa.Boolean(), nullable=False),
        sa.Column("consent_wording_version", sa.String(length=20), nullable=False),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["concern_id"],
            ["concerns.id"],
            name=op.f("fk_concern_contacts_concern_id_concerns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_concern_contacts")),
        sa.UniqueConstraint("concern_id", name=op.f("uq_concern_contacts_concern_id")),
    )
    op.create_table(
        "concern_themes",
        sa.Column(
            "concern_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("theme", sa.String(length=40), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["concern_id"],
            ["concerns.id"],
            name=op.f("fk_concern_themes_concern_id_concerns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("concern_id", "theme", name=op.f("pk_concern_themes")),
    )


def downgrade() -> None:
    op.drop_table("concern_themes")
    op.drop_table("concern_contacts")
    with op.batch_alter_table("concerns", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_concerns_theme"))
        batch_op.drop_index(batch_op.f("ix_concerns_submitted_at"))
        batch_op.drop_index("ix_concerns_district_submitted_at")

    op.drop_table("concerns")
