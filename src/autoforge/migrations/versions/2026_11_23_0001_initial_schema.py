"""Initial schema: prompts, versions, tags, labels, templates, evaluations, events, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 17:46:09.515656
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
        "audit_log",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("entity_type", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("occurred_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "action IN ('create', 'update', 'delete', 'restore', 'hard_delete', 'label', 'rollback', 'import', 'render', 'status')",
            name=op.f("ck_audit_log_action_enum"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_actor", ["actor", "occurred_at"], unique=False)
        batch_op.create_index(
            "ix_audit_log_entity", ["entity_type", "entity_id", "occurred_at"], unique=False
        )

    op.create_table(
        "event_dead_letters",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("event_type", sa.String(length=128), nullable=False),
        sa.Column("handler", sa.String(length=200), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("failed_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint("attempts >= 1", name=op.f("ck_event_dead_letters_attempts_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_dead_letters")),
    )
    with op.batch_alter_table("event_dead_letters", schema=None) as batch_op:
        batch_op.create_index(
            "uq_event_dead_letters_event_handler", ["event_id", "handler"], unique=True
        )

    op.create_table(
        "event_deliveries",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("handler", sa.String(length=200), nullable=False),
        sa.Column("delivered_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("event_id", "handler", name=op.f("pk_event_deliveries")),
    )
    op.create_table(
        "event_store",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("stream_id", sa.String(length=128), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("event_type", sa.String(length=128), nullable=False),
        sa.Column("event_data", sa.JSON(), nullable=False),
        sa.Column("occurred_at", sa.String(length=32), nullable=False),
        sa.Column("published_at", sa.String(length=32), nullable=True),
        sa.CheckConstraint("version >= 1", name=op.f("ck_event_store_event_version_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_store")),
    )
    with op.batch_alter_table("event_store", schema=None) as batch_op:
        batch_op.create_index("ix_event_store_event_type", ["event_type"], unique=False)
        batch_op.create_index(
            "ix_event_store_unpublished",
            ["occurred_at"],
            unique=False,
            sqlite_where=sa.text("published_at IS NULL"),
        )
        batch_op.create_index(
            "uq_event_store_stream_version", ["stream_id", "version"], unique=True
        )

    op.create_table(
        "prompt_templates",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=True),
        sa.Column("usage_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "length(name) BETWEEN 1 AND 200", name=op.f("ck_prompt_templates_template_name_length")
        ),
        sa.CheckConstraint(
            "usage_count >= 0", name=op.f("ck_prompt_templates_usage_count_non_negative")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prompt_templates")),
    )
    with op.batch_alter_table("prompt_templates", schema=None) as batch_op:
        batch_op.create_index(
            "ix_prompt_templates_category_usage", ["category", "usage_count"], unique=False
        )
        batch_op.create_index("uq_prompt_templates_user_name", ["user_id", "name"], unique=True)

    op.create_table(
        "prompts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.String(length=36), nullable=True),
        sa.Column("template_id", sa.String(length=36), nullable=True),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.Column("deleted_at", sa.String(length=32), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'active', 'archived')", name=op.f("ck_prompts_status_enum")
        ),
        sa.CheckConstraint("length(name) BETWEEN 1 AND 200", name=op.f("ck_prompts_name_length")),
        sa.CheckConstraint("length(title) >= 1", name=op.f("ck_prompts_title_not_empty")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_prompts_version_positive")),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["prompts.id"],
            name=op.f("fk_prompts_parent_id_prompts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["prompt_templates.id"],
            name=op.f("fk_prompts_template_id_prompt_templates"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prompts")),
    )
    with op.batch_alter_table("prompts", schema=None) as batch_op:
        batch_op.create_index("ix_prompts_created_at", ["created_at"], unique=False)
        batch_op.create_index("ix_prompts_deleted_at", ["deleted_at"], unique=False)
        batch_op.create_index(
            "ix_prompts_live_by_user",
            ["user_id", "status", "created_at", "id"],
            unique=False,
            sqlite_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.create_index(
            "ix_prompts_live_by_user_created",
            ["user_id", "created_at", "id"],
            unique=False,
            sqlite_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.create_index("ix_prompts_parent_id", ["parent_id"], unique=False)
        batch_op.create_index("ix_prompts_status", ["status"], unique=False)
        batch_op.create_index("ix_prompts_user_id", ["user_id"], unique=False)
        batch_op.create_index(
            "ix_prompts_user_status_created", ["user_id", "status", "created_at"], unique=False
        )
        batch_op.create_index("uq_prompts_user_id_name", ["user_id", "name"], unique=True)

    op.create_table(
        "evaluations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("prompt_id", sa.String(length=36), nullable=False),
        sa.Column("prompt_version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("overall_score", sa.Float(), nullable=True),
        sa.Column("accuracy_score", sa.Float(), nullable=True),
        sa.Column("hallucination_rate", sa.Float(), nullable=True),
        sa.Column("style_consistency", sa.Float(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'running', 'completed', 'failed')",
            name=op.f("ck_evaluations_status_enum"),
        ),
        sa.CheckConstraint(
            "accuracy_score IS NULL OR (accuracy_score >= 0.0 AND accuracy_score <= 1.0)",
            name=op.f("ck_evaluations_accuracy_score_range"),
        ),
        sa.CheckConstraint(
            "hallucination_rate IS NULL OR (hallucination_rate >= 0.0 AND hallucination_rate <= 1.0)",
            name=op.f("ck_evaluations_hallucination_rate_range"),
        ),
        sa.CheckConstraint(
            "overall_score IS NULL OR (overall_score >= 0.0 AND overall_score <= 1.0)",
            name=op.f("ck_evaluations_overall_score_range"),
        ),
        sa.CheckConstraint(
            "style_consistency IS NULL OR (style_consistency >= 0.0 AND style_consistency <= 1.0)",
            name=op.f("ck_evaluations_style_consistency_range"),
        ),
        sa.ForeignKeyConstraint(
            ["prompt_id"],
            ["prompts.id"],
            name=op.f("fk_evaluations_prompt_id_prompts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluations")),
    )
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.create_index("ix_evaluations_created_at", ["created_at"], unique=False)
        batch_op.create_index(
            "ix_evaluations_prompt_created", ["prompt_id", "created_at"], unique=False
        )
        batch_op.create_index("ix_evaluations_prompt_id", ["prompt_id"], unique=False)
        batch_op.create_index(
            "ix_evaluations_prompt_status_score",
            ["prompt_id", "status", "overall_score"],
            unique=False,
        )
        batch_op.create_index("ix_evaluations_provider_model", ["provider", "model"], unique=False)
        batch_op.create_index(
            "ix_evaluations_running",
            ["prompt_id"],
            unique=False,
            sqlite_where=sa.text("status = 'running'"),
        )
        batch_op.create_index("ix_evaluations_status", ["status"], unique=False)

    op.create_table(
        "prompt_labels",
        sa.Column("prompt_id", sa.String(length=36), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(length=128), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "length(label) BETWEEN 1 AND 64", name=op.f("ck_prompt_labels_label_length")
        ),
        sa.CheckConstraint(
            "version_number >= 1", name=op.f("ck_prompt_labels_label_version_positive")
        ),
        sa.ForeignKeyConstraint(
            ["prompt_id"],
            ["prompts.id"],
            name=op.f("fk_prompt_labels_prompt_id_prompts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("prompt_id", "label", name=op.f("pk_prompt_labels")),
    )
    with op.batch_alter_table("prompt_labels", schema=None) as batch_op:
        batch_op.create_index("ix_prompt_labels_label", ["label"], unique=False)

    op.create_table(
        "prompt_tags",
        sa.Column("prompt_id", sa.String(length=36), nullable=False),
        sa.Column("tag_name", sa.String(length=50), nullable=False),
        sa.CheckConstraint(
            "length(tag_name) BETWEEN 1 AND 50", name=op.f("ck_prompt_tags_tag_name_length")
        ),
        sa.ForeignKeyConstraint(
            ["prompt_id"],
            ["prompts.id"],
            name=op.f("fk_prompt_tags_prompt_id_prompts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("prompt_id", "tag_name", name=op.f("pk_prompt_tags")),
    )
    with op.batch_alter_table("prompt_tags", schema=None) as batch_op:
        batch_op.create_index("ix_prompt_tags_tag_name", ["tag_name"], unique=False)

    op.create_table(
        "prompt_versions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("prompt_id", sa.String(length=36), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("change_note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "version_number >= 1", name=op.f("ck_prompt_versions_version_number_positive")
        ),
        sa.ForeignKeyConstraint(
            ["prompt_id"],
            ["prompts.id"],
            name=op.f("fk_prompt_versions_prompt_id_prompts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prompt_versions")),
    )
    with op.batch_alter_table("prompt_versions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_prompt_versions_prompt_created", ["prompt_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "uq_prompt_versions_prompt_version", ["prompt_id", "version_number"], unique=True
        )

    op.create_table(
        "test_results",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("evaluation_id", sa.String(length=36), nullable=False),
        sa.Column("test_case_name", sa.String(length=255), nullable=False),
        sa.Column("input", sa.JSON(), nullable=False),
        sa.Column("output", sa.Text(), nullable=True),
        sa.Column("expected", sa.Text(), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Column("tokens", sa.Integer(), nullable=False),
        sa.Column("cost", sa.Float(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint("cost >= 0", name=op.f("ck_test_results_cost_non_negative")),
        sa.CheckConstraint("latency_ms >= 0", name=op.f("ck_test_results_latency_non_negative")),
        sa.CheckConstraint(
            "score >= 0.0 AND score <= 1.0", name=op.f("ck_test_results_score_range")
        ),
        sa.CheckConstraint("tokens >= 0", name=op.f("ck_test_results_tokens_non_negative")),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["evaluations.id"],
            name=op.f("fk_test_results_evaluation_id_evaluations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_test_results")),
    )
    with op.batch_alter_table("test_results", schema=None) as batch_op:
        batch_op.create_index(
            "ix_test_results_eval_passed_score", ["evaluation_id", "passed", "score"], unique=False
        )
        batch_op.create_index(
            "ix_test_results_eval_score", ["evaluation_id", "score"], unique=False
        )
        batch_op.create_index("ix_test_results_evaluation_id", ["evaluation_id"], unique=False)
        batch_op.create_index("ix_test_results_passed", ["passed"], unique=False)
        batch_op.create_index("ix_test_results_score", ["score"], unique=False)
        batch_op.create_index(
            "uq_test_results_eval_case", ["evaluation_id", "test_case_name"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("test_results", schema=None) as batch_op:
        batch_op.drop_index("uq_test_results_eval_case")
        batch_op.drop_index("ix_test_results_score")
        batch_op.drop_index("ix_test_results_passed")
        batch_op.drop_index("ix_test_results_evaluation_id")
        batch_op.drop_index("ix_test_results_eval_score")
        batch_op.drop_index("ix_test_results_eval_passed_score")

    op.drop_table("test_results")
    with op.batch_alter_table("prompt_versions", schema=None) as batch_op:
        batch_op.drop_index("uq_prompt_versions_prompt_version")
        batch_op.drop_index("ix_prompt_versions_prompt_created")

    op.drop_table("prompt_versions")
    with op.batch_alter_table("prompt_tags", schema=None) as batch_op:
        batch_op.drop_index("ix_prompt_tags_tag_name")

    op.drop_table("prompt_tags")
    with op.batch_alter_table("prompt_labels", schema=None) as batch_op:
        batch_op.drop_index("ix_prompt_labels_label")

    op.drop_table("prompt_labels")
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.drop_index("ix_evaluations_status")
        batch_op.drop_index("ix_evaluations_running", sqlite_where=sa.text("status = 'running'"))
        batch_op.drop_index("ix_evaluations_provider_model")
        batch_op.drop_index("ix_evaluations_prompt_status_score")
        batch_op.drop_index("ix_evaluations_prompt_id")
        batch_op.drop_index("ix_evaluations_prompt_created")
        batch_op.drop_index("ix_evaluations_created_at")

    op.drop_table("evaluations")
    with op.batch_alter_table("prompts", schema=None) as batch_op:
        batch_op.drop_index("uq_prompts_user_id_name")
        batch_op.drop_index("ix_prompts_user_status_created")
        batch_op.drop_index("ix_prompts_user_id")
        batch_op.drop_index("ix_prompts_status")
        batch_op.drop_index("ix_prompts_parent_id")
        batch_op.drop_index(
            "ix_prompts_live_by_user_created", sqlite_where=sa.text("deleted_at IS NULL")
        )
        batch_op.drop_index("ix_prompts_live_by_user", sqlite_where=sa.text("deleted_at IS NULL"))
        batch_op.drop_index("ix_prompts_deleted_at")
        batch_op.drop_index("ix_prompts_created_at")

    op.drop_table("prompts")
    with op.batch_alter_table("prompt_templates", schema=None) as batch_op:
        batch_op.drop_index("uq_prompt_templates_user_name")
        batch_op.drop_index("ix_prompt_templates_category_usage")

    op.drop_table("prompt_templates")
    with op.batch_alter_table("event_store", schema=None) as batch_op:
        batch_op.drop_index("uq_event_store_stream_version")
        batch_op.drop_index(
            "ix_event_store_unpublished", sqlite_where=sa.text("published_at IS NULL")
        )
        batch_op.drop_index("ix_event_store_event_type")

    op.drop_table("event_store")
    op.drop_table("event_deliveries")
    with op.batch_alter_table("event_dead_letters", schema=None) as batch_op:
        batch_op.drop_index("uq_event_dead_letters_event_handler")

    op.drop_table("event_dead_letters")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_entity")
        batch_op.drop_index("ix_audit_log_actor")

    op.drop_table("audit_log")
