"""Who is acting: an officer with roles per agency, or the system itself."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.domain.messages import N_
from app.models import User


@dataclass(frozen=True)
class Actor:
    id: int | None
    name: str
    agency_id: int | None = None
    roles: frozenset[tuple[str, int]] = field(default_factory=frozenset)
    # The agencies whose dossiers this officer may open: those of its roles and, for officers
    # of a department (phòng) inside an agency, that agency too.
    visible: frozenset[int] = field(default_factory=frozenset)

    def sees(self, agency_id: int) -> bool:
        """Whether this person may see dossiers of `agency_id` (by role or supervision)."""
        return agency_id in self.visible or any(a == agency_id for _, a in self.roles)

    def can(self, role: str, agency_id: int) -> bool:
        """Whether this person holds `role` at `agency_id`."""
        return (role, agency_id) in self.roles

    def sees_dossier(self, agency_id: int, receiving_agency_id: int | None = None) -> bool:
        """The competent agency's officers, and those of the counter that received the dossier
        for it (path C1)."""
        return self.sees(agency_id) or (
            receiving_agency_id is not None and self.sees(receiving_agency_id)
        )

    def acting_agency(
        self, roles: tuple[str, ...], agency_id: int, receiving_agency_id: int | None = None
    ) -> int | None:
        """Where the actor works on a dossier with one of `roles`: its agency, or the counter
        that received it (C1); None when neither."""
        for candidate in (agency_id, receiving_agency_id):
            if candidate is not None and any(self.can(r, candidate) for r in roles):
                return candidate
        return None

    def agencies_for(self, role: str) -> set[int]:
        """The agencies where this person holds `role`."""
        return {a for r, a in self.roles if r == role}

    @classmethod
    def of(cls, user: User) -> Actor:
        """The actor acting as an officer's user account (roles and visible agencies loaded)."""
        return cls(
            user.id,
            user.full_name,
            user.agency_id,
            frozenset((str(r.role), r.agency_id) for r in user.roles),
            frozenset(
                agency
                for r in user.roles
                for agency in (r.agency_id, r.agency.parent_id if r.agency else None)
                if agency is not None
            ),
        )


SYSTEM = Actor(None, N_("Hệ thống"))
