"""Tables of the dataset aggregate: a dataset, its immutable versions, and their items."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from autoforge.db.base import Base, new_id, utcnow
from autoforge.db.tenancy import ProjectOwned


class DatasetRow(ProjectOwned, Base):
    __tablename__ = "datasets"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text, default=None)
    latest_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint("latest_version >= 0", name="latest_version_non_negative"),
        CheckConstraint("length(name) BETWEEN 1 AND 200", name="dataset_name_length"),
        Index("uq_datasets_project_name", "project_id", "name", unique=True),
    )


class DatasetVersionRow(Base):
    """Immutable once written: adding or changing items makes a new version."""

    __tablename__ = "dataset_versions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    dataset_id: Mapped[str] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"))
    version_number: Mapped[int] = mapped_column(Integer)
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    # The version's default scoring (`evaluations.scoring.Scoring`); NULL for versions
    # written before it existed, inferred from the items when read.
    scoring: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    # The input fields whose values its items hold encrypted (`datasets/sealing.py`); NULL
    # when none is: SQL NULL, not JSON `null`, so `IS NOT NULL` finds the versions a key
    # rotation has to visit.
    sensitive: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True), default=None)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint("version_number >= 1", name="dataset_version_positive"),
        CheckConstraint("item_count >= 0", name="item_count_non_negative"),
        Index("uq_dataset_versions_dataset_version", "dataset_id", "version_number", unique=True),
    )


class DatasetItemRow(Base):
    __tablename__ = "dataset_items"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    dataset_version_id: Mapped[str] = mapped_column(
        ForeignKey("dataset_versions.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(255))
    input: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    expected: Mapped[str | None] = mapped_column(Text, default=None)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)

    __table_args__ = (
        CheckConstraint("position >= 0", name="position_non_negative"),
        Index("uq_dataset_items_version_name", "dataset_version_id", "name", unique=True),
        Index("ix_dataset_items_version_position", "dataset_version_id", "position"),
    )
