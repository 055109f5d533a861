"""The fee lines a reception step posts beside its form (`fee-<code>-<part>`), read into the
service's entries; everything else the step posts goes on to the form as before."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from app.i18n import _
from app.services.dossiers.dossier_fees import FeeEntry

PREFIX = "fee-"
PARTS = ("state", "amount", "method", "payer", "receipt", "reason")
# No request names more fee lines than this (a procedure charges a handful).
MAX_LINES = 20


def split(form: MultiDict) -> tuple[MultiDict, dict[str, FeeEntry], dict[str, str]]:
    """(the rest of the form, the fee entries by code, errors of conversion by field). A fee
    name with an unknown part is kept in the rest, for the service to refuse it, named."""
    rest: MultiDict = MultiDict()
    raw: dict[str, dict[str, str]] = {}
    for name, value in form.items(multi=True):
        code, _dash, part = name[len(PREFIX) :].rpartition("-")
        if name.startswith(PREFIX) and code and part in PARTS:
            raw.setdefault(code, {})[part] = " ".join(value.split())
        else:
            rest.add(name, value)
    entries: dict[str, FeeEntry] = {}
    errors: dict[str, str] = {}
    for code, parts in list(raw.items())[:MAX_LINES]:
        amount_text = parts.get("amount", "").replace(".", "").replace(",", "").replace(" ", "")
        amount = None
        if amount_text:
            try:
                amount = int(amount_text)
            except ValueError:
                errors[f"{PREFIX}{code}-amount"] = _(
                    "Số tiền: số đồng, lớn hơn 0 và không quá 1 tỷ"
                )
        entries[code[:16]] = FeeEntry(
            code=code[:16],
            state=parts.get("state", ""),
            amount=amount,
            method=parts.get("method", ""),
            payer=parts.get("payer", "")[:300],
            receipt_no=parts.get("receipt", "")[:100],
            reason=parts.get("reason", "")[:1100],
        )
    return rest, entries, errors
