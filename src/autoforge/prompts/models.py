"""Tables of the prompt aggregate: prompts, their versions, tags and deployment labels."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from autoforge.db.base import Base, new_id, utcnow
from autoforge.db.tenancy import ProjectOwned

PROMPT_STATUSES = ("draft", "active", "archived")
# private: its project only; shared: every project of its organization (read-only there);
# public: anyone who may read prompts on this server, anonymous callers too when allowed.
PROMPT_VISIBILITIES = ("private", "shared", "public")


class PromptRow(ProjectOwned, Base):
    __tablename__ = "prompts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(255))
    content: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    # A server default only: the bulk import's pre-compiled INSERT leaves the column out.
    visibility: Mapped[str] = mapped_column(String(16), server_default="private")
    version: Mapped[int] = mapped_column(Integer, default=1)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("prompts.id", ondelete="SET NULL"))
    template_id: Mapped[str | None] = mapped_column(
        ForeignKey("prompt_templates.id", ondelete="SET NULL")
    )
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)

    __table_args__ = (
        CheckConstraint("status IN ('draft', 'active', 'archived')", name="status_enum"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("length(name) BETWEEN 1 AND 200", name="name_length"),
        CheckConstraint("length(title) >= 1", name="title_not_empty"),
        Index("uq_prompts_project_name", "project_id", "name", unique=True),
        Index("ix_prompts_status", "status"),
        Index("ix_prompts_created_at", "created_at"),
        Index("ix_prompts_parent_id", "parent_id"),
        Index("ix_prompts_deleted_at", "deleted_at"),
        Index("ix_prompts_project_status_created", "project_id", "status", "created_at"),
        # The hot list query: a project's live prompts newest first, id breaks ties for cursors.
        Index(
            "ix_prompts_live_by_project",
            "project_id",
            "status",
            "created_at",
            "id",
            sqlite_where=text("deleted_at IS NULL"),
        ),
        # The same without a status filter (the default listing) and the export's key order.
        Index(
            "ix_prompts_live_by_project_created",
            "project_id",
            "created_at",
            "id",
            sqlite_where=text("deleted_at IS NULL"),
        ),
    )


class PromptVersionRow(Base):
    __tablename__ = "prompt_versions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    prompt_id: Mapped[str] = mapped_column(ForeignKey("prompts.id", ondelete="CASCADE"))
    version_number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(255))
    content: Mapped[str] = mapped_column(Text)
    change_note: Mapped[str | None] = mapped_column(Text, default=None)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # "text": `content` is the template; "chat": `content` is a JSON list of messages.
    kind: Mapped[str] = mapped_column(String(8), server_default="text")
    config: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)

    __table_args__ = (
        CheckConstraint("version_number >= 1", name="version_number_positive"),
        Index("uq_prompt_versions_prompt_version", "prompt_id", "version_number", unique=True),
        Index("ix_prompt_versions_prompt_created", "prompt_id", "created_at"),
    )


class PromptTagRow(Base):
    __tablename__ = "prompt_tags"

    prompt_id: Mapped[str] = mapped_column(
        ForeignKey("prompts.id", ondelete="CASCADE"), primary_key=True
    )
    tag_name: Mapped[str] = mapped_column(String(50), primary_key=True)

    __table_args__ = (
        CheckConstraint("length(tag_name) BETWEEN 1 AND 50", name="tag_name_length"),
        Index("ix_prompt_tags_tag_name", "tag_name"),
    )


class PromptLabelRow(Base):
    """A deployment pointer (`production`, `staging`, ...) at one version of a prompt."""

    __tablename__ = "prompt_labels"

    prompt_id: Mapped[str] = mapped_column(
        ForeignKey("prompts.id", ondelete="CASCADE"), primary_key=True
    )
    label: Mapped[str] = mapped_column(String(64), primary_key=True)
    version_number: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[str] = mapped_column(String(128))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint("version_number >= 1", name="label_version_positive"),
        CheckConstraint("length(label) BETWEEN 1 AND 64", name="label_length"),
        Index("ix_prompt_labels_label", "label"),
    )


class PromptTemplateRow(ProjectOwned, Base):
    __tablename__ = "prompt_templates"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text, default=None)
    content: Mapped[str] = mapped_column(Text)
    parameters: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    category: Mapped[str | None] = mapped_column(String(64), default=None)
    usage_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint("usage_count >= 0", name="usage_count_non_negative"),
        CheckConstraint("length(name) BETWEEN 1 AND 200", name="template_name_length"),
        Index("uq_prompt_templates_project_name", "project_id", "name", unique=True),
        Index("ix_prompt_templates_category_usage", "category", "usage_count"),
    )
