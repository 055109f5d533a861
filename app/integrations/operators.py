"""Service-task operators: the names BPMN service tasks call, with typed parameters.

A model names an operator (`portal.check_account`); the worker calls it with the task's
evaluated parameters and an idempotency key, and feeds the returned dict back to the task.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pypdf import PdfWriter

from app.domain.sector_databases import SECTOR_DATABASES, idempotency_key
from app.i18n import _, _l
from app.integrations.e_authentication import EAuthentication, EAuthenticationClient
from app.integrations.errors import IntegrationError
from app.integrations.mail import Mailer, SmtpMailer
from app.integrations.national import NationalDbClient
from app.integrations.portal import Portal, PortalClient
from app.integrations.reused_files import FileSource
from app.integrations.sector import SectorDb, SectorDbClient
from app.integrations.sms import SmsClient, SmsGateway
from app.integrations.warehouse import Warehouse, WarehouseClient
from app.storage.files import FileStore


@dataclass(frozen=True)
class Clients:
    portal: Portal
    warehouse: Warehouse
    mail: Mailer | None = None
    files: FileStore | None = None
    sms: SmsGateway | None = None
    national: FileSource | None = None
    reuse_max_bytes: int = 20 * 1024 * 1024
    # the sector databases connected here, by code (001 §II.1 Bước 5)
    sector: Mapping[str, SectorDb] = field(default_factory=dict)
    # the managing agencies' e-authentication service (001 §II.2.c Bước 1)
    e_authentication: EAuthentication | None = None


def clients_from_config(config: Mapping[str, Any]) -> Clients:
    timeout = float(config.get("HTTP_TIMEOUT", 5))
    server = config.get("MAIL_SERVER") or ""
    mailer = SmtpMailer(server, config.get("MAIL_FROM") or "", timeout) if server else None
    return Clients(
        PortalClient(config["PORTAL_URL"], timeout),
        WarehouseClient(config["WAREHOUSE_URL"], timeout),
        mailer,
        FileStore(config["FILE_STORE"]) if config.get("FILE_STORE") else None,
        SmsClient(config["SMS_GATEWAY_URL"], timeout) if config.get("SMS_GATEWAY_URL") else None,
        NationalDbClient(config["NATIONAL_DB_URL"], timeout)
        if config.get("NATIONAL_DB_URL")
        else None,
        int(config.get("REUSE_MAX_BYTES") or 20 * 1024 * 1024),
        {
            code: SectorDbClient(config[db.url_setting], timeout)
            for code, db in SECTOR_DATABASES.items()
            if config.get(db.url_setting)
        },
        EAuthenticationClient(config["E_AUTHENTICATION_URL"], timeout)
        if config.get("E_AUTHENTICATION_URL")
        else None,
    )


Call = Callable[[Clients, dict[str, Any], str], dict[str, Any]]


@dataclass(frozen=True)
class Operator:
    name: str
    params: dict[str, type]
    call: Call
    description: str = ""


def _check_account(clients: Clients, p: dict[str, Any], key: str) -> dict[str, Any]:
    kind, identifier, name = p["identifier_type"], p["identifier"], p["full_name"]
    if kind == "tax_code":
        account = clients.portal.find_account(tax_code=identifier)
    elif kind == "agency_code":
        account = clients.portal.find_account(agency_code=identifier)
    elif kind == "passport":
        account = clients.portal.find_account(passport=identifier, full_name=name)
    else:
        account = clients.portal.find_account(cccd=identifier, full_name=name)
    return {"exists": account is not None, "account": account}


def _create_account(clients: Clients, p: dict[str, Any], key: str) -> dict[str, Any]:
    """Create the account on the portal; one that appeared meanwhile (409) is not an error,
    the process confirms the account again and finds it."""
    profile = {k: v for k, v in p.items() if v not in (None, "")}
    try:
        return {"account": clients.portal.create_account(profile, key), "existed": False}
    except IntegrationError as exc:
        if exc.status == 409:
            return {"account": None, "existed": True}
        raise


def _sync_status(clients: Clients, p: dict[str, Any], key: str) -> dict[str, Any]:
    clients.portal.sync_status(dict(p), key)
    return {"accepted": True}


def _sync_progress(clients: Clients, p: dict[str, Any], key: str) -> dict[str, Any]:
    clients.portal.sync_progress(dict(p), key)
    return {"accepted": True}


def _publish_result(clients: Clients, p: dict[str, Any], key: str) -> dict[str, Any]:
    clients.portal.publish_result(dict(p), key)
    return {"published": True}


def _placeholder_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _file_content(clients: Clients, sha256: str) -> bytes:
    if clients.files is None:
        raise IntegrationError("no FILE_STORE configured", retryable=False)
    if not clients.files.exists(sha256) or not clients.files.verify(sha256):
        raise IntegrationError(f"file {sha256} missing or damaged in the store", retryable=False)
    with clients.files.open(sha256) as source:
        return source.read()


def _store_result(clients: Clients, p: dict[str, Any], key: str) -> dict[str, Any]:
    if p.get("file_sha256"):
        content = _file_content(clients, p["file_sha256"])
    elif p.get("content_b64"):
        content = base64.b64decode(p["content_b64"])
    else:
        content = _placeholder_pdf()
    metadata = {k: v for k, v in p.items() if k not in ("content_b64", "file_sha256")}
    stored = clients.warehouse.store_document(metadata, content, key)
    return {"document_id": stored["id"], "key": stored["key"]}


def _store_document(clients: Clients, p: dict[str, Any], key: str) -> dict[str, Any]:
    content = _file_content(clients, p["file_sha256"])
    stored = clients.warehouse.store_document(dict(p["metadata"]), content, key)
    return {"document_id": stored["id"], "key": stored["key"]}


def fetch_reused(clients: Clients, source: str, ref: str, owner_id: str) -> dict[str, Any]:
    """Fetch a reused document's file from its source (Kho DL: "portal", a national database:
    "national"), checked (reused_files.checked), into the file store: its SHA-256, size and the
    metadata the source keeps with it (001 §II.1 Bước 3)."""
    origin = {"portal": clients.warehouse, "national": clients.national}.get(source)
    if origin is None or clients.files is None:
        raise IntegrationError(f"cannot fetch files from {source!r} here", retryable=False)
    fetched = origin.fetch_file(ref, owner_id, clients.reuse_max_bytes)
    stored = clients.files.put_bytes(fetched.content)
    metadata = {k: v for k, v in fetched.metadata.items() if k not in ("content_b64",)}
    return {"sha256": stored.sha256, "size": stored.size, "metadata": metadata}


def _fetch_reused(clients: Clients, p: dict[str, Any], key: str) -> dict[str, Any]:
    return fetch_reused(clients, p["source"], p["ref"], p["owner_id"])


def _list_documents(clients: Clients, p: dict[str, Any], key: str) -> dict[str, Any]:
    return {"documents": clients.warehouse.list_documents(p["owner_id"], p["type_code"])}


def _register_in_sector(clients: Clients, p: dict[str, Any], key: str) -> dict[str, Any]:
    """Register an issued result in its sector database (001 §II.1 Bước 5), under a key of
    the result itself so that no second send registers it twice."""
    database, record = p["database"], p.get("record")
    if not isinstance(record, dict):
        raise IntegrationError("sector.register_result: no result record", retryable=False)
    client = clients.sector.get(database)
    if client is None:
        setting = SECTOR_DATABASES[database].url_setting if database in SECTOR_DATABASES else ""
        raise IntegrationError(
            f"sector database {database!r} is not connected ({setting or 'unknown'})",
            retryable=False,
        )
    answer = client.register_result(record, idempotency_key(database, record))
    return {
        "database": database,
        "record_id": answer["id"],
        "registered_at": answer.get("registered_at"),
        "url": answer.get("url"),
        "replayed": bool(answer.get("replayed")),
    }


# What the e-authentication service answers when it refuses a request at once: the request
# itself is wrong (a refusal with its reason, not a failure to retry).
REFUSED_AT_ONCE = frozenset({400, 413, 422})


def _e_authentication(clients: Clients) -> EAuthentication:
    if clients.e_authentication is None:
        raise IntegrationError("no E_AUTHENTICATION_URL configured", retryable=False)
    return clients.e_authentication


def _send_for_authentication(clients: Clients, p: dict[str, Any], key: str) -> dict[str, Any]:
    """Send an out-of-scope document's signed file to its managing agency (001 §II.2.c Bước 1);
    a refusal at the door comes back as an answer with the service's reason."""
    service = _e_authentication(clients)
    content = _file_content(clients, p["file_sha256"])
    try:
        accepted = service.submit(dict(p["request"]), content, key)
    except IntegrationError as exc:
        if exc.status in REFUSED_AT_ONCE:
            reason = str(exc).split(f"HTTP {exc.status} ", 1)[-1]
            return {"status": "refused", "reason": reason[:1000]}
        raise
    return {"status": "sent", "ref": accepted.get("id"), "authority": accepted.get("authority")}


def _ask_authentication(clients: Clients, p: dict[str, Any], key: str) -> dict[str, Any]:
    """Ask for the answer to a sent document; an authenticated copy is fetched into the file
    store (the service layer checks it before anything keeps it)."""
    service = _e_authentication(clients)
    answer = service.answer(p["ref"])
    if not isinstance(answer, dict):
        raise IntegrationError("e-authentication: the answer is not an object", retryable=False)
    if answer.get("status") != "authenticated":
        return {"answer": answer}
    if clients.files is None:
        raise IntegrationError("no FILE_STORE configured", retryable=False)
    stored = clients.files.put_bytes(service.copy(p["ref"], clients.reuse_max_bytes))
    return {"answer": answer, "copy_sha256": stored.sha256, "size": stored.size}


def _send_sms(clients: Clients, p: dict[str, Any], key: str) -> dict[str, Any]:
    if clients.sms is None:
        raise IntegrationError("no SMS_GATEWAY_URL configured", retryable=False)
    return {"sent": True, **clients.sms.send(p["to"], p["text"], key)}


def _send_mail(clients: Clients, p: dict[str, Any], key: str) -> dict[str, Any]:
    if clients.mail is None:
        raise IntegrationError("no MAIL_SERVER configured", retryable=False)
    clients.mail.send(p["to"], p["subject"], p["body"], key)
    return {"sent": True}


OPERATORS: dict[str, Operator] = {
    op.name: op
    for op in (
        Operator(
            "portal.check_account",
            {"identifier_type": str, "identifier": str, "full_name": str},
            _check_account,
            _l("Tra cứu tài khoản trên Cổng DVCQG"),
        ),
        Operator(
            "portal.create_account",
            {"identifier_type": str, "identifier": str, "full_name": str},
            _create_account,
            _l("Tạo tài khoản trên Cổng DVCQG"),
        ),
        Operator(
            "portal.sync_status",
            {"dossier_code": str, "status": int},
            _sync_status,
            _l("Đồng bộ trạng thái hồ sơ lên Cổng DVCQG"),
        ),
        Operator(
            "portal.sync_progress",
            {"dossier_code": str, "title": str},
            _sync_progress,
            _l("Đồng bộ tiến độ xử lý (từng bước) lên Cổng DVCQG"),
        ),
        Operator(
            "portal.publish_result",
            {"dossier_code": str, "owner_id": str, "document": dict},
            _publish_result,
            _l("Đưa kết quả điện tử vào Kho DL của công dân trên Cổng DVCQG"),
        ),
        Operator(
            "warehouse.store_result",
            {
                "owner_id": str,
                "type_code": str,
                "name": str,
                "dossier_code": str,
                "document_id": int,
                "file_sha256": str,
            },
            _store_result,
            _l("Lưu kết quả vào Kho DL"),
        ),
        Operator(
            "warehouse.store_document",
            {"document_id": int, "file_sha256": str, "metadata": dict},
            _store_document,
            _l("Đẩy giấy tờ đã số hoá vào Kho DL"),
        ),
        Operator(
            "mail.send",
            {"to": str, "subject": str, "body": str},
            _send_mail,
            _l("Gửi thư điện tử"),
        ),
        Operator(
            "sms.send",
            {"to": str, "text": str},
            _send_sms,
            _l("Gửi tin nhắn SMS"),
        ),
        Operator(
            "documents.fetch_reused",
            {"source": str, "ref": str, "owner_id": str, "component_id": int},
            _fetch_reused,
            _l("Lấy tệp giấy tờ dùng lại từ Kho DL hoặc CSDL quốc gia"),
        ),
        Operator(
            "sector.register_result",
            {"database": str, "document_id": int},
            _register_in_sector,
            _l("Ghi kết quả vào cơ sở dữ liệu chuyên ngành"),
        ),
        Operator(
            "eauth.send",
            {"authentication_id": int, "file_sha256": str, "request": dict},
            _send_for_authentication,
            _l("Gửi giấy tờ ngoài phạm vi tới cơ quan quản lý để xác thực điện tử"),
        ),
        Operator(
            "eauth.answer",
            {"authentication_id": int, "ref": str},
            _ask_authentication,
            _l("Hỏi kết quả xác thực điện tử của cơ quan quản lý"),
        ),
        Operator(
            "warehouse.list_documents",
            {"owner_id": str, "type_code": str},
            _list_documents,
            _l("Tra cứu giấy tờ trong Kho DL"),
        ),
    )
}


def check_params(name: str, params: dict[str, Any]) -> list[str]:
    """What is wrong with a call before it is made (unknown operator, missing or ill-typed)."""
    operator = OPERATORS.get(name)
    if operator is None:
        return [_("không có dịch vụ %(name)r", name=name)]
    problems = []
    for param, expected in operator.params.items():
        if param not in params or params[param] is None:
            problems.append(_("thiếu tham số %(param)r", param=param))
        elif not isinstance(params[param], expected) or isinstance(params[param], bool):
            problems.append(
                _("tham số %(param)r phải là %(kind)s", param=param, kind=expected.__name__)
            )
    return problems


def call_operator(
    name: str, params: dict[str, Any], idempotency_key: str, clients: Clients
) -> dict[str, Any]:
    problems = check_params(name, params)
    if problems:
        raise IntegrationError(f"{name}: " + "; ".join(problems), retryable=False)
    return OPERATORS[name].call(clients, params, idempotency_key)
