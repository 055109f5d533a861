"""Process variables the system itself sets (biến hệ thống của quy trình).

One list for two rules. Scripts and conditions may read every name in SYSTEM_VARIABLES
without a model declaring it (validation knows them). A step's form, a portal payload, a
citizen's action or a service result must never write a name in SYSTEM_OWNED, or a reception
step could re-route the dossier or waive its fee: model validation refuses a form field, a
service result variable or a message variable with such a name, and a task completion refuses
them even from an older deployed model. Keep it in step with the services that set them; a test
compares it with the start data of a dossier.
"""

from __future__ import annotations

# Set when a dossier's process starts (app/services/dossiers/reception.py: _start_data).
START_VARIABLES = frozenset(
    {
        "agency_code",
        "appraisal_escalation",
        "channel",
        "dossier_code",
        "e_only",
        "email",
        "fee_amount",
        "fee_due",
        "needs_digitization",
        "owner_id",
        "owner_id_type",
        "owner_name",
        "payment_wait",
        "phone",
        "procedure_code",
        "proxy",
        "reception_agency_code",
        "result_name",
        "result_type_code",
        "supplement_wait",
    }
)

# Carried from the dossier's own data into the start data: online submissions
# (app/services/citizens/online.py, app/services/citizens/actions.py: receive_online).
DOSSIER_DATA_VARIABLES = frozenset({"online_components", "online_form", "portal_account_id"})

# Where the dossier is handled: rewritten on a running process by a transfer to another agency
# (app/services/dossiers/transfers.py), a reorganisation (app/services/reorganisation/transfer.py),
# the department decision table and the BCCI sub-process; the projection reads them to route steps.
ROUTING_VARIABLES = frozenset(
    {
        "agency_code",
        "consult_agency",
        "department_code",
        "reception_agency_code",
        "transfer_direction",
        "transfer_from",
        "transfer_to",
    }
)

SYSTEM_VARIABLES: frozenset[str] = START_VARIABLES | DOSSIER_DATA_VARIABLES | ROUTING_VARIABLES

# Start values that a step's form is meant to replace: the reception form decides whether the
# components need digitizing, the approval names the result, the account form corrects the
# contact details.
FORM_WRITABLE = frozenset({"email", "needs_digitization", "phone", "result_name"})

# The dossier's status is a BPMN property the projection reads; no variable may pose as it.
SYSTEM_OWNED: frozenset[str] = (SYSTEM_VARIABLES - FORM_WRITABLE) | {"dossierStatus"}


def is_system_variable(name: str) -> bool:
    """Whether `name` is a variable only the system may set."""
    return name in SYSTEM_OWNED
