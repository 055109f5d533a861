"""The one-stop counter (bộ phận một cửa): receiving a dossier in person."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from app.domain.document_metadata import OWNER_DETAILS
from app.i18n import _
from app.services.core.errors import Forbidden, InvalidInput
from app.services.dossiers import queries
from app.services.dossiers.reception import ReceiveDossier, receive_dossier
from app.web.access import allow, role
from app.web.actor import current_actor
from app.web.reuse_panel import CounterReuse

bp = Blueprint("counter", __name__)
FIELDS = (
    "procedure_code",
    "owner_id_type",
    "owner_id",
    "owner_name",
    "phone",
    "email",
    "summary",
    "by_proxy",
    "proxy_id_type",
    "proxy_id",
    "proxy_name",
    # an owner without a CCCD: the identity paper's details (001 §II.2.c (2))
    "owner_birth_year",
    "owner_id_issued_on",
    "owner_id_issuer",
    # the citizen asks for the electronic result only (001 §II.2.c Bước 4)
    "e_only",
)


@bp.route("/counter/new", methods=["GET", "POST"])
@allow(role("reception"))
def new():  # noqa: ANN201
    actor = current_actor()
    if not actor.agencies_for("reception"):
        raise Forbidden(_("Chỉ cán bộ một cửa được tiếp nhận hồ sơ"))
    procedures = queries.procedures_for(actor)
    values = {name: request.form.get(name, "").strip() for name in FIELDS}
    errors: dict[str, str] = {}
    reuse = CounterReuse(values, request.form)
    if request.method == "POST" and not reuse.looking_up:
        try:
            reuse.check()
            code = receive_dossier(
                ReceiveDossier(
                    procedure_code=values["procedure_code"],
                    owner_id_type=values["owner_id_type"] or "cccd",
                    owner_id=values["owner_id"],
                    owner_name=values["owner_name"],
                    phone=values["phone"] or None,
                    email=values["email"] or None,
                    summary=values["summary"],
                    proxy={
                        "id_type": values["proxy_id_type"] or "cccd",
                        "id": values["proxy_id"],
                        "name": values["proxy_name"],
                    }
                    if values["by_proxy"]
                    else None,
                    extra={
                        **{k: values[k] for k in OWNER_DETAILS if values[k]},
                        **({"e_only": True} if values["e_only"] else {}),
                    },
                ),
                actor,
            )
            flash(_("Đã tiếp nhận hồ sơ %(code)s", code=code))
            return redirect(reuse.attach(code) or url_for("dossiers.show", code=code))
        except InvalidInput as exc:
            errors = exc.fields or {"_form": exc.message}
    status = 422 if errors else 200
    return render_template(
        "counter.html",
        procedures=procedures,
        values=values,
        errors=errors,
        **reuse.context(errors),
    ), status
