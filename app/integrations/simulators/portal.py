"""Simulator of the national portal (Cổng DVCQG): accounts and the dossier status feed.

State is in memory (one process); `/_sim/received` lists the status messages in arrival order.
"""

from __future__ import annotations

import itertools
import os
import re
import threading
import unicodedata
from datetime import UTC, datetime
from typing import Any

import requests
from flask import Flask, Response, jsonify, request

from app.domain.codes import AGENCY_CODE
from app.installation import shared_secrets
from app.integrations.simulators.faults import Faults, install
from app.integrations.simulators.payment import install_payment
from app.integrations.simulators.portal_catalog import install_catalog
from app.integrations.simulators.portal_idp import install_idp
from app.integrations.simulators.portal_tthc import install_national_catalog

DEMO_ACCOUNTS = [
    {
        "identifier_type": "cccd",
        "identifier": "001090012345",
        "full_name": "Nguyễn Văn An",
        "birth_date": "1990-05-12",
        "gender": "Nam",
        "permanent_address": "Số 12 Hàng Bài, Phường Hoàn Kiếm, Hà Nội",
        "phone": "0912345678",
    },
    {
        "identifier_type": "cccd",
        "identifier": "033185004321",
        "full_name": "Lê Thị Mai",
        "birth_date": "1985-11-02",
        "gender": "Nữ",
        "permanent_address": "Phường Phố Hiến, tỉnh Hưng Yên",
        "phone": "0987654321",
    },
    {
        "identifier_type": "passport",
        "identifier": "C1234567",
        "full_name": "Phạm Minh Đức",
        "birth_date": "1979-01-20",
        "gender": "Nam",
        "permanent_address": "Hải Phòng",
    },
    {
        "identifier_type": "tax_code",
        "identifier": "0101243150",
        "full_name": "Công ty Cổ phần Minh Phát",
        "permanent_address": "Hà Nội",
    },
    # a state agency as a dossier owner (001 §II.1 Bước 2: mã định danh cơ quan)
    {
        "identifier_type": "agency_code",
        "identifier": "000.00.15.H31",
        "full_name": "Trường Trung học phổ thông Hưng Yên",
        "permanent_address": "Phường Phố Hiến, tỉnh Hưng Yên",
    },
]
# Citizen without a portal account, for the "create the account" path: 079095000123 Trần Thị Bình.
CCCD = re.compile(r"^\d{12}$")


def _norm(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name or "").casefold().split())


class PortalState:
    def __init__(self, seed: bool) -> None:
        self.lock = threading.Lock()
        self.seed = seed
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.accounts: dict[str, dict[str, Any]] = {}
            self.idempotent: dict[str, tuple[dict, int]] = {}
            self.received: list[dict[str, Any]] = []
            self.progress: list[dict[str, Any]] = []
            # per dossier, the highest change number seen (status and step entries share it),
            # and every change that arrived after a later one
            self.last_change: dict[str, int] = {}
            self.out_of_order: list[dict[str, Any]] = []
            self.results: dict[str, list[dict[str, Any]]] = {}
            self.ids = itertools.count(1)
        if self.seed:
            for account in DEMO_ACCOUNTS:
                self.create(dict(account))

    def create(self, profile: dict[str, Any]) -> dict[str, Any]:
        account = {**profile, "id": f"VN-{next(self.ids):06d}", "vneid_verified": True}
        self.accounts[account["id"]] = account
        return account

    def find(self, kind: str, identifier: str) -> dict[str, Any] | None:
        return next(
            (
                a
                for a in self.accounts.values()
                if a["identifier_type"] == kind and a["identifier"] == identifier
            ),
            None,
        )


_CHANGE = re.compile(r"(\d+)$")
# Fee codes of Decision 4663/QĐ-KBNN: one letter (P phí, L lệ phí) and three digits.
FEE_CODE = re.compile(r"^[A-Z]\d{3}$")
PORTAL_TIME = re.compile(r"^\d{14}$")
FEE_STATES = ("due", "online", "paid", "exempt")
FEE_METHODS = ("cash", "transfer", "card", "online")


def fee_errors(fees: Any) -> list[str]:
    """What the portal refuses in a status record's fees (letter 4725 §II.1.b): a code not of
    Decision 4663, an amount that is not whole đồng, a paid fee without method, payer, time
    or receipt, an exemption without its reason."""
    if fees is None:
        return []
    if not isinstance(fees, list) or len(fees) > 50:
        return ["fees must be a list of at most 50 entries"]
    errors = []
    for n, fee in enumerate(fees):
        if not isinstance(fee, dict):
            errors.append(f"fees[{n}] must be an object")
            continue
        code, amount = fee.get("code"), fee.get("amount")
        where = f"fees[{n}] ({code})"
        if not isinstance(code, str) or not FEE_CODE.match(code):
            errors.append(f"{where}: code must be a fee code of Decision 4663/QĐ-KBNN")
        if not isinstance(amount, int) or isinstance(amount, bool) or not 0 <= amount <= 10**10:
            errors.append(f"{where}: amount must be whole đồng, 0..10^10")
        if fee.get("state") not in FEE_STATES:
            errors.append(f"{where}: state must be one of {', '.join(FEE_STATES)}")
        if fee.get("state") == "paid":
            if fee.get("method") not in FEE_METHODS:
                errors.append(f"{where}: a paid fee needs its method")
            if not PORTAL_TIME.match(str(fee.get("paid_at") or "")):
                errors.append(f"{where}: a paid fee needs paid_at as yyyyMMddHHmmss")
            if not str(fee.get("payer") or "").strip():
                errors.append(f"{where}: a paid fee needs its payer")
            if not str(fee.get("receipt_no") or "").strip():
                errors.append(f"{where}: a paid fee needs its receipt number")
            if not str(fee.get("treasury_account") or "").strip() and fee.get("method") == "online":
                errors.append(f"{where}: an online payment needs the agency's treasury account")
        if fee.get("state") == "exempt" and not str(fee.get("exemption_reason") or "").strip():
            errors.append(f"{where}: an exemption needs its reason")
    return errors


def _check_order(state: PortalState, dossier_code: str, key: str) -> None:
    """The portal asserts that each dossier's changes come in the order they were made: the
    sender's idempotency keys end in a number that grows with every change of a dossier."""
    match = _CHANGE.search(key)
    if not match:
        return
    number = int(match.group(1))
    last = state.last_change.get(dossier_code, -1)
    if number < last:
        state.out_of_order.append({"dossier_code": dossier_code, "key": key, "after": last})
    state.last_change[dossier_code] = max(number, last)


def create_portal_simulator(
    seed: bool = True, system_url: str | None = None, system_token: str | None = None
) -> Flask:
    """`system_url`/`system_token`: where the simulated portal forwards citizens' actions
    (this system's `/api/portal/…`), as the real portal calls the ministry's system."""
    app = Flask("portal_simulator")
    state = PortalState(seed)
    reset_payments = install_payment(app)
    reset_catalog = install_catalog(app)
    reset_national_catalog = install_national_catalog(app)

    def reset() -> None:
        state.reset()
        reset_payments()
        reset_catalog()
        reset_national_catalog()

    install(app, Faults(), reset, lambda: list(state.received))
    install_idp(app, lambda: dict(state.accounts))
    app.config["SYSTEM_URL"] = system_url or os.environ.get("SYSTEM_URL", "")
    app.config["SYSTEM_TOKEN"] = system_token or shared_secrets()["PORTAL_CALLBACK_TOKEN"]

    @app.post("/api/citizen/dossiers/<code>/<action>")
    def citizen_action(code: str, action: str):  # noqa: ANN202
        """A citizen acts on "Dịch vụ công của tôi": forwarded to the system that holds the
        dossier, and its answer (or refusal) passed back."""
        if action not in ("withdraw", "supplement", "payment"):
            return jsonify(error=f"unknown action {action}"), 404
        return _forward(f"/api/portal/dossiers/{code}/{action}")

    @app.post("/api/citizen/dossiers")
    def citizen_submit():  # noqa: ANN202
        """An online submission on the portal, forwarded to the competent system (path A).
        The portal has the citizen choose the performing agency first (002 §4.a Bước 1): a
        submission without a well-formed agency code is refused before forwarding."""
        body = request.get_json(silent=True)
        code = body.get("agency_code") if isinstance(body, dict) else None
        if not isinstance(code, str) or not AGENCY_CODE.match(code):
            return jsonify(error="agency_code (the chosen performing agency) is required"), 400
        return _forward("/api/portal/dossiers")

    def _forward(path: str):  # noqa: ANN202
        if not app.config["SYSTEM_URL"]:
            return jsonify(error="the simulator has no SYSTEM_URL to forward to"), 503
        try:
            answer = requests.post(
                app.config["SYSTEM_URL"].rstrip("/") + path,
                json=request.get_json(silent=True) or {},
                headers={"X-Portal-Token": app.config["SYSTEM_TOKEN"]},
                timeout=10,
            )
        except requests.RequestException as exc:
            return jsonify(error=f"the system did not answer: {exc}"), 502
        return Response(answer.content, answer.status_code, mimetype="application/json")

    @app.get("/api/accounts")
    def find_account():  # noqa: ANN202
        args = request.args
        if args.get("tax_code"):
            kind, identifier, name = "tax_code", args["tax_code"].strip(), None
        elif args.get("cccd"):
            kind, identifier, name = "cccd", args["cccd"].strip(), args.get("full_name")
            if not CCCD.match(identifier):
                return jsonify(error="CCCD must have 12 digits"), 400
        elif args.get("agency_code"):
            kind, identifier, name = "agency_code", args["agency_code"].strip().upper(), None
            if not AGENCY_CODE.match(identifier):
                return jsonify(error="an agency code reads like 000.00.12.H31"), 400
        elif args.get("passport"):
            kind, identifier, name = (
                "passport",
                args["passport"].strip().upper(),
                args.get("full_name"),
            )
        else:
            return jsonify(error="give cccd, passport, tax_code or agency_code"), 400
        with state.lock:
            account = state.find(kind, identifier)
        if account is None or (name is not None and _norm(name) != _norm(account["full_name"])):
            return jsonify(error="no portal account"), 404
        return jsonify(account=account)

    @app.post("/api/accounts")
    def create_account():  # noqa: ANN202
        body = request.get_json(silent=True) or {}
        missing = [k for k in ("identifier_type", "identifier", "full_name") if not body.get(k)]
        if missing:
            return jsonify(error=f"missing {', '.join(missing)}"), 400
        key = request.headers.get("Idempotency-Key")
        with state.lock:
            if key and key in state.idempotent:
                response, status = state.idempotent[key]
                return jsonify(response), status
            if state.find(body["identifier_type"], body["identifier"]) is not None:
                return jsonify(error="an account exists for this identifier"), 409
            response = {"account": state.create(body)}
            if key:
                state.idempotent[key] = (response, 201)
        return jsonify(response), 201

    @app.get("/api/accounts/<account_id>")
    def profile(account_id: str):  # noqa: ANN202
        with state.lock:
            account = state.accounts.get(account_id)
        if account is None:
            return jsonify(error="no such account"), 404
        return jsonify(account=account)

    @app.post("/api/dossiers/status")
    def sync_status():  # noqa: ANN202
        key = request.headers.get("Idempotency-Key")
        if not key:
            return jsonify(error="Idempotency-Key header is required"), 400
        body = request.get_json(silent=True) or {}
        status = body.get("status")
        if not body.get("dossier_code") or not isinstance(status, int) or not 1 <= status <= 10:
            return jsonify(error="dossier_code and status 1..10 are required"), 400
        refused = fee_errors(body.get("fees"))
        if refused:
            return jsonify(error="invalid fees: " + "; ".join(refused)), 400
        with state.lock:
            if key in state.idempotent:
                return jsonify(state.idempotent[key][0]), 200
            _check_order(state, body["dossier_code"], key)
            state.received.append(
                {"idempotency_key": key, "body": body, "received_at": datetime.now(UTC).isoformat()}
            )
            response = {"accepted": True, "sequence": len(state.received)}
            state.idempotent[key] = (response, 200)
        return jsonify(response), 200

    @app.post("/api/dossiers/progress")
    def sync_progress():  # noqa: ANN202
        """A processing step of a dossier (who, what, when, which department, due time)."""
        key = request.headers.get("Idempotency-Key")
        if not key:
            return jsonify(error="Idempotency-Key header is required"), 400
        body = request.get_json(silent=True) or {}
        if not body.get("dossier_code") or not body.get("title"):
            return jsonify(error="dossier_code and title are required"), 400
        with state.lock:
            if key in state.idempotent:
                return jsonify(state.idempotent[key][0]), 200
            _check_order(state, body["dossier_code"], key)
            state.progress.append(
                {"idempotency_key": key, "body": body, "received_at": datetime.now(UTC).isoformat()}
            )
            response = {"accepted": True, "sequence": len(state.progress)}
            state.idempotent[key] = (response, 200)
        return jsonify(response), 200

    @app.post("/api/dossiers/results")
    def publish_result():  # noqa: ANN202
        """An e-result for the citizen's Kho DL and "Dịch vụ công của tôi"."""
        key = request.headers.get("Idempotency-Key")
        if not key:
            return jsonify(error="Idempotency-Key header is required"), 400
        body = request.get_json(silent=True) or {}
        document = body.get("document") or {}
        if not body.get("owner_id") or not document.get("storage_key"):
            return jsonify(error="owner_id and document.storage_key are required"), 400
        with state.lock:
            if key in state.idempotent:
                return jsonify(state.idempotent[key][0]), 200
            entry = {**document, "dossier_code": body.get("dossier_code")}
            state.results.setdefault(body["owner_id"], []).append(entry)
            response = {"accepted": True}
            state.idempotent[key] = (response, 200)
        return jsonify(response), 200

    @app.get("/api/citizens/<owner_id>/results")
    def citizen_results(owner_id: str):  # noqa: ANN202
        with state.lock:
            return jsonify(results=list(state.results.get(owner_id, [])))

    @app.get("/_sim/order")
    def order_report():  # noqa: ANN202
        with state.lock:
            return jsonify(out_of_order=list(state.out_of_order), dossiers=len(state.last_change))

    @app.get("/_sim/fees/<dossier_code>")
    def received_fees(dossier_code: str):  # noqa: ANN202
        """The fees of the latest status record the portal holds for a dossier."""
        with state.lock:
            records = [
                r["body"] for r in state.received if r["body"]["dossier_code"] == dossier_code
            ]
        if not records:
            return jsonify(error="no status record for this dossier"), 404
        return jsonify(dossier_code=dossier_code, fees=records[-1].get("fees") or [])

    @app.get("/_sim/progress")
    def received_progress():  # noqa: ANN202
        with state.lock:
            return jsonify(list(state.progress))

    return app
