"""The plain records the runtime hands to use cases: a dossier, an instance, a task being
worked on, and an instance loaded with its engine run (kept apart from `runtime` so that
module stays readable)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.engine import ProcessRun


@dataclass
class DossierRef:
    """What the runtime needs of a dossier, its procedure and agency; `status` is kept current."""

    id: int
    code: str
    status: int
    agency_id: int
    agency_code: str
    procedure_id: int
    procedure_code: str
    procedure_name: str
    step_durations: dict[str, float]
    channel: str
    owner_type: int
    owner_id: str
    owner_name: str
    received_at: datetime
    due_at: datetime | None
    finished_at: datetime | None
    duration: float
    duration_unit: str
    supplement_clock: str
    clock_paused_at: datetime | None
    # {element_id: [username, ...]} from the procedure catalog (None when not configured)
    step_officers: dict[str, list[str]] | None = None


@dataclass
class InstanceRef:
    id: int
    version: int
    status: str
    model_version_id: int
    state: str
    next_timer_at: datetime | None


@dataclass
class TaskRef:
    """The projection row of a task being worked on: what a use case checks before running it."""

    id: str
    role: str
    agency_id: int
    state: str
    assignee_id: int | None
    form: dict[str, Any] | None
    title: str
    element_id: str
    instance_id: int
    dossier_id: int


@dataclass
class Loaded:
    """An instance loaded for one use case: its row, its dossier, and the engine's run."""

    instance: InstanceRef
    dossier: DossierRef
    run: ProcessRun


@dataclass
class LoadedTask(Loaded):
    """An instance loaded through one of its tasks, with that task's projection row."""

    task: TaskRef
