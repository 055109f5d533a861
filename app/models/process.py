"""Process models, their immutable deployed versions and running instances."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Json, UtcDateTime, utcnow


class ProcessModel(Base):
    __tablename__ = "process_model"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(128), unique=True)
    name: Mapped[str] = mapped_column(String(255))


class ModelVersion(Base):
    """A deployed bundle, stored once and keyed by the SHA-256 of its files."""

    __tablename__ = "model_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("process_model.id"), index=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    process_id: Mapped[str] = mapped_column(String(128))
    files: Mapped[dict[str, str]] = mapped_column(Json)
    deployed_by: Mapped[str] = mapped_column(String(64))
    deployed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    comment: Mapped[str] = mapped_column(Text, default="")

    model: Mapped[ProcessModel] = relationship()


class ProcessInstance(Base):
    """Serialized engine state (without its spec), pinned to one model version."""

    __tablename__ = "process_instance"
    __table_args__ = (Index("ix_process_instance_next_timer", "next_timer_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), unique=True)
    model_version_id: Mapped[int] = mapped_column(ForeignKey("model_version.id"), index=True)
    state: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(16), default="running")
    next_timer_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    model_version: Mapped[ModelVersion] = relationship()


class ModelDraft(Base):
    """One saved revision of a bundle being edited (append-only); deploying freezes a version."""

    __tablename__ = "model_draft"
    __table_args__ = (UniqueConstraint("process_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(128), index=True)
    revision: Mapped[int] = mapped_column()
    files: Mapped[dict[str, str]] = mapped_column(Json)
    content_hash: Mapped[str] = mapped_column(String(64))
    problems: Mapped[int] = mapped_column(default=0)
    comment: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    author_name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # The deployed version this revision started from, and the one it became (if deployed).
    base_version_id: Mapped[int | None] = mapped_column(ForeignKey("model_version.id"))
    deployed_version_id: Mapped[int | None] = mapped_column(ForeignKey("model_version.id"))
