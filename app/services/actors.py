"""Who is acting: an officer with roles per agency, or the system itself."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.models import User


@dataclass(frozen=True)
class Actor:
    id: int | None
    name: str
    agency_id: int | None = None
    roles: frozenset[tuple[str, int]] = field(default_factory=frozenset)

    def can(self, role: str, agency_id: int) -> bool:
        return (role, agency_id) in self.roles

    def agencies_for(self, role: str) -> set[int]:
        return {a for r, a in self.roles if r == role}

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(
            user.id,
            user.full_name,
            user.agency_id,
            frozenset((str(r.role), r.agency_id) for r in user.roles),
        )


SYSTEM = Actor(None, "Hệ thống")
