"""staff, outreach, triage, audit and jobs

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


APPEND_ONLY_SQLITE = """
CREATE TRIGGER audit_events_no_{verb} BEFORE {verb} ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END
"""
APPEND_ONLY_POSTGRESQL = (
    """
    CREATE FUNCTION audit_events_append_only() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'audit_events is append-only'; END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()
    """,
)


def _make_audit_log_append_only() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(APPEND_ONLY_SQLITE.format(verb=verb))
    else:
        for statement in APPEND_ONLY_POSTGRESQL:
            op.execute(statement)


def _drop_append_only_guard() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"DROP TRIGGER audit_events_no_{verb}")
    else:
        op.execute("DROP TRIGGER audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION audit_events_append_only()")


def upgrade() -> None:
    op.create_table(
        "concern_counts",
        sa.Column("grain", sa.String(length=5), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("district", sa.String(length=40), nullable=False),
        sa.Column("neighbourhood", sa.String(length=80), nullable=False),
        sa.Column("theme", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=30), nullable=False),
        sa.Column("concerns", sa.Integer(), nullable=False),
        sa.Column("urgent", sa.Integer(), nullable=False),
        sa.Column("agree", sa.Integer(), nullable=False),
        sa.Column("disagree", sa.Integer(), nullable=False),
        sa.Column("dont_know", sa.Integer(), nullable=False),
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
    op.create_table(
        "digests",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outbox_path", sa.String(length=500), nullable=False),
        sa.Column("emailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digests")),
        sa.UniqueConstraint("kind", "period_start", name="uq_digest_period"),
    )
    op.create_table(
        "emerging_issues",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("grain", sa.String(length=5), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("district", sa.String(length=40), nullable=False),
        sa.Column("theme", sa.String(length=40), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("baseline_mean", sa.Float(), nullable=False),
        sa.Column("p_value", sa.Float(), nullable=False),
        sa.Column("method", sa.String(length=80), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emerging_issues")),
        sa.UniqueConstraint("grain", "period_start", "district", "theme", name="uq_emerging_issue"),
    )
    with op.batch_alter_table("emerging_issues", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_emerging_issues_period_start"), ["period_start"], unique=False
        )

    op.create_table(
        "job_runs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("job_name", sa.String(length=60), nullable=False),
        sa.Column("period_key", sa.String(length=40), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("triggered_by", sa.String(length=40), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('running', 'succeeded', 'failed')", name=op.f("ck_job_runs_outcome")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_runs")),
        sa.UniqueConstraint("job_name", "period_key", name="uq_job_runs_job_period"),
    )
    op.create_table(
        "model_versions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("version", sa.String(length=80), nullable=False),
        sa.Column("trained_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("corrections_used", sa.Integer(), nullable=False),
        sa.Column("macro_f1", sa.Float(), nullable=False),
        sa.Column("previous_version", sa.String(length=80), nullable=True),
        sa.Column("previous_macro_f1", sa.Float(), nullable=True),
        sa.Column("promoted", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_versions")),
        sa.UniqueConstraint("version", name=op.f("uq_model_versions_version")),
    )
    op.create_table(
        "new_topics",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("grain", sa.String(length=5), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("district", sa.String(length=40), nullable=True),
        sa.Column("top_terms", sa.JSON(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("example_concern_ids", sa.JSON(), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_new_topics")),
    )
    with op.batch_alter_table("new_topics", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_new_topics_period_start"), ["period_start"], unique=False
        )

    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.Column("district_scope", sa.String(length=40), nullable=True),
        sa.Column("neighbourhood_scope", sa.String(length=80), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.Column("totp_secret", sa.String(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("session_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "role IN ('outreach', 'analyst', 'panel', 'commissioner_office', 'admin')",
            name=op.f("ck_users_role"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
        sa.UniqueConstraint("session_token", name=op.f("uq_users_session_token")),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("object_type", sa.String(length=40), nullable=True),
        sa.Column("object_id", sa.String(length=40), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_audit_events_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_at"), ["at"], unique=False)

    op.create_table(
        "outreach_sessions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("district", sa.String(length=40), nullable=False),
        sa.Column("venue", sa.String(length=200), nullable=False),
        sa.Column("people_spoken_to", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column(
            "created_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('surgery', 'street_briefing', 'panel_meeting', 'community_event', 'other')",
            name=op.f("ck_outreach_sessions_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_outreach_sessions_created_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outreach_sessions")),
    )
    with op.batch_alter_table("outreach_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outreach_sessions_held_on"), ["held_on"], unique=False)

    op.create_table(
        "import_batches",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("rows_imported", sa.Integer(), nullable=False),
        sa.Column(
            "outreach_session_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column(
            "created_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_import_batches_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["outreach_session_id"],
            ["outreach_sessions.id"],
            name=op.f("fk_import_batches_outreach_session_id_outreach_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batches")),
        sa.UniqueConstraint("file_sha256", name=op.f("uq_import_batches_file_sha256")),
    )
    op.create_table(
        "theme_labels",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "concern_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("theme", sa.String(length=40), nullable=False),
        sa.Column("secondary_themes", sa.JSON(), nullable=False),
        sa.Column("previous_theme", sa.String(length=40), nullable=True),
        sa.Column("previous_confidence", sa.Float(), nullable=True),
        sa.Column("previous_model_version", sa.String(length=80), nullable=True),
        sa.Column(
            "labelled_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("labelled_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["concern_id"],
            ["concerns.id"],
            name=op.f("fk_theme_labels_concern_id_concerns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["labelled_by"], ["users.id"], name=op.f("fk_theme_labels_labelled_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_theme_labels")),
    )
    with op.batch_alter_table("theme_labels", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_theme_labels_concern_id"), ["concern_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_theme_labels_labelled_at"), ["labelled_at"], unique=False
        )

    with op.batch_alter_table("concerns", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "outreach_session_id",
                sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column(
                "import_batch_id",
                sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column(
                "logged_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column(
                "duplicate_of_id",
                sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column(
                "handled_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
            )
        )
        batch_op.add_column(sa.Column("outcome_note", sa.Text(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_concerns_duplicate_of_id"), ["duplicate_of_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_concerns_outreach_session_id"), ["outreach_session_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_concerns_duplicate_of_id_concerns"),
            "concerns",
            ["duplicate_of_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_concerns_handled_by_users"), "users", ["handled_by"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_concerns_logged_by_users"), "users", ["logged_by"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_concerns_outreach_session_id_outreach_sessions"),
            "outreach_sessions",
            ["outreach_session_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_concerns_import_batch_id_import_batches"),
            "import_batches",
            ["import_batch_id"],
            ["id"],
        )

    _make_audit_log_append_only()


def downgrade() -> None:
    _drop_append_only_guard()
    with op.batch_alter_table("concerns", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_concerns_import_batch_id_import_batches"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_concerns_outreach_session_id_outreach_sessions"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_concerns_logged_by_users"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_concerns_handled_by_users"), type_="foreignkey")
        batch_op.drop_constraint(
            batch_op.f("fk_concerns_duplicate_of_id_concerns"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_concerns_outreach_session_id"))
        batch_op.drop_index(batch_op.f("ix_concerns_duplicate_of_id"))
        batch_op.drop_column("outcome_note")
        batch_op.drop_column("handled_by")
        batch_op.drop_column("handled_at")
        batch_op.drop_column("duplicate_of_id")
        batch_op.drop_column("logged_by")
        batch_op.drop_column("import_batch_id")
        batch_op.drop_column("outreach_session_id")

    with op.batch_alter_table("theme_labels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_theme_labels_labelled_at"))
        batch_op.drop_index(batch_op.f("ix_theme_labels_concern_id"))

    op.drop_table("theme_labels")
    op.drop_table("import_batches")
    with op.batch_alter_table("outreach_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outreach_sessions_held_on"))

    op.drop_table("outreach_sessions")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_at"))
        batch_op.drop_index(batch_op.f("ix_audit_events_action"))

    op.drop_table("audit_events")
    op.drop_table("users")
    with op.batch_alter_table("new_topics", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_new_topics_period_start"))

    op.drop_table("new_topics")
    op.drop_table("model_versions")
    op.drop_table("job_runs")
    with op.batch_alter_table("emerging_issues", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_emerging_issues_period_start"))

    op.drop_table("emerging_issues")
    op.drop_table("digests")
    op.drop_table("concern_counts")
