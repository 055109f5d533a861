"""Simulator of the managing agencies' e-authentication service (xác thực điện tử giấy tờ).

001 §II.2.c Bước 1: a document that is the result of a procedure outside the receiving
agency's scope is scanned, signed, and its file sent "đến cơ quan quản lý giấy tờ này để kiểm
tra, số hoá theo quy định". This service stands for those managing agencies: it takes the
signed PDF with the document's six metadata fields (001 §II.2.c "Một số yêu cầu") and its
owner's identifier, refuses at once what a real service would refuse (not a PDF, no valid
signature of the sender, metadata missing, an owner other than the document's, a document type
no agency here manages), and answers later (the caller asks again: `GET
/api/authentications/<id>`) with the e-authenticated copy, the sent file with the managing
agency's signature added, or a refusal with its reason.

Test knobs (`POST /_sim/e-authentication`, for the requests made after it): `answer_after`
(how many asks are answered "pending" first), `refuse` (a reason: the agency's record does not
match), `forge` ("unsigned": the sent file comes back as it was; "untrusted": signed with a key
no trusted authority issued; "other_document": the answer is about another document).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import itertools
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify, request

from app.documents import signing
from app.documents.pki import DemoPKI, demo_pki
from app.integrations.simulators.faults import Faults, install
from app.integrations.simulators.files import card_pdf
from app.integrations.simulators.warehouse import metadata_problem

# The managing agency of each group of document types (by the ministry code in the type code,
# KQ.G<nn>.…): what this service can authenticate. Any other type is refused.
MANAGING = {
    "KQ.G01": ("000.00.00.G01", "Bộ Công an"),
    "KQ.G04": ("000.00.00.G04", "Bộ Xây dựng"),
    "KQ.G13": ("000.00.00.G13", "Bộ Nông nghiệp và Môi trường"),
    "KQ.G15": ("000.00.00.G15", "Bộ Tư pháp"),
}
FORGERIES = ("", "unsigned", "untrusted", "other_document")
MAX_BYTES = 20 * 1024 * 1024


def managing_agency(type_code: str) -> tuple[str, str] | None:
    """(code, name) of the agency that manages documents of `type_code`, or None."""
    return MANAGING.get(".".join(str(type_code).split(".")[:2]))


@dataclass
class Knobs:
    answer_after: int = 0
    refuse: str = ""
    forge: str = ""


@dataclass
class Request:
    id: str
    request_id: str
    sha256: str
    owner_id: str
    type_code: str
    authority: tuple[str, str]
    content: bytes
    knobs: Knobs
    asks: int = 0
    copy: bytes | None = None
    answered_at: str = ""


@dataclass
class State:
    lock: threading.Lock = field(default_factory=threading.Lock)
    knobs: Knobs = field(default_factory=Knobs)
    requests: dict[str, Request] = field(default_factory=dict)
    idempotent: dict[str, str] = field(default_factory=dict)
    ids: Any = field(default_factory=lambda: itertools.count(1))
    received: list[dict[str, Any]] = field(default_factory=list)

    def reset(self) -> None:
        with self.lock:
            self.knobs = Knobs()
            self.requests, self.idempotent, self.received = {}, {}, []
            self.ids = itertools.count(1)


def _trusted_signature(content: bytes) -> bool:
    """Whether the file carries signatures, every one valid and from a trusted authority."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sent.pdf"
        path.write_bytes(content)
        verdicts = signing.verify(path, [demo_pki().ca_cert_path])
    return bool(verdicts) and all(v.ok for v in verdicts)


def _problem(body: dict[str, Any], content: bytes) -> str | None:
    """Why the service refuses this request at once, or None."""
    metadata = body.get("metadata")
    if not isinstance(metadata, dict):
        return "metadata must be an object"
    owner = body.get("owner") if isinstance(body.get("owner"), dict) else {}
    sender = body.get("sender") if isinstance(body.get("sender"), dict) else {}
    if not str(body.get("request_id") or "").strip():
        return "request_id is required"
    if not str(sender.get("agency_code") or "").strip():
        return "sender.agency_code is required"
    if not content.startswith(b"%PDF-"):
        return "the file is not a PDF"
    problem = metadata_problem(metadata)
    if problem:
        return problem
    if str(owner.get("id") or "") != str(metadata.get("owner_id")):
        return "owner.id is not the owner of the document (metadata.owner_id)"
    if metadata.get("sha256") and metadata["sha256"] != hashlib.sha256(content).hexdigest():
        return "content does not match metadata.sha256 (damaged in transfer)"
    if managing_agency(metadata["type_code"]) is None:
        return f"document type {metadata['type_code']} is not managed by any agency here"
    if not _trusted_signature(content):
        return "the file carries no valid signature of the sending agency"
    return None


def _signed(content: bytes, identity: Any, authority: str) -> bytes:
    """`content` with the managing agency's signature added (an incremental update)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sent.pdf"
        path.write_bytes(content)
        out = BytesIO()
        signing.sign(
            path,
            out,
            identity,
            field_name="XacThuc",
            reason="Xác thực điện tử giấy tờ",
            location=authority,
        )
        return out.getvalue()


def _make_copy(req: Request, pki_root: Path) -> bytes:
    """The e-authenticated copy: the sent file with the managing agency's signature (or what
    a forger would send instead)."""
    code, name = req.authority
    forge = req.knobs.forge
    if forge == "unsigned":
        return req.content
    if forge == "untrusted":  # a look-alike certificate from an authority nobody trusts
        return _signed(req.content, DemoPKI(pki_root).identity("agency", code, name, name), name)
    if forge == "other_document":
        other = card_pdf("Giay to khac", ["Khong phai giay to da gui"])
        return _signed(other, demo_pki().identity("agency", code, name, name), name)
    return _signed(req.content, demo_pki().identity("agency", code, name, name), name)


def _answer(req: Request) -> dict[str, Any]:
    code, name = req.authority
    about = {
        "request_id": req.request_id,
        "sha256": req.sha256,
        "owner_id": req.owner_id,
        "type_code": req.type_code,
    }
    if req.knobs.forge == "other_document":
        about = {**about, "request_id": "XT-KHAC", "sha256": hashlib.sha256(b"other").hexdigest()}
    answer: dict[str, Any] = {
        "id": req.id,
        "request": about,
        "authority": {"code": code, "name": name},
    }
    if req.asks <= req.knobs.answer_after:
        return {**answer, "status": "pending"}
    req.answered_at = req.answered_at or datetime.now(UTC).isoformat()
    if req.knobs.refuse:
        return {**answer, "status": "refused", "reason": req.knobs.refuse}
    return {
        **answer,
        "status": "authenticated",
        "authenticated_at": req.answered_at,
        "file": f"/api/authentications/{req.id}/file",
    }


def create_e_authentication_simulator() -> Flask:
    app = Flask("e_authentication_simulator")
    state = State()
    forger = tempfile.TemporaryDirectory(prefix="forger-pki-")
    app.extensions["forger_pki"] = forger  # kept alive as long as the app
    install(app, Faults(), state.reset, lambda: list(state.received))

    @app.post("/_sim/e-authentication")
    def _knobs():  # noqa: ANN202
        body = request.get_json(force=True) or {}
        if body.get("forge", "") not in FORGERIES:
            return jsonify(error=f"forge must be one of {', '.join(FORGERIES)}"), 400
        with state.lock:
            state.knobs = Knobs(
                int(body.get("answer_after", 0)),
                str(body.get("refuse") or ""),
                str(body.get("forge") or ""),
            )
        return jsonify(ok=True)

    @app.post("/api/authentications")
    def submit():  # noqa: ANN202
        key = request.headers.get("Idempotency-Key")
        if not key:
            return jsonify(error="Idempotency-Key header is required"), 400
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return jsonify(error="the body must be a JSON object"), 400
        try:
            content = base64.b64decode(body.get("content_b64") or "", validate=True)
        except (binascii.Error, ValueError):
            return jsonify(error="content_b64 is not valid base64"), 400
        if not content or len(content) > MAX_BYTES:
            return jsonify(error=f"the file must hold 1 to {MAX_BYTES} bytes"), 413
        with state.lock:
            if key in state.idempotent:
                return jsonify(_accepted(state.requests[state.idempotent[key]])), 202
        problem = _problem(body, content)
        received = {k: v for k, v in body.items() if k != "content_b64"}
        with state.lock:
            state.received.append({**received, "refused": problem or ""})
            if problem:
                return jsonify(error=problem), 422
            metadata = body["metadata"]
            req = Request(
                f"XT-{next(state.ids):06d}",
                str(body["request_id"]),
                hashlib.sha256(content).hexdigest(),
                str(metadata["owner_id"]),
                str(metadata["type_code"]),
                managing_agency(metadata["type_code"]) or ("", ""),
                content,
                Knobs(**state.knobs.__dict__),
            )
            state.requests[req.id] = req
            state.idempotent[key] = req.id
        return jsonify(_accepted(req)), 202

    @app.get("/api/authentications/<ref>")
    def answer(ref: str):  # noqa: ANN202
        with state.lock:
            req = state.requests.get(ref)
            if req is None:
                return jsonify(error="no such request"), 404
            req.asks += 1
            return jsonify(_answer(req))

    @app.get("/api/authentications/<ref>/file")
    def copy_file(ref: str):  # noqa: ANN202
        with state.lock:
            req = state.requests.get(ref)
            if req is None or not req.answered_at or req.knobs.refuse:
                return jsonify(error="no authenticated copy for this request"), 404
        if req.copy is None:
            made = _make_copy(req, Path(forger.name))
            with state.lock:
                req.copy = req.copy or made
        return Response(req.copy, mimetype="application/pdf")

    return app


def _accepted(req: Request) -> dict[str, Any]:
    code, name = req.authority
    return {"id": req.id, "status": "pending", "authority": {"code": code, "name": name}}
