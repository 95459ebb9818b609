"""Teams: organizations, projects, users, memberships, API keys; every tenant row in a project.

A database made before teams held one user's data. It moves, with nothing lost, into the
default organization's default project, owned by the local user (`make run`'s identity):
the owner columns are renamed `project_id` and filled with the default project's id.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 23:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_ORGANIZATION_ID = "default-org"
DEFAULT_PROJECT_ID = "default-project"
LOCAL_USER_ID = "local-user"
NOW = "2026-12-02T00:00:00.000000Z"
ROLE_CHECK = "role IN ('viewer', 'member', 'admin', 'owner')"

NewIndex = tuple[str, list[str], bool, str | None]  # name, columns, unique, partial
# table -> (old indexes on user_id, new indexes on project_id)
RENAMED: dict[str, tuple[list[str], list[NewIndex]]] = {
    "prompts": (
        [
            "uq_prompts_user_id_name",
            "ix_prompts_user_id",
            "ix_prompts_user_status_created",
            "ix_prompts_live_by_user",
            "ix_prompts_live_by_user_created",
        ],
        [
            ("uq_prompts_project_name", ["project_id", "name"], True, None),
            (
                "ix_prompts_project_status_created",
                ["project_id", "status", "created_at"],
                False,
                None,
            ),
            (
                "ix_prompts_live_by_project",
                ["project_id", "status", "created_at", "id"],
                False,
                "deleted_at IS NULL",
            ),
            (
                "ix_prompts_live_by_project_created",
                ["project_id", "created_at", "id"],
                False,
                "deleted_at IS NULL",
            ),
        ],
    ),
    "prompt_templates": (
        ["uq_prompt_templates_user_name"],
        [("uq_prompt_templates_project_name", ["project_id", "name"], True, None)],
    ),
    "datasets": (
        ["uq_datasets_user_name"],
        [("uq_datasets_project_name", ["project_id", "name"], True, None)],
    ),
    "evaluations": (
        ["ix_evaluations_user_created"],
        [("ix_evaluations_project_created", ["project_id", "created_at"], False, None)],
    ),
    "optimizations": (
        ["ix_optimizations_user_created"],
        [("ix_optimizations_project_created", ["project_id", "created_at"], False, None)],
    ),
}
OLD_AUDIT_ACTIONS = (
    "action IN ('create', 'update', 'delete', 'restore', 'hard_delete', 'label', "
    "'rollback', 'import', 'render', 'status')"
)
NEW_AUDIT_ACTIONS = (
    "action IN ('create', 'update', 'delete', 'restore', 'hard_delete', 'label', "
    "'rollback', 'import', 'render', 'status', 'revoke', 'add_member', 'remove_member', "
    "'reencrypt')"
)


def _identity_tables() -> None:
    op.create_table(
        "organizations",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "length(name) BETWEEN 1 AND 200", name=op.f("ck_organizations_organization_name_length")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizations")),
    )
    op.create_index("uq_organizations_external_id", "organizations", ["external_id"], unique=True)
    op.create_table(
        "projects",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("organization_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "length(name) BETWEEN 1 AND 200", name=op.f("ck_projects_project_name_length")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_projects_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
    )
    op.create_index(
        "uq_projects_organization_name", "projects", ["organization_id", "name"], unique=True
    )
    op.create_table(
        "users",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("external_id", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
    )
    op.create_index("uq_users_email", "users", ["email"], unique=True)
    op.create_index("uq_users_external_id", "users", ["external_id"], unique=True)
    op.create_table(
        "memberships",
        sa.Column("organization_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint(ROLE_CHECK, name=op.f("ck_memberships_membership_role")),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_memberships_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_memberships_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", "user_id", name=op.f("pk_memberships")),
    )
    op.create_index("ix_memberships_user_id", "memberships", ["user_id"], unique=False)
    op.create_table(
        "project_roles",
        sa.Column("project_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.CheckConstraint(ROLE_CHECK, name=op.f("ck_project_roles_project_role_role")),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_roles_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_project_roles_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", "user_id", name=op.f("pk_project_roles")),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("project_id", sa.String(), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("lookup", sa.String(length=32), nullable=False),
        sa.Column("salt", sa.String(length=32), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("display", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("expires_at", sa.String(length=32), nullable=True),
        sa.Column("revoked_at", sa.String(length=32), nullable=True),
        sa.Column("last_used_at", sa.String(length=32), nullable=True),
        sa.CheckConstraint(ROLE_CHECK, name=op.f("ck_api_keys_api_key_role")),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_api_keys_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
    )
    op.create_index("uq_api_keys_public_key", "api_keys", ["public_key"], unique=True)
    op.create_index("uq_api_keys_lookup", "api_keys", ["lookup"], unique=True)
    op.create_index("ix_api_keys_project_id", "api_keys", ["project_id"], unique=False)


def _defaults() -> None:
    op.execute(
        sa.text(
            "INSERT INTO organizations (id, name, created_at) VALUES (:org, 'Default', :now)"
        ).bindparams(org=DEFAULT_ORGANIZATION_ID, now=NOW)
    )
    op.execute(
        sa.text(
            "INSERT INTO projects (id, organization_id, name, created_at) "
            "VALUES (:project, :org, 'Default', :now)"
        ).bindparams(project=DEFAULT_PROJECT_ID, org=DEFAULT_ORGANIZATION_ID, now=NOW)
    )
    op.execute(
        sa.text(
            "INSERT INTO users (id, name, created_at) VALUES (:user, 'Local user', :now)"
        ).bindparams(user=LOCAL_USER_ID, now=NOW)
    )
    op.execute(
        sa.text(
            "INSERT INTO memberships (organization_id, user_id, role, created_at) "
            "VALUES (:org, :user, 'owner', :now)"
        ).bindparams(org=DEFAULT_ORGANIZATION_ID, user=LOCAL_USER_ID, now=NOW)
    )


def upgrade() -> None:
    _identity_tables()
    _defaults()
    for table, (old_indexes, new_indexes) in RENAMED.items():
        for name in old_indexes:
            op.drop_index(name, table_name=table)
        # SQLite 3.25+ renames in place; no table copy, so no row can be lost on the way.
        op.execute(f'ALTER TABLE "{table}" RENAME COLUMN user_id TO project_id')
        op.execute(
            sa.text(f'UPDATE "{table}" SET project_id = :project').bindparams(
                project=DEFAULT_PROJECT_ID
            )
        )
        for name, columns, unique, where in new_indexes:
            op.create_index(
                name,
                table,
                columns,
                unique=unique,
                sqlite_where=sa.text(where) if where else None,
            )
    # Existing prompts stay private to the project they move into. No CHECK constraint: on
    # sqld, ADD COLUMN with one ended the migration's transaction now and then (the next
    # statement found no tables), and a table rebuild would cascade through the foreign
    # keys; the API accepts only the three values.
    op.add_column(
        "prompts",
        sa.Column("visibility", sa.String(length=16), nullable=False, server_default="private"),
    )
    op.add_column("llm_calls", sa.Column("project_id", sa.String(length=64), nullable=True))
    op.execute(
        sa.text("UPDATE llm_calls SET project_id = :project").bindparams(project=DEFAULT_PROJECT_ID)
    )
    op.create_index(
        "ix_llm_calls_project_created", "llm_calls", ["project_id", "created_at"], unique=False
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("project_id", sa.String(length=64), nullable=True))
        batch_op.drop_constraint(op.f("ck_audit_log_action_enum"), type_="check")
        batch_op.create_check_constraint("action_enum", sa.text(NEW_AUDIT_ACTIONS))
    op.execute(
        sa.text("UPDATE audit_log SET project_id = :project").bindparams(project=DEFAULT_PROJECT_ID)
    )
    op.create_index(
        "ix_audit_log_project", "audit_log", ["project_id", "occurred_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_audit_log_project", table_name="audit_log")
    op.execute(
        sa.text(
            "DELETE FROM audit_log WHERE action IN "
            "('revoke', 'add_member', 'remove_member', 'reencrypt')"
        )
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_audit_log_action_enum"), type_="check")
        batch_op.create_check_constraint("action_enum", sa.text(OLD_AUDIT_ACTIONS))
        batch_op.drop_column("project_id")
    op.drop_column("prompts", "visibility")
    op.drop_index("ix_llm_calls_project_created", table_name="llm_calls")
    op.drop_column("llm_calls", "project_id")
    # Every project's rows go back to the one local user: a pre-teams database had one.
    for table, (_old, new_indexes) in RENAMED.items():
        for name, *_ in new_indexes:
            op.drop_index(name, table_name=table)
        op.execute(f'ALTER TABLE "{table}" RENAME COLUMN project_id TO user_id')
        op.execute(sa.text(f'UPDATE "{table}" SET user_id = :user').bindparams(user=LOCAL_USER_ID))
    op.create_index("uq_prompts_user_id_name", "prompts", ["user_id", "name"], unique=True)
    op.create_index("ix_prompts_user_id", "prompts", ["user_id"], unique=False)
    op.create_index(
        "ix_prompts_user_status_created", "prompts", ["user_id", "status", "created_at"]
    )
    op.create_index(
        "ix_prompts_live_by_user",
        "prompts",
        ["user_id", "status", "created_at", "id"],
        sqlite_where=sa.text("deleted_at IS NULL"),
    )
    op.create_index(
        "ix_prompts_live_by_user_created",
        "prompts",
        ["user_id", "created_at", "id"],
        sqlite_where=sa.text("deleted_at IS NULL"),
    )
    op.create_index(
        "uq_prompt_templates_user_name", "prompt_templates", ["user_id", "name"], unique=True
    )
    op.create_index("uq_datasets_user_name", "datasets", ["user_id", "name"], unique=True)
    op.create_index("ix_evaluations_user_created", "evaluations", ["user_id", "created_at"])
    op.create_index("ix_optimizations_user_created", "optimizations", ["user_id", "created_at"])
    for table in ("api_keys", "project_roles", "memberships", "users", "projects", "organizations"):
        op.drop_table(table)
