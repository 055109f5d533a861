"""The core's extension points: what the engine may run inside a step, and what follows a
projected step (điểm mở rộng của lõi).

The core (loading and saving an instance, the projection) uses no other services package; the
packages above it plug their behaviour in here, all of it in one list:
`app.services.wiring`, which `app/services/__init__.py` imports, so every entry point
(web, worker, command line, tests, benches) runs with the same follow-ups.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from app.domain.status import DossierStatus
from app.engine import LocalCalls
from app.services.core.actors import Actor

if TYPE_CHECKING:
    from app.services.core.runtime import DossierRef

# The operators a step runs in its own transaction, bound to its dossier and actor.
LocalOperators = Callable[[Session, "DossierRef", Actor], LocalCalls]
# (session, dossier, previous status, new status, actor)
StatusFollowUp = Callable[[Session, "DossierRef", int, DossierStatus, Actor], None]
# (session, instance id, dossier, the property's value, actor, element name)
PropertyFollowUp = Callable[[Session, int, "DossierRef", str, Actor, str], None]


def _not_wired(session: Session, dossier: DossierRef, actor: Actor) -> LocalCalls:
    # Loud rather than running every operator through the outbox without a word.
    raise RuntimeError("the services are not wired: import app.services (app.services.wiring)")


@dataclass(frozen=True)
class Hooks:
    """Everything the core calls above itself.

    - `local_operators`: the operators a BPMN service task may run inside the step;
    - `before_status`: run when a status is being recorded, before it is audited and sent to
      the portal (they may move the dossier's due time, which the portal record carries);
    - `after_status`: run once the status is recorded and queued to the portal;
    - `on_property`: for a completed element carrying one of these properties, the handler
      gets its value (after the statuses, before the element's service calls are queued).
    """

    local_operators: LocalOperators = _not_wired
    before_status: tuple[StatusFollowUp, ...] = ()
    after_status: tuple[StatusFollowUp, ...] = ()
    on_property: Mapping[str, PropertyFollowUp] = field(default_factory=dict)


current = Hooks()


def install(hooks: Hooks) -> None:
    """Replace the hooks in force (done once, by `app.services.wiring`)."""
    global current  # noqa: PLW0603 # one registry for the process, set when services load
    current = hooks
