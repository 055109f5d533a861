"""Online submission (path A) and supplements sent from the citizen's page: per component the
document the warehouses already hold (this system's first, then the portal's Kho DL) or an
uploaded file, checked like counter scans and kept as drafts for the officers."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import logs, settings
from app.documents.intake import ScanRejected, Upload, take_scans
from app.domain.document_owner import Person, differences
from app.i18n import _, _l
from app.integrations.errors import IntegrationError
from app.models import CitizenAccount, Document, Dossier, DossierComponent, Procedure
from app.services.citizens import online_form
from app.services.citizens.online_commands import SubmitOnline
from app.services.citizens.portal_sign_in import SUPPLEMENT_MARK, Citizen
from app.services.core import audit
from app.services.core.errors import InvalidInput, NotFound
from app.services.documents import component_reuse, reuse, reused_files, type_choices
from app.services.dossiers import national_data, performers
from app.services.dossiers.reception import ReceiveDossier, receive_dossier
from app.storage.db import db
from app.storage.files import file_store

log = logging.getLogger(__name__)
# Online, the citizen is offered what the warehouses hold (001 §II.2.b step 4); the national
# databases are consulted by the counter officer.
ONLINE_SOURCES = ("own", "portal")


@dataclass
class Offer:
    """What the submission screen shows for one component of the procedure."""

    type_code: str
    name: str
    required: bool
    found: reuse.Found | None = None
    tried: list[tuple[str, str]] = field(default_factory=list)


def submission(citizen: Citizen, procedure_code: str) -> tuple[dict[str, Any], list[Offer]]:
    """The procedure and, per component, the document the warehouses already hold."""
    with db.transaction() as session:
        procedure = _procedure(session, procedure_code)
        info = {
            "code": procedure.code,
            "name": procedure.name,
            "agency": procedure.agency.name,
            "duration": procedure.duration_online_days or procedure.duration_days,
            "fee_codes": list(procedure.fee_codes or []),
        }
        components = list(procedure.components or [])
        account = session.get(CitizenAccount, citizen.id)
        # the agencies performing it, the citizen's commune first (002 §5.a Bước 1)
        info["agencies"] = performers.choices(procedure, account.address if account else None)
        info["inactive_agencies"] = performers.inactive_codes(procedure)
        me = Person(
            citizen.identifier, citizen.full_name, (account.birth_date or "") if account else ""
        )
    offers = []
    for component in components:
        offer = Offer(component["type_code"], component["name"], bool(component.get("required")))
        for source in ONLINE_SOURCES:
            try:
                found = reuse.FINDERS[source](citizen.identifier, offer.type_code)
            except IntegrationError as exc:
                log.warning("online offer from %s failed: %s", source, logs.failure(exc))
                offer.tried.append((source, _("không tra cứu được")))
                continue
            if found is not None and differences(me, found.owner):
                # another person's document is never shown to the citizen
                log.warning("online offer from %s names another owner", source)
                offer.tried.append((source, _("không khớp chủ hồ sơ")))
                continue
            offer.tried.append((source, _("có") if found else _("không có")))
            if found is not None:
                offer.found = found
                break
        offers.append(offer)
    return info, offers


def _procedure(session: Session, code: str) -> Procedure:
    procedure = session.scalar(
        select(Procedure).where(
            Procedure.code == code, Procedure.active, Procedure.model_version_id.is_not(None)
        )
    )
    if procedure is None:
        raise NotFound(_l("Không có thủ tục %(code)s tiếp nhận trực tuyến", code=code))
    return procedure


def _take(files: Sequence[Upload]) -> Any:
    """A citizen's upload checked like counter scans (already electronic: no page count)."""
    config = settings.current
    return take_scans(
        files, None, file_store(), max_bytes=config.SCAN_MAX_BYTES, max_pages=config.SCAN_MAX_PAGES
    )


def _draft(
    citizen: Citizen, dossier: Dossier, type_code: str, name: str, intake: Any, classification: str
) -> Document:
    """An uploaded file as a draft document the officers confirm."""
    return Document(
        dossier_id=dossier.id,
        agency_id=dossier.agency_id,
        state="draft",
        source="online",
        classification=classification,
        paper_form="electronic",
        paper_count=1,
        type_code=type_code,
        owner_id_type=citizen.identifier_type,
        owner_id=citizen.identifier,
        owner_name=citizen.full_name,
        name=name,
        pages=intake.pages,
        size=intake.size,
        scan_sha256=intake.sha256,
        file_sha256=intake.sha256,
        originals=[o.__dict__ for o in intake.originals],
        rotations=list(intake.rotations),
    )


def supplement_choices(code: str) -> type_choices.TypeChoices:
    """The types a supplement may be: the procedure's components first, the rest behind
    "Khác…"."""
    return type_choices.for_dossier(code)


def send_supplement(
    citizen: Citizen,
    code: str,
    note: str,
    type_code: str,
    files: Sequence[Upload],
    other_type_code: str = "",
) -> int:
    """The citizen's supplement with its files (checked like counter scans): stored as drafts
    for the officers and delivered to the process in one transaction, which resumes it and its
    clock. Refused when empty (neither note nor file), and (409) when the dossier is not
    waiting for a supplement. A type outside the components needs "Khác…" chosen."""
    from app.services.citizens import actions

    if not files and not actions.clean_note(note):
        raise actions.empty_supplement()
    intake, name = None, ""
    if files:
        choices = type_choices.for_dossier(code)
        type_code = type_choices.resolve(choices, type_code, other_type_code)
        name = dict(choices.components + choices.others).get(type_code, type_code)
        try:
            intake = _take(files)
        except ScanRejected as exc:
            raise InvalidInput(exc.message, fields={"files": exc.message}) from exc

    def attach(session: Session, dossier_id: int) -> list[str]:
        if intake is None:
            return []
        document = _draft(
            citizen,
            session.get(Dossier, dossier_id),
            type_code,
            f"{name}{SUPPLEMENT_MARK}",
            intake,
            "required_by_law",
        )
        session.add(document)
        session.flush()
        return [f"{type_code}:{document.id}"]

    return actions.supplement(code, note, [], citizen.actor, attach)


def submit(citizen: Citizen, command: SubmitOnline) -> str:
    """Receive the online dossier with its components; returns its code. A warehouse document
    the citizen chose is looked up again, so what is attached is what the source holds.
    Everything is checked before anything is written; then one transaction."""
    info, offers = submission(citizen, command.procedure_code)
    chosen, uploads = command.chosen, command.uploads
    errors: dict[str, str] = {}
    picked: dict[str, reuse.Found] = {}
    taken: dict[str, Any] = {}
    for offer in offers:
        field_name = f"component_{offer.type_code}"
        ref = chosen.get(offer.type_code)
        files = [u for u in uploads.get(offer.type_code, []) if u.filename]
        if ref and offer.found is not None and offer.found.ref == ref:
            picked[offer.type_code] = offer.found
        elif ref:
            errors[field_name] = _("Giấy tờ đã chọn không còn trong kho; hãy tải lại trang")
        elif files:
            try:
                taken[offer.type_code] = _take(files)
            except ScanRejected as exc:
                errors[field_name] = exc.message
        elif offer.required:
            errors[field_name] = _(
                "«%(name)s» là bắt buộc: chọn giấy tờ có sẵn hoặc tải tệp lên", name=offer.name
            )
    errors |= _agency_error(info["agencies"], info["inactive_agencies"], command.agency_code)
    form_values, changed = _national_form(citizen, command, errors)
    files_of = _fetch_chosen(picked, errors)
    if errors:
        raise InvalidInput(_l("Hồ sơ chưa đủ thành phần"), fields=errors)

    names = {o.type_code: o.name for o in offers}

    def attach(session: Session, dossier: Dossier) -> None:
        for type_code, found in picked.items():
            component = DossierComponent(
                dossier_id=dossier.id,
                type_code=type_code,
                name=found.name or names[type_code],
                source=found.source,
                ref=found.ref,
                document_id=int(found.ref) if found.source == "own" else None,
                data=dict(found.fields),
                mismatch={},
                confirmed_by_id=None,
                # choosing it online is the citizen's confirmation (002 §5.a Bước 2)
                citizen_confirmation=component_reuse.confirmed_by(
                    Person(citizen.identifier, citizen.full_name), "online"
                ),
            )
            session.add(component)
            if found.source in reused_files.FETCHED_SOURCES:
                session.flush()
                fetched, error = files_of[type_code]
                reused_files.attach_file(
                    session, component, found.owner_id, fetched, error, citizen.actor
                )
            audit.record(
                session,
                "component_reused",
                citizen.actor,
                dossier_id=dossier.id,
                source=found.source,
                ref=found.ref,
                type_code=type_code,
                mismatch=[],
            )
        for type_code, intake in taken.items():
            kind = "form" if type_code.startswith("TK") else "required_by_law"
            session.add(_draft(citizen, dossier, type_code, names[type_code], intake, kind))
        dossier.citizen_account_id = citizen.id
        dossier.portal_account_id = citizen.portal_account_id
        if changed:  # 001 §II.2.b Bước 4: national data the citizen changed, and why
            audit.record(
                session,
                "national_data_changed",
                citizen.actor,
                dossier_id=dossier.id,
                changes=changed,
            )

    return receive_dossier(
        ReceiveDossier(
            procedure_code=info["code"],
            owner_id_type=citizen.identifier_type,
            owner_id=citizen.identifier,
            owner_name=citizen.full_name,
            phone=command.phone or None,
            email=command.email or None,
            summary=command.summary[:1000],
            channel="online",
            agency_code=command.agency_code,
            extra={
                **form_values,
                "portal_account_id": citizen.portal_account_id,
                "e_only": command.e_only,
                "online_components": sorted([*picked, *taken]),
            },
        ),
        citizen.actor,
        attach,
    )


def _agency_error(
    choices: list[performers.Performer], inactive: list[str], code: str
) -> dict[str, str]:
    """The agency field's error on the form, checked with the components (reception checks
    it again in its transaction): required when several agencies perform the procedure."""
    codes = [c.code for c in choices]
    if (code and code in codes) or (not code and len(codes) == 1):
        return {}
    if not code:
        return {"agency": _("Thủ tục này do nhiều cơ quan thực hiện: chọn một cơ quan")}
    if code in inactive:
        return {"agency": str(performers.inactive_message(code))}
    return {"agency": str(performers.not_performing_message(code))}


def _fetch_chosen(
    picked: dict[str, reuse.Found], errors: dict[str, str]
) -> dict[str, tuple[dict[str, Any] | None, str]]:
    """The files of the warehouse documents the citizen chose, fetched now (001 §II.1 Bước 3):
    per component the file, or why it is fetched in the background; a file that can never be
    taken (not a PDF, too large, another owner's) is an error on its component."""
    files: dict[str, tuple[dict[str, Any] | None, str]] = {}
    for type_code, found in picked.items():
        if found.source not in reused_files.FETCHED_SOURCES:
            continue
        try:
            files[type_code] = (reused_files.fetch_now(found.source, found.ref, found.owner_id), "")
        except IntegrationError as exc:
            if not exc.retryable:
                errors[f"component_{type_code}"] = _(
                    "Không dùng được giấy tờ này từ kho: %(why)s; hãy tải tệp lên",
                    why=_(reused_files.reason_in_words(str(exc))),
                )
                continue
            log.warning("online reuse from %s queued: %s", found.source, logs.failure(exc))
            files[type_code] = (None, str(exc))
    return files


def _national_form(
    citizen: Citizen, command: SubmitOnline, errors: dict[str, str]
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The form's national data to keep and the changes to record, asked again of the
    registers (what the page showed is not trusted); a change without a reason is an error
    on its field (001 §II.2.b Bước 4)."""
    form, filled = online_form.for_submission(citizen, command.procedure_code)
    typed = {k: v for k, v in command.form.items() if k in form["properties"]}
    try:
        kept, changed = national_data.checked(filled, form, typed, command.reasons)
    except InvalidInput as exc:
        errors |= exc.fields
        return {}, []
    for error in Draft202012Validator(form).iter_errors(kept):
        name = str(error.absolute_path[0]) if error.absolute_path else "_form"
        title = form["properties"].get(name, {}).get("title", name)
        errors.setdefault(name, _("«%(title)s» không hợp lệ", title=title))
    return kept, changed
