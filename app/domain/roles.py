"""Roles and how a BPMN lane names one (by code or by its Vietnamese label)."""

from __future__ import annotations

from app.domain.messages import N_

ROLE_LABELS_VI = {
    "reception": N_("Cán bộ một cửa"),
    "processing": N_("Chuyên viên xử lý"),
    "leader": N_("Lãnh đạo"),
    "supervisor": N_("Giám sát"),
    "analyst": N_("Phân tích nghiệp vụ"),
    "admin": N_("Quản trị"),
}

_BY_LABEL = {label.casefold(): code for code, label in ROLE_LABELS_VI.items()}


def role_for_lane(lane: str | None) -> str | None:
    """The role code a lane stands for, or None when the lane names no known role."""
    if not lane:
        return None
    key = lane.strip().casefold()
    if key in ROLE_LABELS_VI:
        return key
    return _BY_LABEL.get(key)


# A user task may restrict who sees the data submitted at it (BPMN property `dataVisibleTo`,
# role codes separated by commas); without it every officer of the agency sees it.
DATA_VISIBLE_TO = "dataVisibleTo"


def parse_role_list(text: str | None) -> list[str]:
    return [code.strip() for code in (text or "").split(",") if code.strip()]


def may_see_step_data(visible_to: list[str] | None, roles: set[str], is_author: bool) -> bool:
    """Whether an officer holding `roles` (in the dossier's agency) sees a step's data."""
    return not visible_to or is_author or bool(set(visible_to) & roles)
