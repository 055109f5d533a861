"""RQ jobs. Each parses its input and calls services; no business rules live here."""

from __future__ import annotations

import logging
from functools import lru_cache

from app import settings
from app.bootstrap import ensure_configured
from app.integrations.errors import IntegrationError
from app.integrations.operators import Clients, call_operator, clients_from_config
from app.services import outbox, service_calls
from app.services.errors import Conflict, ServiceError

log = logging.getLogger(__name__)
RESUME_ATTEMPTS = 3


_KEYS = (
    "PORTAL_URL",
    "WAREHOUSE_URL",
    "HTTP_TIMEOUT",
    "MAIL_SERVER",
    "MAIL_FROM",
    "FILE_STORE",
    "SMS_GATEWAY_URL",
)


@lru_cache(maxsize=4)
def _clients(values: tuple) -> Clients:
    return clients_from_config(dict(zip(_KEYS, values, strict=True)))


def clients() -> Clients:
    """The clients for the configuration in force (rebuilt when it changes)."""
    return _clients(tuple(getattr(settings.current, key) for key in _KEYS))


def deliver_outbox(outbox_id: int) -> str:
    """Make one outbox call (idempotency key = the row id) and hand its result back."""
    ensure_configured()
    claimed = outbox.claim(outbox_id)
    if claimed is None:
        return "skipped"
    try:
        result = call_operator(claimed.operator, claimed.params, f"outbox-{claimed.id}", clients())
    except IntegrationError as exc:
        log.warning("outbox %s (%s) failed: %s", claimed.id, claimed.operator, exc)
        return outbox.record_failure(claimed.id, str(exc), retryable=exc.retryable)
    except Exception as exc:  # noqa: BLE001 - an unexpected bug must not lose the row
        log.exception("outbox %s crashed", claimed.id)
        return outbox.record_failure(claimed.id, f"{type(exc).__name__}: {exc}", retryable=True)
    for _ in range(RESUME_ATTEMPTS):
        try:
            return service_calls.complete_service_call(claimed.id, result)
        except Conflict:
            continue  # an officer saved the same instance at that moment: read it again
        except ServiceError as exc:
            # The process itself failed on this result (e.g. a script error): a person must look.
            return outbox.record_failure(claimed.id, exc.message, retryable=False)
    return outbox.record_failure(claimed.id, "could not resume the process", retryable=True)
