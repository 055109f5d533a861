"""Process variables the system itself sets (biến hệ thống của quy trình).

One list for two rules: scripts and conditions may read these names without a model declaring
them (validation knows them), and a form, a portal payload or a citizen's action may never
write them (the system owns their values). Keep it in step with the services that set them; a
test compares it with the start data of a dossier.
"""

from __future__ import annotations

# Set when a dossier's process starts (app/services/dossiers.py: _start_data).
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
# (app/services/online.py, app/services/citizen_actions.py: receive_online).
DOSSIER_DATA_VARIABLES = frozenset({"online_components", "online_form", "portal_account_id"})

# Rewritten on a running process: a transfer to another agency (app/services/transfers.py)
# and a reorganisation (app/services/reorg_transfer.py rewrites the agency codes above).
TRANSFER_VARIABLES = frozenset({"agency_code", "department_code", "reception_agency_code"})

SYSTEM_VARIABLES: frozenset[str] = START_VARIABLES | DOSSIER_DATA_VARIABLES | TRANSFER_VARIABLES

# Start values that a step's form is meant to replace: the reception form decides whether the
# components need digitizing, the approval names the result, the account form corrects the
# contact details. Every other system variable is owned by the system (SYSTEM_OWNED).
FORM_WRITABLE = frozenset({"email", "needs_digitization", "phone", "result_name"})

SYSTEM_OWNED: frozenset[str] = SYSTEM_VARIABLES - FORM_WRITABLE
