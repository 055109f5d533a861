"""RQ jobs. Each parses its input and calls services; no business rules live here."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import lru_cache

from app import logs, metrics, settings
from app.bootstrap import ensure_configured
from app.domain.sector_databases import SECTOR_DATABASES
from app.integrations.errors import IntegrationError
from app.integrations.operators import Clients, call_operator, clients_from_config
from app.services.core import outbox, queue
from app.services.core.errors import Conflict, ServiceError
from app.services.documents import results
from app.services.dossiers import service_calls

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
    "NATIONAL_DB_URL",
    "REUSE_MAX_BYTES",
    "E_AUTHENTICATION_URL",
    *(db.url_setting for db in SECTOR_DATABASES.values()),
)


@lru_cache(maxsize=4)
def _clients(values: tuple) -> Clients:
    return clients_from_config(dict(zip(_KEYS, values, strict=True)))


def clients() -> Clients:
    """The clients for the configuration in force (rebuilt when it changes)."""
    return _clients(tuple(getattr(settings.current, key) for key in _KEYS))


def deliver_outbox(outbox_id: int) -> str:
    """Make one outbox call (idempotency key = the row id) and hand its result back; then
    claim and deliver the next ready rows of the same dossier (the rows its deliveries add
    included), in order, in the same job, up to OUTBOX_BATCH_ROWS rows or
    OUTBOX_BATCH_SECONDS; what is left goes back through the queue. A job whose row another
    job took goes on with what that row's dossier has ready. Returns the first row's state."""
    ensure_configured()
    # the dossier and instance are bound when the call's instance is loaded, for this job only
    with logs.bind(dossier=None, instance=None):
        return _deliver_rows(outbox_id)


def _deliver_rows(outbox_id: int) -> str:
    claimed = outbox.claim(outbox_id) or outbox.claim_with_dossier_of(outbox_id)
    if claimed is None:
        return "skipped"
    cfg = settings.current
    deadline = time.monotonic() + cfg.OUTBOX_BATCH_SECONDS
    dossier, key = claimed.dossier_id, claimed.ordering_key
    inline = outbox.inline_successors.set(True)
    mine = outbox.delivering_dossier.set(dossier)
    first = None
    try:
        for delivered in range(1, cfg.OUTBOX_BATCH_ROWS + 1):
            # the transaction that marks this row done claims the dossier's next one when the
            # job goes on after it (one transaction per row, not two)
            more = delivered < cfg.OUTBOX_BATCH_ROWS and time.monotonic() < deadline
            follow = outbox.Follow(dossier) if dossier is not None and more else None
            token = outbox.following.set(follow)
            try:
                state = _deliver(claimed)
            finally:
                outbox.following.reset(token)
            first = first or state
            if follow is not None and follow.ran:
                following = follow.claimed  # taken: this job delivers it, whatever else
            elif state not in ("done", "resumed", "discarded") or not more:
                break
            elif dossier is not None:
                following = outbox.claim_for_dossier(dossier)
            else:
                following = outbox.claim_next(key) if key is not None else None
            if following is None:
                if dossier is None:
                    return first
                break
            claimed = following
    finally:
        outbox.delivering_dossier.reset(mine)
        outbox.inline_successors.reset(inline)
    # out of rows or time, a call failed, or nothing more was ready: what the dossier has ready
    # now goes through the queue (a failed row's own retry is the sweeper's). Looked at after
    # the job's last commit, not inside it: a row an officer committed while that transaction
    # ran was missed by its claim, and the row's own job, which found this job's row still
    # running, gave up; left there it waited for the dossier's next event or the sweeper.
    if dossier is not None:
        ready = outbox.next_ready(dossier)
        if ready is not None:
            row_id, waited = ready
            queue.dispatch([row_id], [row_id] if waited else [])
    elif key is not None and state in ("done", "resumed", "discarded"):
        outbox.dispatch_next(key)
    return first


def error_code(exc: IntegrationError) -> str | None:
    """The BPMN error code of a failed call: its HTTP status ("503"), none without an answer."""
    return str(exc.status) if exc.status is not None else None


def _deliver(claimed: outbox.Claimed) -> str:
    deferred = service_calls.is_deferred(claimed.operator)
    state = _run_here(claimed) if deferred else _call(claimed)
    metrics.DELIVERIES.labels(claimed.operator, state).inc()
    return state


def _call(claimed: outbox.Claimed) -> str:
    try:
        params = results.params_to_deliver(claimed.id, claimed.operator, claimed.params)
        result = call_operator(claimed.operator, params, f"outbox-{claimed.id}", clients())
    except IntegrationError as exc:
        log.warning("outbox %s (%s) failed: %s", claimed.id, claimed.operator, logs.failure(exc))
        code = error_code(exc)
        state = outbox.record_failure(
            claimed.id,
            str(exc),
            retryable=exc.retryable,
            on_give_up=lambda session, row: service_calls.route_failure(session, row, code),
        )
        return state
    except Exception as exc:  # noqa: BLE001 - an unexpected bug must not lose the row
        log.exception("outbox %s crashed", claimed.id)
        failed = outbox.record_failure(claimed.id, f"{type(exc).__name__}: {exc}", retryable=True)
        return failed
    return _resume(claimed, lambda: service_calls.complete_service_call(claimed.id, result))


def _run_here(claimed: outbox.Claimed) -> str:
    """A deferred local operator's call (the e-result's issuing): no HTTP, run in the
    transaction that resumes the process; a refusal (nothing approved to sign any more) is
    an incident at once, a crash is retried."""
    try:
        return _resume(claimed, lambda: service_calls.run_deferred_call(claimed.id))
    except Exception as exc:  # noqa: BLE001 - an unexpected bug must not lose the row
        log.exception("outbox %s (%s) crashed", claimed.id, claimed.operator)
        failed = outbox.record_failure(claimed.id, f"{type(exc).__name__}: {exc}", retryable=True)
        return failed


def _resume(claimed: outbox.Claimed, finish: Callable[[], str]) -> str:
    for _ in range(RESUME_ATTEMPTS):
        try:
            return finish()
        except Conflict:
            continue  # an officer saved the same instance at that moment: read it again
        except ServiceError as exc:
            # The process itself failed on this result (e.g. a script error): a person must look.
            return outbox.record_failure(claimed.id, exc.message, retryable=False)
    failed = outbox.record_failure(claimed.id, "could not resume the process", retryable=True)
    return failed


def apply_reorganisation(plan_id: int, part: int = 0, parts: int = 1) -> None:
    """Run a confirmed reorganisation plan (its part `part` of `parts`) to its end; resumable:
    a later job goes on where this one stopped."""
    ensure_configured()
    from app.services.reorganisation import cutover

    try:
        report = cutover.apply(plan_id, part=(part, parts))
    except ServiceError as exc:
        log.warning("reorganisation plan %s not applied: %s", plan_id, exc.message)
        return
    log.info(
        "reorganisation plan %s: %s before, %s moved, %s finished, %s refused",
        plan_id,
        report.before,
        report.moved,
        report.finished,
        report.refused,
    )
