"""Roles and how a BPMN lane names one (by code or by its Vietnamese label)."""

from __future__ import annotations

ROLE_LABELS_VI = {
    "reception": "Cán bộ một cửa",
    "processing": "Chuyên viên xử lý",
    "leader": "Lãnh đạo",
    "supervisor": "Giám sát",
    "analyst": "Phân tích nghiệp vụ",
    "admin": "Quản trị",
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
