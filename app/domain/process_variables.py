"""The process variables the system owns (biến hệ thống của quy trình).

A dossier's process runs on variables. Some of them the system sets itself and reads back to
route the dossier, count its fees and deadlines or tell who owns it; a step's form, a portal
payload, a citizen's action or a service result must never write them, or a reception step
could re-route the dossier or waive its fee. Model validation refuses a form field, a service
result variable or a message variable with one of these names, and a task completion refuses
them even from an older deployed model.

Not listed, on purpose: values the start data only pre-fills for a form that may correct
them (`phone`, `email`, `needs_digitization`, `result_name`), and the variables a model
chooses itself for its service results and messages (model validation keeps forms off those
per bundle).
"""

from __future__ import annotations

SYSTEM_VARIABLES: frozenset[str] = frozenset(
    {
        # who and what the dossier is (start data, app/services/dossiers.py)
        "dossier_code",
        "procedure_code",
        "channel",
        "owner_id_type",
        "owner_id",
        "owner_name",
        "proxy",
        "portal_account_id",
        "online_form",
        "online_components",
        "result_type_code",
        "e_only",
        # where it is handled: read by the projection to route steps, set by reception,
        # transfers, reorganisations, the department DMN table and the BCCI sub-process
        "agency_code",
        "reception_agency_code",
        "department_code",
        "consult_agency",
        "transfer_direction",
        "transfer_from",
        "transfer_to",
        # fees and waiting times (fees.amount_due, the procedure's configuration)
        "fee_amount",
        "fee_due",
        "payment_wait",
        "supplement_wait",
        "appraisal_escalation",
        # the dossier's status is a BPMN property the projection reads; no variable may
        # pose as it
        "dossierStatus",
    }
)


def is_system_variable(name: str) -> bool:
    """Whether `name` is a variable only the system may set."""
    return name in SYSTEM_VARIABLES
