"""The portal simulator as an OpenID Connect provider (authorization code with PKCE).

Citizens "log in with VNeID" on the simulated portal and are sent back to this system with a
code; the system's OIDC client (Authlib) exchanges it for a signed ID token. Keys are made at
start and published as a JWKS. `/_sim/oidc` makes the next ID token defective (bad signature,
wrong audience, expired) so that the client's refusals can be tested.
"""

from __future__ import annotations

import base64
import hashlib
import html
import os
import re
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from flask import Flask, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import RSAKey

from app.installation import shared_secrets

CODE_TTL = 120  # seconds
TOKEN_TTL = 300
# The simulator only ever sends citizens back to a system on this machine.
REDIRECT = re.compile(r"^http://(127\.0\.0\.1|localhost)(:\d+)?/citizen/callback$")
DEFECTS = ("bad_signature", "wrong_audience", "expired")


class Provider:
    def __init__(self, client_id: str, client_secret: str) -> None:
        self.lock = threading.Lock()
        self.client_id, self.client_secret = client_id, client_secret
        self.key = RSAKey.generate_key(2048, parameters={"kid": "sim-1"})
        self.codes: dict[str, dict[str, Any]] = {}
        self.defect: str | None = None

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.key.as_dict(private=False, alg="RS256", use="sig")]}

    def id_token(self, issuer: str, grant: dict[str, Any], account: dict[str, Any]) -> str:
        now = int(time.time())
        with self.lock:
            defect, self.defect = self.defect, None
        claims = {
            "iss": issuer,
            "sub": account["id"],
            "aud": "someone-else" if defect == "wrong_audience" else self.client_id,
            "iat": now - (2 * TOKEN_TTL if defect == "expired" else 0),
            "exp": now + (-TOKEN_TTL if defect == "expired" else TOKEN_TTL),
            "nonce": grant["nonce"],
            "name": account["full_name"],
            "identifier_type": account["identifier_type"],
            "identifier": account["identifier"],
            "gender": account.get("gender") or "",
            "birthdate": account.get("birth_date") or "",
            "address": account.get("permanent_address") or "",
            "phone_number": account.get("phone") or "",
            "email": account.get("email") or "",
        }
        key = self.key
        if defect == "bad_signature":
            key = RSAKey.generate_key(2048, parameters={"kid": "sim-1"})
        return jwt.encode({"alg": "RS256", "kid": "sim-1"}, claims, key)


def install_idp(app: Flask, accounts: Callable[[], dict[str, dict[str, Any]]]) -> Provider:
    provider = Provider(
        os.environ.get("PORTAL_OIDC_CLIENT_ID", "gqtthc"),
        shared_secrets()["PORTAL_OIDC_CLIENT_SECRET"],
    )

    def issuer() -> str:
        return request.host_url.rstrip("/")

    @app.get("/.well-known/openid-configuration")
    def oidc_metadata():  # noqa: ANN202
        base = issuer()
        return jsonify(
            issuer=base,
            authorization_endpoint=f"{base}/oauth/authorize",
            token_endpoint=f"{base}/oauth/token",
            jwks_uri=f"{base}/oauth/jwks",
            response_types_supported=["code"],
            subject_types_supported=["public"],
            id_token_signing_alg_values_supported=["RS256"],
            code_challenge_methods_supported=["S256"],
            token_endpoint_auth_methods_supported=["client_secret_basic", "client_secret_post"],
            scopes_supported=["openid", "profile"],
        )

    @app.get("/oauth/jwks")
    def jwks():  # noqa: ANN202
        return jsonify(provider.jwks())

    def _authorization_error() -> str | None:
        args = request.values
        if args.get("client_id") != provider.client_id:
            return "unknown client_id"
        if not REDIRECT.match(args.get("redirect_uri", "")):
            return "redirect_uri is not registered"
        if args.get("response_type") != "code" or "openid" not in args.get("scope", "").split():
            return "response_type=code and scope openid are required"
        if args.get("code_challenge_method") != "S256" or not args.get("code_challenge"):
            return "PKCE (code_challenge, S256) is required"
        return None

    @app.route("/oauth/authorize", methods=["GET", "POST"])
    def authorize():  # noqa: ANN202
        error = _authorization_error()
        if error:
            return jsonify(error="invalid_request", error_description=error), 400
        args = request.values
        if request.method == "GET":
            options = "".join(
                f'<option value="{html.escape(a["id"])}">{html.escape(a["identifier"])} — '
                f"{html.escape(a['full_name'])}</option>"
                for a in accounts().values()
            )
            hidden = "".join(
                f'<input type="hidden" name="{k}" value="{html.escape(v)}">'
                for k, v in args.items()
            )
            return (
                "<!doctype html><html lang=vi><meta charset=utf-8><title>Đăng nhập VNeID</title>"
                "<h1>Cổng Dịch vụ công quốc gia — đăng nhập (mô phỏng)</h1>"
                f'<form method="post">{hidden}<label>Tài khoản định danh điện tử '
                f'<select name="account_id">{options}</select></label>'
                '<button type="submit">Đăng nhập</button></form></html>'
            )
        account = accounts().get(args.get("account_id", ""))
        if account is None:
            return jsonify(error="access_denied", error_description="unknown account"), 400
        code = secrets.token_urlsafe(24)
        with provider.lock:
            provider.codes[code] = {
                "client_id": args["client_id"],
                "redirect_uri": args["redirect_uri"],
                "challenge": args["code_challenge"],
                "nonce": args.get("nonce", ""),
                "account_id": account["id"],
                "expires": time.time() + CODE_TTL,
                "used": False,
            }
        query = urlencode({"code": code, "state": args.get("state", "")})
        return redirect(f"{args['redirect_uri']}?{query}")

    def _client_ok() -> bool:
        auth = request.authorization
        if auth is not None and auth.type == "basic":
            client, secret = auth.username, auth.password
        else:
            client, secret = request.form.get("client_id"), request.form.get("client_secret")
        return client == provider.client_id and secrets.compare_digest(
            secret or "", provider.client_secret
        )

    @app.post("/oauth/token")
    def token():  # noqa: ANN202
        if not _client_ok():
            return jsonify(error="invalid_client"), 401
        form = request.form
        if form.get("grant_type") != "authorization_code":
            return jsonify(error="unsupported_grant_type"), 400
        with provider.lock:
            grant = provider.codes.get(form.get("code", ""))
            problem = None
            if grant is None or grant["expires"] < time.time():
                problem = "unknown or expired code"
            elif grant["used"]:
                problem = "the code was already used"
            elif grant["redirect_uri"] != form.get("redirect_uri"):
                problem = "redirect_uri differs from the authorization request"
            else:
                verifier = form.get("code_verifier", "")
                digest = hashlib.sha256(verifier.encode()).digest()
                if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant["challenge"]:
                    problem = "PKCE verification failed"
            if problem:
                return jsonify(error="invalid_grant", error_description=problem), 400
            grant["used"] = True
        account = accounts()[grant["account_id"]]
        return jsonify(
            access_token=secrets.token_urlsafe(24),
            token_type="Bearer",  # nosec B106 # OAuth token type name, not a secret
            expires_in=TOKEN_TTL,
            scope="openid profile",
            id_token=provider.id_token(issuer(), grant, account),
        )

    @app.post("/_sim/oidc")
    def oidc_defect():  # noqa: ANN202
        defect = (request.get_json(silent=True) or {}).get("defect")
        if defect not in (*DEFECTS, None):
            return jsonify(error=f"defect must be one of {DEFECTS}"), 400
        with provider.lock:
            provider.defect = defect
        return jsonify(defect=defect)

    return provider
