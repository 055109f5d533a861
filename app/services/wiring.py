"""Where the services packages plug into the core: the one list of the core's extension points.

`app/services/__init__.py` imports this module, so no entry point can forget it. To learn what
happens around a step of the engine besides the projection itself, read the list below.
"""

from __future__ import annotations

from app.services.citizens import notices
from app.services.core import hooks
from app.services.deadlines import escalation, supplement_clock
from app.services.dossiers import local_operators

hooks.install(
    hooks.Hooks(
        # linking the citizen's account, paper shipments, checks of scope: run inside the step
        local_operators=local_operators.bind,
        # the supplement clock stops and restarts before the status reaches the portal
        before_status=(supplement_clock.on_status_change,),
        # the citizen is told of the statuses they care about
        after_status=(notices.on_status_change,),
        # an element carrying `escalate` acts on the dossier's open steps (đôn đốc)
        on_property={escalation.PROPERTY: escalation.escalate},
    )
)
