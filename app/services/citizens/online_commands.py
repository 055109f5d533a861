"""What a citizen's online submission (nộp hồ sơ trực tuyến) asks for, as typed values.

The web layer builds it from the posted form (check boxes as booleans, files as uploads);
`online.submit` checks it against the procedure's components and the warehouses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.documents.intake import Upload


@dataclass(frozen=True)
class SubmitOnline:
    """One online dossier: contact details, and per component's type code either the ref of
    the warehouse document chosen (`chosen`) or the files uploaded (`uploads`)."""

    procedure_code: str
    # the performing agency chosen (002 §5.a Bước 1); empty when a single one performs it
    agency_code: str = ""
    phone: str = ""
    email: str = ""
    summary: str = ""
    e_only: bool = False
    chosen: Mapping[str, str] = field(default_factory=dict)
    uploads: Mapping[str, Sequence[Upload]] = field(default_factory=dict)
    # the form's national data as typed (001 §II.2.b Bước 4), and why any was changed
    form: Mapping[str, Any] = field(default_factory=dict)
    reasons: Mapping[str, str] = field(default_factory=dict)
